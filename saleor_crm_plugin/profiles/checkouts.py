"""Abandoned-checkout detection (there is no such event in Saleor)."""

from django.db import transaction
from django.utils import timezone

from ..models import CRMCheckout
from .metrics import abandoned_cutoff, mark_dirty, recompute_marked


def detect_abandoned_checkouts(now=None) -> int:
    """Mark checkouts idle past the configured delay as abandoned; return how many."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = CRMCheckout.objects.select_for_update(skip_locked=True).filter(
            completed_at__isnull=True,
            abandoned_at__isnull=True,
            lines_count__gt=0,
            last_change__lt=abandoned_cutoff(now),
        )
        rows = list(stale.values_list("pk", "profile_id"))
        CRMCheckout.objects.filter(pk__in=[pk for pk, _ in rows]).update(abandoned_at=now)
        mark_dirty(profile_id for _, profile_id in rows)
    recompute_marked(now=now)
    return len(rows)
