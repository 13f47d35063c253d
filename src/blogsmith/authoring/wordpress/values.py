"""A WordPress field as the plain value the site keeps: text off its markup, a time with its
offset. Every part of the import reads titles, names and dates through these."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from bs4 import BeautifulSoup

from blogsmith.authoring.wordpress.content import words_of


def plain(markup: str) -> str:
    """Text of a title, excerpt or name that may hold HTML and entities, on one line."""
    if "<" in markup or "&" in markup:
        return words_of(BeautifulSoup(markup, "html.parser"))
    return " ".join(markup.split())


def moment(local: str, gmt: str, zone: tzinfo) -> datetime:
    """The post's local time with the offset WordPress used then (local minus GMT)."""
    when = _parse(local) or _parse(gmt) or datetime(1970, 1, 1)
    utc = _parse(gmt)
    if utc is None:  # drafts have no GMT time yet: the site's zone
        return when.replace(tzinfo=zone)
    minutes = round((when - utc).total_seconds() / 60)
    if not -12 * 60 <= minutes <= 14 * 60:  # no zone is that far: the GMT time is wrong
        return when.replace(tzinfo=zone)
    return when.replace(tzinfo=timezone(timedelta(minutes=minutes)))


def _parse(text: str) -> datetime | None:
    try:
        value = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return value if value.year > 1 else None
