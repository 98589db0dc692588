"""Entity tags: does a client's ``If-Match`` / ``If-None-Match`` name the current version?"""


def etag_matches(header: str | None, current: str) -> bool:
    """Weak comparison (RFC 9110 §8.8.3.2) over a comma list: ``W/"x"`` and ``"x"`` name the
    same version, ``*`` names any."""
    if header is None:
        return False
    tags = {tag.strip() for tag in header.split(",")}
    return bool(tags & {"*", current, current.removeprefix("W/")})
