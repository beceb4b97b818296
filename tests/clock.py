"""The one "now" of the tests.

A test that compares a time it writes with the code's clock (an attribution
window, a link's age, a schedule) takes that time from here, relative to the
real clock, so the suite passes on any date. Times that only order events
among themselves (``tests.conftest.T0``) may stay fixed: the code never
compares them with the clock.
"""

from datetime import UTC, datetime, timedelta

from django.utils import timezone


def now() -> datetime:
    """The current time, aware (UTC)."""
    return timezone.now()


def ago(**delta) -> datetime:
    """``now()`` minus ``timedelta(**delta)``, e.g. ``ago(hours=1)``."""
    return now() - timedelta(**delta)


def iso(moment: datetime) -> str:
    """``moment`` as an ESP writes it in a payload: ISO 8601 in UTC with a ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
