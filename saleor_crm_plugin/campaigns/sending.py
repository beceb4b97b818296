"""Sending a campaign exactly once per recipient, in batches, through the configured provider.

The protocol, per batch of ``send_batch_size`` rows:

1. **Claim** (one transaction): the campaign row is read ``FOR SHARE`` — a
   pause or cancel waits for the claim, and a claim after it sees the new
   state and takes nothing — then queued rows are locked ``SKIP LOCKED``
   (two workers never take the same row), the send-time rules are applied
   again (``audience.SKIP_REASON_SQL``: consent, suppression, frequency cap)
   and the rest are marked ``sending``. Committed before the provider is
   called.
2. **Send**: each mail is rendered and handed to the provider with its
   deterministic ``Message-ID``.
3. **Record** (one statement): ``sent`` with the provider's message id;
   ``queued`` again with a growing delay after a temporary error (until
   ``send_max_attempts``); ``failed`` with the provider's reason otherwise.

A worker that dies between 1 and 3 leaves its rows ``sending``: nobody
knows whether the provider took them, so they are never resent. After
``claim_lease_seconds`` the dispatcher marks them ``unknown`` and the
campaign's totals report them; at most one batch per dead worker is ever in
that state. A retried, duplicated or resumed task claims only queued rows,
so it can neither send a second copy nor skip anyone.
"""

import logging
import smtplib
import time
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.utils import timezone

from ..config import get_setting
from ..errors import CRMError
from ..models import Campaign, CampaignState
from ..schedule import CAMPAIGN_SEND_TASK, send_task
from . import audience
from .context import RecipientContexts
from .mail import RenderedMail, build_message, message_id, sender
from .providers import open_connection
from .templates import CompiledTemplate, Renderer, compile_template
from .tracking import LinkTracker

logger = logging.getLogger(__name__)

TASK_TIME_BUDGET_SECONDS = 60.0  # a task re-sends itself after this, so one campaign never holds a worker for hours
RETRY_BASE_SECONDS = 60
MAX_ERROR = 1000
ANALYZE_AFTER_ROWS = 10_000

# The claim's last part, after a ``judged`` CTE of rows with their skip ``reason`` (campaigns and automations).
CLAIM_UPDATE_SQL = """
UPDATE crm_delivery d
SET state = CASE WHEN judged.reason IS NULL THEN 'sending' ELSE 'skipped' END,
    skip_reason = COALESCE(judged.reason, ''),
    claimed_at = now(),
    attempts = d.attempts + CASE WHEN judged.reason IS NULL THEN 1 ELSE 0 END
FROM judged WHERE d.id = judged.id"""

CLAIM_SQL = f"""
WITH picked AS (
    SELECT d.id FROM crm_delivery d
    WHERE d.campaign_id = %(campaign)s AND d.state = 'queued'
      AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= now())
    ORDER BY d.id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
), judged AS MATERIALIZED (  -- the rules run once per row, not once per reference below
    SELECT d.id, p.id AS profile_id, p.first_name, p.last_name, p.favourite_categories,
           {audience.SKIP_REASON_SQL.format(email="d.email", channel="%(channel)s")} AS reason
    FROM picked JOIN crm_delivery d ON d.id = picked.id
    LEFT JOIN crm_customer_profile p ON p.id = d.profile_id
){CLAIM_UPDATE_SQL}
RETURNING d.id, d.profile_id, d.email, d.attempts, judged.reason, judged.first_name, judged.last_name,
          judged.favourite_categories
"""

# A mail to retry whose campaign was cancelled meanwhile is cancelled, not queued again (campaign and
# automation mails alike: an automation's mail has no campaign).
RECORD_SQL = """
UPDATE crm_delivery d
SET state = CASE WHEN v.state = 'queued' AND EXISTS (SELECT 1 FROM crm_campaign c WHERE c.id = d.campaign_id
                                                     AND c.state = 'cancelled') THEN 'cancelled' ELSE v.state END,
    sent_at = CASE WHEN v.state = 'sent' THEN now() ELSE d.sent_at END,
    message_id = v.message_id, provider_message_id = v.provider_id, error = v.error,
    next_attempt_at = CASE WHEN v.state = 'queued' THEN now() + make_interval(secs => v.delay) END
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::float8[])
     AS v(id, state, message_id, provider_id, error, delay)
WHERE d.id = v.id AND d.state IN ('sending', 'unknown')
"""


@dataclass
class SendReport:
    """What one ``send_campaign`` call did."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    batches: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What became of one mail: the delivery's new state, with the provider's id or the error."""

    state: str
    message_id: str
    provider_id: str = ""
    error: str = ""
    delay: float = 0.0


