"""The range of dates the CRM accepts, in one place.

Validation (``normalized.schema``) refuses event dates outside it, and the readers
of stored facts (training, analytics) skip orders outside it: rows stored
before the range was enforced can hold dates that Python cannot even read
back (PostgreSQL keeps years up to 294276, Python's ``datetime`` stops at
9999, and ``9999-12-31T23:59:59-14:00`` is already year 10000 in UTC).
No Django here: ``events`` and ``profiles`` both use it.
"""

import time
from datetime import datetime, timedelta, timezone

# No shop order, checkout or account predates the Unix epoch; an earlier date
# is a zero value or a typo. (The demo's Instacart sample starts 2024-01-01,
# the benches 2024 and 2026, the tests 2025.)
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A day of slack for the shop's clock running ahead of ours (time zone
# mistakes shift by at most 14 hours); anything later has not happened yet.
FUTURE_SLACK = timedelta(days=1)


def latest(now: datetime | None = None) -> datetime:
    """The newest date accepted at ``now`` (the wall clock by default)."""
    return (now or datetime.now(timezone.utc)) + FUTURE_SLACK


EARLIEST_SECONDS = EARLIEST.timestamp()
SLACK_SECONDS = FUTURE_SLACK.total_seconds()


def out_of_range(value: datetime, now: datetime | None = None) -> str | None:
    """Why an aware ``value`` is outside the accepted range, or ``None`` when it is inside.

    A date that has no UTC equivalent (``9999-12-31T23:59:59-14:00``) is
    outside too: it lies beyond either bound.
    """
    # Epoch seconds never overflow (converting to UTC would), and this runs
    # for every date of every event.
    seconds = value.timestamp()
    if seconds < EARLIEST_SECONDS:
        return f"is before {EARLIEST:%Y-%m-%d}."
    if seconds > (now.timestamp() if now is not None else time.time()) + SLACK_SECONDS:
        return "is in the future."
    return None


def in_range_sql(column: str) -> str:
    """The range as a SQL condition on a ``timestamptz`` column (the database's clock)."""
    slack = int(FUTURE_SLACK.total_seconds())
    return (
        f"({column} >= '{EARLIEST.isoformat()}'::timestamptz "
        f"AND {column} <= now() + interval '{slack} seconds')"
    )
