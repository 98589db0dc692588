"""The duplicate check's evidence in words an analyst reads, in the reader's language:
"name partly agrees: family name Siregar matches, given name Rudi ≠ Budi; +4,1".

The stored result keeps the levels, weights and paired words; the words are put together when
the result is shown, so that one pre-screening reads in Indonesian and in English alike. The
mother's maiden name and the NIK are never quoted (roles without personal data read these
sentences too).
"""

from typing import Any

from app.core.i18n import N_, format_signed, format_tenths, gettext
from app.prescreening.names import name_tokens

LABELS = {
    "name": N_("name"),
    "birth_date": N_("birth date"),
    "birth_place": N_("birthplace"),
    "mother_maiden_name": N_("mother's maiden name"),
    "nik": N_("NIK"),
}
PAIRINGS = {
    "typo": N_("{applicant} ~ {known} (a typo)"),
    "nickname": N_("{applicant} for {known} (a nickname)"),
    "initial": N_("{applicant}. for {known} (an initial)"),
}
NEAR_DATES = {
    "swapped": N_("birth date agrees with day and month swapped"),
    "digit": N_("birth date agrees but for one mistyped digit"),
    "component": N_("birth date partly agrees: two of day, month and year match"),
}
NEAR_NIKS = {
    "region": N_("NIK agrees but for one digit of the region"),
    "date": N_("NIK agrees but for one digit of the birth-date part"),
    "sequence": N_("NIK agrees but for one digit of the sequence"),
}
QUOTED = frozenset({"name", "birth_date", "birth_place"})


def _word_role(word: str, words: list[str]) -> str:
    if len(words) > 1 and word == words[0]:
        return gettext("given name")
    if len(words) > 1 and word == words[-1]:
        return gettext("family name")
    return gettext("name word")


def _name_sentence(row: dict[str, Any], label: str) -> str:
    level = row["agreement"]
    pairs = [(how, a.title(), b.title()) for how, a, b in row.get("pairs", [])]
    mine, theirs = (list(words) for words in row.get("unpaired", [[], []]))
    quoted = row["field"] in QUOTED
    if level == "exact":
        if quoted:
            return gettext("{label} agrees: {applicant} = {known}").format(
                label=label, applicant=row["applicant"], known=row["known"]
            )
        return gettext("{label} agrees").format(label=label)
    if not quoted:
        return {
            "close": gettext("{label} agrees closely"),
            "partial": gettext("{label} partly agrees"),
            "disagree": gettext("{label} disagrees"),
        }[level].format(label=label)
    if level == "close":
        ways = ", ".join(
            gettext(PAIRINGS[how]).format(applicant=a, known=b) for how, a, b in pairs
            if how != "exact"
        )  # fmt: skip
        return gettext("{label} agrees closely: {ways}").format(label=label, ways=ways)
    if level == "partial":
        known_words = [w.title() for w in name_tokens(row["known"] or "")]
        matching = ", ".join(
            f"{_word_role(b, known_words)} "
            + (b if how == "exact" else gettext(PAIRINGS[how]).format(applicant=a, known=b))
            for how, a, b in pairs
        )
        differing = [
            f"{_word_role(b.title(), known_words)} {a.title()} ≠ {b.title()}"
            for a, b in zip(mine, theirs, strict=False)
        ]
        differing += [gettext("{word} only on one side").format(word=w.title())
                      for w in (mine[len(theirs):] + theirs[len(mine):])]  # fmt: skip
        return gettext("{label} partly agrees: {matching} matches, {differing}").format(
            label=label, matching=matching, differing=", ".join(differing)
        )
    return gettext("{label} disagrees: {applicant} ≠ {known}").format(
        label=label, applicant=row["applicant"], known=row["known"]
    )


def describe(row: dict[str, Any]) -> str:
    """One identifier's agreement and weight, in words."""
    field, level = row["field"], row["agreement"]
    label = gettext(LABELS[field])
    weight = format_signed(float(row.get("weight", 0.0)))
    if level == "missing":
        return gettext("{label} not given on one side or both; weighs 0").format(label=label)
    if field in ("name", "mother_maiden_name"):
        sentence = _name_sentence(row, label)
    elif field == "birth_date" and level in ("close", "partial"):
        near_date = NEAR_DATES[row.get("how") or "component"]
        sentence = gettext(near_date)
    elif field == "nik" and level == "close":
        near_nik = NEAR_NIKS[row.get("how") or "sequence"]
        sentence = gettext(near_nik)
    elif field == "nik" and level == "partial":
        sentence = gettext("NIK agrees in region and sequence; its birth-date part differs")
    elif level == "exact":
        sentence = gettext("{label} agrees").format(label=label)
    elif level == "close":
        sentence = gettext("{label} agrees but for a typo").format(label=label)
    else:
        sentence = gettext("{label} disagrees").format(label=label)
    return f"{sentence}; {weight}"


REVIEW_REASONS = {
    "name_differs": N_("the names share no word: at most a case for the analyst"),
    "nik_differs": N_("both NIKs are given and differ: at most a case for the analyst"),
    "twin_pattern": N_(
        "NIKs differ only in the sequence and the given names are not the same, as twins' "
        "do: at most a case for the analyst"
    ),
}


def summary(candidate: dict[str, Any]) -> str:
    """The whole candidate in one line: total weight, seed count, and any review rule."""
    text = gettext("total {weight}; {points} of 5 identifiers agree (the seed's count)").format(
        weight=format_signed(float(candidate.get("weight", 0.0))),
        points=format_tenths(float(candidate.get("points", 0.0))),
    )
    reason = candidate.get("review_reason")
    if reason:
        text += "; " + gettext(REVIEW_REASONS[reason])
    return text