def start_campaign(campaign_id: int, *, enqueue: bool = True) -> bool:
    """Scheduled → sending: compile the template once and freeze the audience, in one transaction.

    Returns False (and changes nothing) when the campaign is not scheduled.
    ``enqueue=False``: send no task after the commit (the caller sends itself).
    """
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("template").get(pk=campaign_id)
        if campaign.state != CampaignState.SCHEDULED:
            return False
        t = campaign.template
        try:
            compiled = compile_template(subject=t.subject, preheader=t.preheader, body=t.body,
                                        body_format=t.body_format, text=t.text)
        except CRMError as error:  # a template saved before today's checks, which refuse it
            _pause_for_template(campaign_id, error)
            return False
        added = audience.freeze_audience(campaign)
        now = timezone.now()
        Campaign.objects.filter(pk=campaign.pk).update(
            state=CampaignState.SENDING, compiled=compiled.as_json(), started_at=now, state_changed_at=now,
            last_progress_at=now, updated_at=now)
        if added >= ANALYZE_AFTER_ROWS:
            # The claims that follow plan on these rows' statistics; autovacuum would refresh them only later.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE crm_delivery")
        if enqueue:
            transaction.on_commit(lambda: _send_later(campaign_id, "campaign started"))
    logger.info("CRM campaign %s started: %s deliveries frozen", campaign_id, added)
    return True


def send_campaign(campaign_id: int, *, time_budget: float = TASK_TIME_BUDGET_SECONDS,
                  max_batches: int | None = None, continue_later: bool = True) -> SendReport:
    """Send queued deliveries of a campaign in batches until none is ready, it stops sending, or time is up.

    When time is up the task is sent again (``continue_later``; a foreground
    caller loops itself instead). ``max_batches`` stops after that many
    batches (a partial run, as a worker stopped between batches).
    """
    report = SendReport()
    deadline = time.monotonic() + time_budget
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.state != CampaignState.SENDING or not campaign.compiled:
        return report
    try:
        renderer = Renderer(CompiledTemplate.from_json(campaign.compiled))
    except CRMError as error:  # compiled before today's checks, which refuse it: no mail could be rendered
        _pause_for_template(campaign_id, error)
        report.errors.append(f"template: {error}")
        return report
    contexts = RecipientContexts(campaign.channel, campaign.pk)
    from_header = sender(campaign.from_name, campaign.from_email)
    batch_size = get_setting("send_batch_size")
    interval = 60.0 * batch_size / get_setting("send_rate_per_minute")
    while time.monotonic() < deadline:
        if max_batches is not None and report.batches >= max_batches:
            return report
        started = time.monotonic()
        rows = _claim(campaign, batch_size)
        if rows is None:  # paused, cancelled or finished meanwhile
            return report
        if not rows:
            report.finished = finish_if_done(campaign_id)
            return report
        report.batches += 1
        ready = [row for row in rows if row["reason"] is None]
        report.skipped += len(rows) - len(ready)
        outcomes = _send_batch(campaign, ready, renderer, contexts, from_header) if ready else {}
        record_outcomes(outcomes)
        for outcome in outcomes.values():
            if outcome.state == "sent":
                report.sent += 1
            elif outcome.state == "queued":
                report.retried += 1
            else:
                report.failed += 1
                report.errors.append(outcome.error)
        Campaign.objects.filter(pk=campaign_id).update(last_progress_at=timezone.now())
        # A short batch was the last one ready: finish now, not after the pacing pause (at a slow rate that
        # pause is a minute, and the campaign would read "sending" that long after its last mail left).
        if len(rows) < batch_size and finish_if_done(campaign_id):
            report.finished = True
            return report
        pause = interval - (time.monotonic() - started)
        if pause > 0:
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
    if continue_later:
        _send_later(campaign_id, "time budget used; continuing")
    return report


def _pause_for_template(campaign_id: int, error: CRMError) -> None:
    """Pause a campaign whose template cannot be rendered, with the reason (field and line) for staff to see.

    Failing every mail instead would spend the audience on an error; a
    paused campaign can be cancelled, or resumed once the template is fixed
    (when it had not started yet: a started one keeps what it compiled).
    """
    from .campaigns import pause_campaign

    logger.warning("CRM campaign %s: its template cannot be rendered (%s); paused", campaign_id, error)
    try:
        pause_campaign(campaign_id, reason=f"Paused by the CRM: the template cannot be rendered ({error}).")
    except CRMError:  # paused, cancelled or finished meanwhile
        pass


