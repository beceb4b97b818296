"""Running automations: a due run becomes one delivery (or is cancelled with its reason), and queued
automation mails are sent exactly once, through the campaign engine's send path.

1. **Due runs** (one transaction per batch, rows locked ``SKIP LOCKED``):
   the trigger is checked again — a completed checkout, an order placed
   since, a changed cart, a cancelled order, a customer who came back,
   a switched-off automation or step cancel the run, with the reason; in
   the shop's quiet hours the run waits for their end; otherwise one
   ``Delivery`` row is written for it (unique per run).
2. **Claim** (one transaction): queued automation deliveries are locked
   ``SKIP LOCKED``, the delivery rules (consent in the run's channel,
   suppression, frequency cap) are applied again, skipped runs get the
   rule's reason, and the deterministic ``Message-ID`` is stored before the
   provider is called.
3. **Send and record**: as a campaign's mails (``sending.send_messages``,
   ``sending.record_outcomes``): retries with backoff for temporary errors,
   a dead worker's mails become ``unknown`` after the lease, never resent.
"""

import logging
import time
import zoneinfo
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ...config import get_setting, get_text_setting
from ...models import (Automation, AutomationKind, AutomationRun, AutomationStep, ChannelConsent, CRMCheckout,
                       CRMOrder, CustomerProfile, Delivery, RunReason, RunState)
from .. import audience
from ..context import RecipientContexts
from ..handlebars import format_money
from ..mail import build_message, message_id, sender
from ..sending import CLAIM_UPDATE_SQL, Outcome, record_outcomes, recipient_profiles, send_messages, tracked
from ..templates import Renderer, compile_template
from ..tracking import LinkTracker

logger = logging.getLogger(__name__)

BATCH = 200
MAX_ERROR = 1000

CLAIM_SQL = f"""
WITH picked AS (
    SELECT d.id FROM crm_delivery d
    WHERE d.run_id IS NOT NULL AND d.state = 'queued'
      AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
    ORDER BY d.id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), judged AS MATERIALIZED (
    SELECT d.id, r.id AS run_id, r.channel, p.id AS profile_id, p.first_name, p.last_name, p.favourite_categories,
           {audience.SKIP_REASON_SQL.format(email="d.email", channel="r.channel")} AS reason
    FROM picked JOIN crm_delivery d ON d.id = picked.id
    JOIN crm_automation_run r ON r.id = d.run_id
    LEFT JOIN crm_customer_profile p ON p.id = d.profile_id
){CLAIM_UPDATE_SQL}
RETURNING d.id, judged.run_id, d.profile_id, d.email, d.attempts, judged.reason, judged.channel,
          judged.first_name, judged.last_name, judged.favourite_categories
"""


def _rule_params() -> dict:
    return {"campaign": 0, "cap": get_setting("frequency_cap_count"), "cap_days": get_setting("frequency_cap_days")}


# --- 1. due runs -----------------------------------------------------------------------------------------


def quiet_until(automation: Automation, now: datetime) -> datetime | None:
    """The end of the automation's quiet hours when ``now`` falls in them (shop time zone), else None."""
    start, end = automation.quiet_start, automation.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = zoneinfo.ZoneInfo(get_text_setting("shop_time_zone") or "UTC")
    local = now.astimezone(zone)
    inside = start <= local.hour < end if start < end else (local.hour >= start or local.hour < end)
    if not inside:
        return None
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    # The wall-clock hour in the zone (a DST gap moves it on by the gap; fold=0 picks the first of two).
    return datetime(day.year, day.month, day.day, end, tzinfo=zone).astimezone(UTC)


def _cancel_reason(run: AutomationRun, kind: str) -> str | None:
    """Why the run's trigger no longer holds, or None."""
    context = run.context or {}
    if kind == AutomationKind.ABANDONED_CHECKOUT:
        checkout = CRMCheckout.objects.filter(token=context.get("checkout")).first()
        if checkout is None or checkout.completed_at is not None:
            return RunReason.CHECKOUT_COMPLETED
        seen = datetime.fromisoformat(context["last_change"])
        if checkout.last_change != seen:
            return RunReason.CART_CHANGED
        if CRMOrder.objects.filter(profile_id=run.profile_id, placed_at__gte=seen).exists():
            return RunReason.ORDERED
    elif kind in (AutomationKind.POST_PURCHASE, AutomationKind.SATISFACTION_SURVEY):
        order = CRMOrder.objects.filter(order_id=context.get("order")).first()
        if order is None or not order.counts:
            return RunReason.ORDER_CANCELLED
    elif kind == AutomationKind.WIN_BACK:
        profile = CustomerProfile.objects.filter(pk=run.profile_id).only("last_order_at").first()
        if profile is None or profile.last_order_at != datetime.fromisoformat(context["last_order_at"]):
            return RunReason.RETURNED
    return None


