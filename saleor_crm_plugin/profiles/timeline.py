"""A customer's timeline: every interaction in readable form, newest first."""

from ..normalized.summaries import summarize_payload
from ..models import AutomationKind, AutomationRun, CRMCheckout, CRMEvent, CustomerProfile
from ..models.support import ServiceMessage, SurveyResponse

EXCERPT = 80  # characters of a message shown in the timeline


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
    entries += _support(profile, limit)
    entries += _automations(profile, limit)
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:limit]


def _support(profile: CustomerProfile, limit: int) -> list[dict]:
    """Service request messages (the first one opens the request) and survey answers."""
    entries = []
    mine = ServiceMessage.objects.filter(request__profile=profile)
    messages = mine.select_related("request").order_by("-created_at", "-pk")[:limit]
    openers = set(mine.order_by("request_id", "created_at", "pk").distinct("request_id").values_list("pk", flat=True))
    for message in messages:
        request, excerpt = message.request, _excerpt(message.body)
        if message.direction == "outbound":
            text = f"Reply from {message.author or 'the shop'} ({message.state}) to #{request.pk}: {excerpt}"
        elif message.pk in openers:
            text = f"Opened {request.kind.replace('_', ' ')} #{request.pk} \"{request.subject}\": {excerpt}"
        else:
            text = f"Wrote on #{request.pk}: {excerpt}"
        entries.append({"at": message.created_at, "kind": f"support.{message.direction}", "text": text})
    for answer in SurveyResponse.objects.filter(profile=profile).order_by("-answered_at", "-pk")[:limit]:
        scale = 5 if answer.kind == "csat" else 10
        comment = f": {_excerpt(answer.comment)}" if answer.comment else ""
        entries.append({"at": answer.answered_at, "kind": f"survey.{answer.kind}",
                        "text": f"Rated {answer.kind.upper()} {answer.score} of {scale}{comment}"})
    return entries


def _automations(profile: CustomerProfile, limit: int) -> list[dict]:
    """Automation mails: sent (with the mail's fate), skipped or cancelled, each with its reason."""
    entries = []
    done = AutomationRun.objects.filter(profile=profile).exclude(state="scheduled").select_related(
        "automation", "delivery").order_by("-created_at", "-pk")[:limit]
    for run in done:
        title = f"{AutomationKind(run.automation.kind).label} mail (step {run.step})"
        delivery = getattr(run, "delivery", None)
        if run.state == "mailed":
            fate = delivery.state if delivery is not None else "queued"
            text = f"{title}: {fate}"
        else:
            text = f"{title} {run.state}: {run.reason.replace('_', ' ')}"
        at = (delivery.sent_at if delivery is not None and delivery.sent_at else None) or run.finished_at or run.due_at
        entries.append({"at": at, "kind": f"automation.{run.state}", "text": text})
    return entries


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"
