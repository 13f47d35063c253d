"""Dates as editors write them, read in the site's timezone, shown in the site's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

_PLAIN = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$"
)

_COMMON = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-](?:[01]\d|2[0-3]):[0-5]\d", re.ASCII)
"""The form every date of a comments file is written in (2022-09-14T06:30:00+09:00): one
that _PLAIN reads and datetime.fromisoformat reads the same, ten times faster."""

EXPECTED_FORM = "write it like 2022-09-14 06:30 or 2022-09-14T06:30:00+09:00"


def parse_datetime(value: object, zone: tzinfo) -> datetime:
    """An aware datetime from a YAML value; naive values are read in `zone`.

    Raises ValueError with a short reason when the value is not a date.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        moment = _parse_text(value.strip())
    else:
        raise ValueError(f"{value!r} is not a date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        moment.astimezone(UTC)  # feeds and sitemaps write it in UTC
        return moment.astimezone(zone)
    except OverflowError:
        raise ValueError(
            f"{value!s} is outside the years 1 to 9999 once read in the site's timezone or UTC"
        ) from None


def _parse_text(text: str) -> datetime:
    if _COMMON.fullmatch(text):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # a day or time out of range: said below as for any other form
    match = _PLAIN.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date")
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    try:
        moment = datetime(y, mo, d, h, mi, s, int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a date ({exc})") from None
    if offset:
        moment = moment.replace(tzinfo=_offset(offset))
    return moment


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"'{text}' is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


_EN_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def format_date(moment: datetime | date, language: str) -> str:
    if language == "ja":
        return f"{moment.year}年{moment.month}月{moment.day}日"
    return f"{_EN_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def format_datetime(moment: datetime, language: str) -> str:
    """Date and time of day, as comment threads show them."""
    if language == "ja":
        return f"{format_date(moment, language)} {moment:%H:%M}"
    return f"{format_date(moment, language)} at {moment:%H:%M}"


def format_month(year: int, month: int, language: str) -> str:
    if language == "ja":
        return f"{year}年{month}月"
    return f"{_EN_MONTHS[month - 1]} {year}"


def format_year(year: int, language: str) -> str:
    return f"{year}年" if language == "ja" else str(year)