def _welcome_channel(run: AutomationRun) -> str:
    """An account's welcome goes to a channel the customer is subscribed in (the first by name), else none."""
    if run.channel:
        return run.channel
    subscribed = ChannelConsent.objects.filter(profile_id=run.profile_id, state="subscribed").order_by("channel")
    return subscribed.values_list("channel", flat=True).first() or ""


def process_due_runs(now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """One batch of due runs: cancelled, deferred to the end of quiet hours, or given their delivery."""
    now = now or timezone.now()
    done = {"mailed": 0, "cancelled": 0, "deferred": 0}
    with transaction.atomic():
        runs = list(AutomationRun.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            state=RunState.SCHEDULED, due_at__lte=now).order_by("due_at", "pk")[:limit])
        if not runs:
            return done
        automations = {a.pk: a for a in Automation.objects.filter(pk__in={r.automation_id for r in runs})}
        steps = {(s.automation_id, s.position): s for s in AutomationStep.objects.filter(
            automation_id__in=list(automations))}
        emails = dict(CustomerProfile.objects.filter(pk__in={r.profile_id for r in runs}).values_list("pk", "email"))
        deliveries = []
        for run in runs:
            automation, step = automations[run.automation_id], steps.get((run.automation_id, run.step))
            reason = None
            if not automation.enabled or step is None or not step.enabled:
                reason = RunReason.SWITCHED_OFF
            elif step.template_id is None:
                reason = RunReason.NO_TEMPLATE
            else:
                reason = _cancel_reason(run, automation.kind)
            if reason is None and automation.kind == AutomationKind.WELCOME:
                run.channel = _welcome_channel(run)
                reason = None if run.channel else RunReason.NO_CHANNEL
            if reason is not None:
                run.state, run.reason, run.finished_at = RunState.CANCELLED, reason, now
                done["cancelled"] += 1
                continue
            later = quiet_until(automation, now)
            if later is not None:
                run.due_at = later
                done["deferred"] += 1
                continue
            run.state = RunState.MAILED
            deliveries.append(Delivery(run=run, profile_id=run.profile_id, email=emails.get(run.profile_id)))
            done["mailed"] += 1
        AutomationRun.objects.bulk_update(runs, ["state", "reason", "finished_at", "due_at", "channel"])
        Delivery.objects.bulk_create(deliveries)
    return done


# --- 2. and 3. claim, send, record -----------------------------------------------------------------------


class _Templates:
    """Each step's template compiled once per pass (an edit applies from the next pass on)."""

    def __init__(self):
        self._compiled: dict[int, Renderer] = {}

    def renderer(self, step: AutomationStep) -> Renderer:
        if step.pk not in self._compiled:
            t = step.template
            self._compiled[step.pk] = Renderer(compile_template(
                subject=t.subject, preheader=t.preheader, body=t.body, body_format=t.body_format, text=t.text))
        return self._compiled[step.pk]


def _claim(limit: int) -> list[dict]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, {**_rule_params(), "limit": limit})
        columns = [c.name for c in cursor.description]
        rows = sorted((dict(zip(columns, r)) for r in cursor.fetchall()), key=lambda r: r["id"])
        skipped = [r for r in rows if r["reason"] is not None]
        if skipped:
            cursor.execute("UPDATE crm_automation_run r SET state = 'skipped', reason = v.reason, finished_at = now() "
                           "FROM unnest(%s::bigint[], %s::text[]) AS v(id, reason) WHERE r.id = v.id",
                           [[r["run_id"] for r in skipped], [r["reason"] for r in skipped]])
        claimed = [r for r in rows if r["reason"] is None]
        for row in skipped:
            row["skipped"] = True
        runs = {r.pk: r for r in AutomationRun.objects.filter(pk__in=[r["run_id"] for r in claimed])}
        automations = {a.pk: a for a in Automation.objects.filter(pk__in={r.automation_id for r in runs.values()})}
        for row in claimed:
            run = runs[row["run_id"]]
            row["run"], row["automation"] = run, automations[run.automation_id]
            row["message_id"] = message_id("automation", run.automation_id, "run", run.pk,
                                           from_email=row["automation"].from_email)
        # Stored with the claim: a mail whose fate becomes unknown can still be looked up at the provider.
        cursor.execute("UPDATE crm_delivery d SET message_id = v.mid FROM unnest(%s::bigint[], %s::text[]) "
                       "AS v(id, mid) WHERE d.id = v.id",
                       [[r["id"] for r in claimed], [r["message_id"] for r in claimed]])
        return claimed + skipped