def _claim(campaign: Campaign, limit: int) -> list[dict] | None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT state FROM crm_campaign WHERE id = %s FOR SHARE", [campaign.pk])
        row = cursor.fetchone()
        if row is None or row[0] != CampaignState.SENDING:
            return None
        cursor.execute(CLAIM_SQL, {**audience.rule_params(campaign), "limit": limit})
        columns = [c.name for c in cursor.description]
        rows = sorted((dict(zip(columns, r)) for r in cursor.fetchall()), key=lambda r: r["id"])
        for row in rows:
            row["message_id"] = message_id("campaign", campaign.pk, "delivery", row["id"], from_email=campaign.from_email)
        # Stored with the claim: a mail whose fate becomes unknown can still be looked up at the provider.
        claimed = [row for row in rows if row["reason"] is None]
        cursor.execute("UPDATE crm_delivery d SET message_id = v.mid FROM unnest(%s::bigint[], %s::text[]) "
                       "AS v(id, mid) WHERE d.id = v.id",
                       [[r["id"] for r in claimed], [r["message_id"] for r in claimed]])
        return rows


def tracked(links: LinkTracker, mail: RenderedMail, delivery_id: int, context: dict) -> RenderedMail:
    """The mail with its links to the shop through click links (the unsubscribe link as it is)."""
    return replace(mail, html=links.track(mail.html, delivery_id, keep=(context["unsubscribe_url"],)))


def recipient_profiles(rows: list[dict]) -> list[dict]:
    """The profile part of claimed rows, as ``RecipientContexts.build`` takes it."""
    return [{"id": r["profile_id"], "email": r["email"], "first_name": r["first_name"],
             "last_name": r["last_name"], "favourite_categories": r["favourite_categories"] or []} for r in rows]


def _send_batch(campaign: Campaign, rows: list[dict], renderer: Renderer, contexts: RecipientContexts,
                from_header: str) -> dict[int, Outcome]:
    outcomes: dict[int, Outcome] = {}
    variables = contexts.build(recipient_profiles(rows))
    links = LinkTracker()
    messages = []
    for row in rows:
        mid = row["message_id"]
        try:
            context = variables[row["profile_id"]]
            message = build_message(
                tracked(links, renderer.render(context), row["id"], context), to=row["email"], from_header=from_header,
                message_id=mid,
                reply_to=campaign.reply_to, unsubscribe=context["unsubscribe_url"],
                metadata={"campaign": campaign.pk, "delivery": row["id"]}, tags=["crm-campaign"])
        except Exception as error:  # noqa: BLE001 - one recipient's bad data must not stop the others
            logger.exception("CRM campaign %s: could not render delivery %s", campaign.pk, row["id"])
            outcomes[row["id"]] = Outcome("failed", mid, error=f"render: {error}"[:MAX_ERROR])
            continue
        messages.append((row, mid, message))
    outcomes.update(send_messages(messages))
    return outcomes


def send_messages(messages: list[tuple[dict, str, object]]) -> dict[int, "Outcome"]:
    """Hand ``(row, message id, message)`` to the provider over one connection; the outcome per row id.

    A provider that cannot be reached leaves every row to retry later."""
    outcomes: dict[int, Outcome] = {}
    if not messages:
        return outcomes
    max_attempts = get_setting("send_max_attempts")
    backend = None
    try:
        backend = open_connection()
        backend.open()
    except Exception as error:  # noqa: BLE001 - the provider is unreachable: every row waits
        for row, mid, _ in messages:
            outcomes[row["id"]] = _temporary(row, mid, f"connection: {error}", max_attempts)
        return outcomes
    try:
        for row, mid, message in messages:
            outcomes[row["id"]] = _deliver(backend, row, mid, message, max_attempts)
    finally:
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            logger.warning("CRM: closing the email connection failed", exc_info=True)
    return outcomes


