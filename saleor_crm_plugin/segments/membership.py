"""Saved segments: preview, membership refresh (all, or only the profiles that changed), CRUD rules.

Membership is computed in SQL from the compiled rule and applied as a
difference (new members inserted, leavers deleted) in one transaction per
segment, so ``since`` keeps the date a customer joined.
"""

import time
from datetime import datetime

import psycopg.errors
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from ..models import Segment
from ..text import is_storable_text
from .rules import SegmentErrorCode, SegmentRuleError, compile_rule

PREVIEW_SAMPLE = 10
# A preview runs inside a staff request: however the shop's data is spread (a condition on the most popular
# products reads millions of order lines on a large shop), it gives up after this long (``too_complex``).
PREVIEW_TIMEOUT_MS = 1500
MAX_NAME = Segment._meta.get_field("name").max_length
MAX_DESCRIPTION = 2000


def _matching(rule, now, only: list[int] | None = None) -> tuple[str, list]:
    where, params = compile_rule(rule, now)
    restrict = " AND p.id = ANY(%s)" if only is not None else ""
    return (f"SELECT p.id FROM crm_customer_profile p WHERE p.erased_at IS NULL{restrict} AND ({where})",
            ([only] if only is not None else []) + params)


def _plain_plans(cursor) -> None:
    # Segment queries are filters and hashed lookups: PostgreSQL's JIT would spend more time
    # compiling them (≈ 170 ms) than running them.
    cursor.execute("SET LOCAL jit = off")


def preview(rule, *, now: datetime | None = None, sample: int = PREVIEW_SAMPLE) -> dict:
    """How many customers match ``rule`` and a sample of them (the earliest profiles), without saving.

    Both queries together stop after ``PREVIEW_TIMEOUT_MS`` (``SegmentRuleError`` ``too_complex``: the rule
    can still be saved, its members are computed then).
    """
    now = now or timezone.now()
    query, params = _matching(rule, now)
    deadline = time.monotonic() + PREVIEW_TIMEOUT_MS / 1000
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _plain_plans(cursor)
            cursor.execute(f"SET LOCAL statement_timeout = {PREVIEW_TIMEOUT_MS}")
            cursor.execute(f"SELECT count(*) FROM ({query}) m", params)
            count = cursor.fetchone()[0]
            left = max(1, int((deadline - time.monotonic()) * 1000))
            cursor.execute(f"SET LOCAL statement_timeout = {left}")
            # In id order the sample stops at the first matches instead of ranking every member.
            cursor.execute(f"{query} ORDER BY p.id LIMIT %s", params + [sample])
            ids = [row[0] for row in cursor.fetchall()]
    except OperationalError as error:
        if not isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            raise
        raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX,
                               f"previewing this rule takes over {PREVIEW_TIMEOUT_MS / 1000:g} s on this shop "
                               "(conditions on the most bought products read millions of order lines); narrow it, "
                               "or save it: its members are computed then.", "") from None
    return {"count": count, "sample": ids}


def refresh_segment(segment: Segment, *, now: datetime | None = None, only: list[int] | None = None) -> int:
    """Bring ``segment``'s membership up to date (for ``only`` these profiles); returns the member count."""
    now = now or timezone.now()
    query, params = _matching(segment.rules, now, only)
    scope = " AND m.profile_id = ANY(%s)" if only is not None else ""
    with transaction.atomic(), connection.cursor() as cursor:
        _plain_plans(cursor)
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS crm_segment_target (id bigint PRIMARY KEY) "
                       "ON COMMIT DROP")
        cursor.execute("TRUNCATE crm_segment_target")
        cursor.execute(f"INSERT INTO crm_segment_target {query}", params)
        cursor.execute(
            f"DELETE FROM crm_segment_member m WHERE m.segment_id = %s{scope} "
            "AND NOT EXISTS (SELECT 1 FROM crm_segment_target t WHERE t.id = m.profile_id)",
            [segment.pk] + ([only] if only is not None else []),
        )
        cursor.execute("INSERT INTO crm_segment_member (segment_id, profile_id, since) "
                       "SELECT %s, id, %s FROM crm_segment_target ON CONFLICT DO NOTHING", [segment.pk, now])
        cursor.execute("SELECT count(*) FROM crm_segment_member WHERE segment_id = %s", [segment.pk])
        count = cursor.fetchone()[0]
        Segment.objects.filter(pk=segment.pk).update(member_count=count, refreshed_at=now)
    return count


def refresh_all(*, now: datetime | None = None) -> dict:
    """Every segment in full (nightly, and after the analytics recompute)."""
    return {segment.name: refresh_segment(segment, now=now) for segment in Segment.objects.order_by("pk")}


def refresh_for_profiles(profile_ids, *, now: datetime | None = None) -> None:
    """Only these profiles, in every segment: called when the fold changed them."""
    ids = sorted({int(p) for p in profile_ids if p is not None})
    if not ids:
        return
    for segment in Segment.objects.order_by("pk"):
        refresh_segment(segment, now=now, only=ids)


def save_segment(*, name: str, rules, description: str = "", segment: Segment | None = None) -> Segment:
    """Create or update a segment after validating its rule; membership is computed at once."""
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, "A segment needs a name.", "name")
    if len(name) > MAX_NAME or not is_storable_text(name):
        raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE,
                               f"A segment name is at most {MAX_NAME} characters of text without NUL.", "name")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION or not is_storable_text(description):
        raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE,
                               f"A description is at most {MAX_DESCRIPTION} characters of text without NUL.",
                               "description")
    if segment is not None and segment.is_predefined:
        raise SegmentRuleError(SegmentErrorCode.PREDEFINED, "Predefined RFM segments cannot be changed.", "id")
    compile_rule(rules, timezone.now())  # validation, with codes and paths
    clash = Segment.objects.filter(name=name).exclude(pk=segment.pk if segment else None)
    if clash.exists():
        raise SegmentRuleError(SegmentErrorCode.DUPLICATE, f"A segment called {name!r} exists.", "name")
    with transaction.atomic():
        if segment is None:
            segment = Segment.objects.create(name=name, rules=rules, description=description)
        else:
            segment.name, segment.rules, segment.description = name, rules, description
            segment.updated_at = timezone.now()
            segment.save()
        refresh_segment(segment)
    segment.refresh_from_db()
    return segment