def _extras(kind: str, run: AutomationRun) -> dict:
    """The variables a kind adds to the campaign ones: the cart, the order, the survey's links."""
    context = run.context or {}
    if kind == AutomationKind.ABANDONED_CHECKOUT:
        pattern = get_text_setting("storefront_checkout_url")
        currency = context.get("currency") or ""
        return {"checkout": {
            "lines": [{"name": line.get("name", ""), "quantity": line.get("quantity", 1)}
                      for line in context.get("lines", [])],
            "total": format_money(str(context.get("total", "0")), currency) if currency else "",
            "url": pattern.format(channel=run.channel, token=context.get("checkout", "")) if pattern else "",
            "reminder": run.step,
        }}
    if kind in (AutomationKind.POST_PURCHASE, AutomationKind.SATISFACTION_SURVEY):
        extras = {"order": {"number": context.get("number", ""), "id": context.get("order", "")}}
        if kind == AutomationKind.SATISFACTION_SURVEY:
            from ...support.surveys import survey_links

            scale = context.get("scale") or "csat"
            links = survey_links(run.profile_id, context.get("order"), run.channel, scale)
            extras["survey"] = {"scale": scale, "scores": [{"score": s, "url": u} for s, u in sorted(links.items())]}
        return extras
    return {}


def send_due_mails(limit: int = BATCH) -> dict[str, int]:
    """One batch of queued automation mails: claimed, rendered, sent, recorded."""
    rows = _claim(limit)
    report = {"sent": 0, "failed": 0, "retried": 0, "skipped": sum(1 for r in rows if r.get("skipped"))}
    rows = [r for r in rows if not r.get("skipped")]
    if not rows:
        return report
    steps = {(s.automation_id, s.position): s for s in AutomationStep.objects.select_related("template").filter(
        automation_id__in={r["automation"].pk for r in rows})}
    templates, contexts, messages, links = _Templates(), {}, [], LinkTracker()
    by_channel: dict[str, list[dict]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], []).append(row)
    variables = {}
    for channel, channel_rows in by_channel.items():
        builder = contexts.setdefault(channel, RecipientContexts(channel, None))
        variables.update(builder.build(recipient_profiles(channel_rows)))
    outcomes = {}
    for row in rows:
        run, automation = row["run"], row["automation"]
        try:
            step = steps[(automation.pk, run.step)]
            context = {**variables[row["profile_id"]], **_extras(automation.kind, run)}
            message = build_message(
                tracked(links, templates.renderer(step).render(context), row["id"], context), to=row["email"],
                from_header=sender(automation.from_name, automation.from_email), message_id=row["message_id"],
                reply_to=automation.reply_to, unsubscribe=context["unsubscribe_url"],
                metadata={"automation": automation.kind, "step": run.step, "delivery": row["id"]},
                tags=["crm-automation", automation.kind])
        except Exception as error:  # noqa: BLE001 - one recipient's bad data must not stop the others
            logger.exception("CRM automation %s: could not render run %s", automation.kind, run.pk)
            outcomes[row["id"]] = Outcome("failed", row["message_id"], error=f"render: {error}"[:MAX_ERROR])
            continue
        messages.append((row, row["message_id"], message))
    outcomes.update(send_messages(messages))
    record_outcomes(outcomes)
    for outcome in outcomes.values():
        key = {"sent": "sent", "queued": "retried"}.get(outcome.state, "failed")
        report[key] += 1
    return report


def reconcile_lost_claims() -> int:
    """Automation mails claimed longer than the lease ago by a worker that never reported: ``unknown``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_delivery SET state = 'unknown', "
            "error = 'the worker sending it stopped before recording the outcome; not resent' "
            "WHERE run_id IS NOT NULL AND state = 'sending' AND claimed_at < now() - make_interval(secs => %s)",
            [get_setting("claim_lease_seconds")])
        return cursor.rowcount


def run_automations(*, time_budget: float = 50.0, now: datetime | None = None) -> dict:
    """The periodic pass: lost claims, planning, due runs, then queued mails, until done or time is up."""
    from .planning import plan

    deadline = time.monotonic() + time_budget
    report = {"unknown": reconcile_lost_claims(), "planned": plan(now), "mailed": 0, "cancelled": 0,
              "deferred": 0, "sent": 0, "failed": 0, "retried": 0, "skipped": 0}
    for step in (lambda: process_due_runs(now), send_due_mails):
        while time.monotonic() < deadline:
            done = step()
            for key, value in done.items():
                report[key] += value
            if sum(done.values()) < BATCH:  # the last batch was not full: nothing more is due now
                break
    return report
