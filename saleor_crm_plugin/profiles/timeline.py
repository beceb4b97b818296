"""A customer's timeline: every interaction in readable form, newest first."""

from ..normalized.summaries import summarize_payload
from ..models import CRMCheckout, CRMEvent, CustomerProfile


def timeline(profile: CustomerProfile, *, limit: int = 50) -> list[dict]:
    """Readable entries for ``profile``: folded events plus abandoned checkouts."""
    events = CRMEvent.objects.filter(profile=profile, status=CRMEvent.Status.PROCESSED).order_by(
        "-occurred_at", "-pk"
    )
    entries = [
        {"at": at, "kind": kind, "text": text}
        for at, kind, payload in events.values_list("occurred_at", "kind", "payload")[:limit]
        if (text := summarize_payload(payload))
    ]
    for checkout in CRMCheckout.objects.filter(profile=profile, abandoned_at__isnull=False, completed_at__isnull=True):
        entries.append({
            "at": checkout.abandoned_at,
            "kind": "checkout.abandoned",
            "text": f"Abandoned a checkout: {checkout.lines_count} line(s), "
            f"{checkout.total_gross:.2f} {checkout.currency}",
        })
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:limit]
