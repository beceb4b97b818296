"""A staff query's time on the database, bounded: the backstop behind the cost model.

The cost model (``limits``, ``costs``) prices each field by what it takes on
a shop of a million customers, so that a request within budget takes under
``STAFF_QUERY_SECONDS`` there. A few fields cost more than that on their own
on a shop that size (they are priced to run alone), and a shop's data can be
shaped unlike the benchmark's. So a staff *query* (mutations are not cut
short: they write) runs in one transaction whose statements share that
deadline: each is given what is left (``statement_timeout``), and one that
would start past it is not sent. A request stopped this way answers
``query_too_complex`` for the fields it could not finish, never
``internal_error``, and holds a worker no longer than the deadline.
"""

import time
from contextlib import contextmanager

import psycopg
from django.db import DatabaseError, connection, transaction

from .errors import APIError, CRMErrorCode

STAFF_QUERY_SECONDS = 1.7  # leaves room for the rest of the request and a cancel's latency: it answers within 2 s
TIGHTEN_MARGIN_MS = 100  # the statement timeout is lowered only when the time left is this much shorter


class _Deadline:
    """A ``connection.execute_wrapper``: each statement gets the time left, none starts after the deadline."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.timeout_ms = int(seconds * 1000)
        self.tripped = False  # a statement was cancelled or refused: the transaction is rolled back

    def __call__(self, execute, sql, params, many, context):
        left_ms = int((self.deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            self.tripped = True
            raise too_slow()
        if left_ms < self.timeout_ms - TIGHTEN_MARGIN_MS:
            self.timeout_ms = left_ms
            execute(f"SET LOCAL statement_timeout = {left_ms}", None, False, context)
        try:
            return execute(sql, params, many, context)
        except DatabaseError as error:
            # Seen here even when a resolver catches it: the transaction it aborted must not be committed.
            self.tripped = self.tripped or stopped_by_deadline(error)
            raise


@contextmanager
def staff_query_deadline(seconds: float | None = None):
    """Run a staff query's resolvers in one transaction whose statements end by ``seconds`` (default
    ``STAFF_QUERY_SECONDS``) from now."""
    seconds = STAFF_QUERY_SECONDS if seconds is None else seconds
    limit = _Deadline(seconds)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One statement for both settings, local to the transaction. JIT off: PostgreSQL's JIT compiles a
            # big aggregate for over a second before it runs, and cannot be cancelled meanwhile, so a deadline
            # would be overrun by that much (measured on crmSatisfaction).
            cursor.execute("SELECT set_config('statement_timeout', %s, true), set_config('jit', 'off', true)",
                           [str(int(seconds * 1000))])
        try:
            with connection.execute_wrapper(limit):
                yield
        finally:
            if limit.tripped:
                transaction.set_rollback(True)


def stopped_by_deadline(error: BaseException) -> bool:
    """True for a database error the deadline caused: a statement cancelled for its timeout, or one refused
    because an earlier cancel left the transaction aborted."""
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__
    return isinstance(cause, (psycopg.errors.QueryCanceled, psycopg.errors.InFailedSqlTransaction))


def too_slow() -> APIError:
    """The error a field stopped by the deadline is reported with."""
    return APIError(CRMErrorCode.QUERY_TOO_COMPLEX.value,
                    f"This request needs more than {STAFF_QUERY_SECONDS:g} s of the database on this shop: "
                    "ask for less (fewer customers per page, fewer fields, a narrower filter).")
