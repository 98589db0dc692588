"""The holiday calendar collection contact follows (POJK 22/2023 art. 62: no contact on
national holidays): Indonesia's national holidays of every year from the ``holidays`` package,
named in Indonesian (lunar dates are its estimates until the year's joint decree), adjusted by
head office: a day added (*cuti bersama*, a date the decree moved) or a national holiday taken
off."""

from collections.abc import Iterable
from datetime import date
from functools import cache

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.collection.models import Holiday

NATIONAL, HEAD_OFFICE = "national", "head_office"


@cache
def national(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("ID", years=year, language="id"))


def calendar(session: Session, years: Iterable[int]) -> dict[date, tuple[str, str]]:
    """Each holiday of these years with its name and where it comes from."""
    years = sorted(set(years))
    days = {day: (name, NATIONAL) for year in years for day, name in national(year).items()}
    changes = session.scalars(
        select(Holiday).where(
            Holiday.day >= date(years[0], 1, 1), Holiday.day <= date(years[-1], 12, 31)
        )
    )
    for change in changes:
        if not change.observed:
            days.pop(change.day, None)
        else:
            days[change.day] = (change.name, days.get(change.day, ("", HEAD_OFFICE))[1])
    return dict(sorted(days.items()))


def add(session: Session, day: date, name: str) -> None:
    """A holiday on ``day`` (a national one put back, or renamed, or a day added)."""
    change = session.get(Holiday, day) or Holiday(day=day)
    change.name = name
    change.observed = True
    session.add(change)
    session.flush()


def take_off(session: Session, day: date) -> bool:
    """``day`` is no longer a holiday; False when it was none."""
    if day not in calendar(session, [day.year]):
        return False
    change = session.get(Holiday, day)
    if day not in national(day.year):
        assert change is not None
        session.delete(change)
    else:
        change = change or Holiday(day=day, name=national(day.year)[day])
        change.observed = False
        session.add(change)
    session.flush()
    return True
