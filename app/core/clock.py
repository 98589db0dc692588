"""Business dates are Asia/Jakarta dates."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def today_jakarta() -> date:
    return datetime.now(JAKARTA).date()


def start_of_day(day: date) -> datetime:
    """Midnight in Jakarta of ``day``, as an aware instant."""
    return datetime.combine(day, time.min, tzinfo=JAKARTA)
