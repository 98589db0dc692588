"""Where documents' bytes live, by their SHA-256: the same content is stored once and a stored
file is never written again. The filesystem is the one store shipped; another (an
S3-compatible bucket) implements :class:`DocumentStore` the same way."""

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class DocumentStore(Protocol):
    def put(self, digest: str, content: bytes) -> None:
        """Keep ``content`` under ``digest`` (its SHA-256 in hex), unless already kept."""

    def get(self, digest: str) -> bytes:
        """The content kept under ``digest``; ``FileNotFoundError`` when there is none."""


class FileSystemStore:
    """``<root>/ab/abcdef...``: two levels keep a folder to a few thousand files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError("not a SHA-256 in lower-case hex")
        return self.root / digest[:2] / digest

    def put(self, digest: str, content: bytes) -> None:
        path = self.path_of(digest)
        if path.exists():
            return  # the same bytes, by their digest: nothing is ever overwritten
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: a reader never sees half a file, and of two
        # writers of the same content the second finds the first's file and leaves it.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o440)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)

    def get(self, digest: str) -> bytes:
        return self.path_of(digest).read_bytes()