def _deliver(backend, row: dict, mid: str, message, max_attempts: int) -> Outcome:
    """Hand one mail to the provider and classify what it answered."""
    from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused

    try:
        backend.send_messages([message])
    except smtplib.SMTPRecipientsRefused as error:
        answers = list(error.recipients.values())  # {address: (code, message)}
        reason = "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                           for code, text in answers)
        if answers and all(400 <= code < 500 for code, _ in answers):
            return _temporary(row, mid, reason, max_attempts)
        return Outcome("failed", mid, error=reason[:MAX_ERROR])
    except (AnymailRecipientsRefused, AnymailInvalidAddress, smtplib.SMTPSenderRefused) as error:
        return Outcome("failed", mid, error=str(error)[:MAX_ERROR])
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            return _temporary(row, mid, f"{error.smtp_code} {error.smtp_error!r}", max_attempts)
        return Outcome("failed", mid, error=f"{error.smtp_code} {error.smtp_error!r}"[:MAX_ERROR])
    except AnymailAPIError as error:
        status = getattr(error, "status_code", None)
        if status is None or status == 429 or status >= 500:
            return _temporary(row, mid, str(error), max_attempts)
        return Outcome("failed", mid, error=str(error)[:MAX_ERROR])
    except (OSError, smtplib.SMTPException) as error:  # connection lost, timeout: the provider may be back soon
        return _temporary(row, mid, f"{type(error).__name__}: {error}", max_attempts)
    status = getattr(message, "anymail_status", None)
    if status is not None and status.status and status.status & {"rejected", "invalid"}:
        recipient = status.recipients.get(row["email"])
        reason = getattr(recipient, "status", None) or ",".join(sorted(status.status))
        return Outcome("failed", mid, error=f"provider: {reason}")
    provider_id = getattr(status, "message_id", None) if status is not None else None
    return Outcome("sent", mid, provider_id=str(mid if provider_id in (None, "") else provider_id)[:255])


def _temporary(row: dict, mid: str, error: str, max_attempts: int) -> Outcome:
    if row["attempts"] >= max_attempts:
        return Outcome("failed", mid, error=f"gave up after {row['attempts']} attempts: {error}"[:MAX_ERROR])
    return Outcome("queued", mid, error=error[:MAX_ERROR], delay=RETRY_BASE_SECONDS * 2 ** (row["attempts"] - 1))


def record_outcomes(outcomes: dict[int, Outcome]) -> None:
    if not outcomes:
        return
    ids = sorted(outcomes)
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, [
            ids, [outcomes[i].state for i in ids], [outcomes[i].message_id for i in ids],
            [outcomes[i].provider_id for i in ids], [outcomes[i].error for i in ids],
            [float(outcomes[i].delay) for i in ids]])


def finish_if_done(campaign_id: int) -> bool:
    """Sending → sent once no row is queued or in flight; True when it finished now."""
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign_id, state=CampaignState.SENDING).exclude(
            deliveries__state__in=["queued", "sending"]).update(
            state=CampaignState.SENT, finished_at=timezone.now(), state_changed_at=timezone.now(),
            updated_at=timezone.now())
    return bool(updated)


def reconcile_lost_claims() -> int:
    """Rows claimed longer than ``claim_lease_seconds`` ago by a worker that never reported: ``unknown``."""
    lease = get_setting("claim_lease_seconds")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE crm_delivery d SET state = 'unknown', "
            "error = 'the worker sending it stopped before recording the outcome; not resent' "
            "FROM crm_campaign c WHERE c.id = d.campaign_id AND c.state IN ('sending', 'paused', 'cancelled') "
            "AND d.state = 'sending' AND d.claimed_at < now() - make_interval(secs => %s)", [lease])
        count = cursor.rowcount
    if count:
        logger.warning("CRM: %s campaign mails of unknown fate (worker lost); reported, not resent", count)
    return count


def dispatch() -> dict:
    """The periodic pass: reconcile lost claims, start due campaigns, resume or finish sending ones."""
    lost = reconcile_lost_claims()
    started = []
    due = Campaign.objects.filter(state=CampaignState.SCHEDULED, scheduled_at__lte=timezone.now())
    for campaign_id in due.values_list("pk", flat=True):
        if start_campaign(campaign_id):
            started.append(campaign_id)
    resumed, finished = [], []
    for campaign_id in Campaign.objects.filter(state=CampaignState.SENDING).exclude(
            pk__in=started).values_list("pk", flat=True):
        if finish_if_done(campaign_id):
            finished.append(campaign_id)
        else:
            _send_later(campaign_id, "dispatcher: queued mails left")
            resumed.append(campaign_id)
    return {"unknown": lost, "started": started, "resumed": resumed, "finished": finished}


def campaign_totals(campaign_id: int) -> dict:
    """Recipients by delivery state and skipped ones by reason."""
    totals = {state: 0 for state in ("queued", "sending", "sent", "skipped", "failed", "unknown", "cancelled")}
    by_reason: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, skip_reason, count(*) FROM crm_delivery WHERE campaign_id = %s GROUP BY 1, 2",
                       [campaign_id])
        for state, reason, count in cursor.fetchall():
            totals[state] = totals.get(state, 0) + count
            if state == "skipped":
                by_reason[reason] = count
    return {"recipients": sum(totals.values()), **totals, "skipped_by_reason": by_reason}


def _send_later(campaign_id: int, reason: str) -> None:
    send_task(CAMPAIGN_SEND_TASK, reason, args=(campaign_id,))
