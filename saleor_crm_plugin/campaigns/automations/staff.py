"""What staff do with automations: see them with their figures, configure them, switch them on and off."""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from ...error_codes import CampaignErrorCode
from ...errors import CRMError
from ...models import Automation, AutomationStep, EmailTemplate
from ...normalized.fields import CHANNEL_RE
from ...text import has_control_characters, is_storable_text
from ..consent import validate_email
from .kinds import KINDS, clean_options

MAX_DELAY_SECONDS = 365 * 24 * 3600
MAX_CHANNELS = 50

STATS_SQL = """
SELECT r.step, r.state, r.reason, COALESCE(d.state, ''), COALESCE(d.skip_reason, ''), count(*)
FROM crm_automation_run r LEFT JOIN crm_delivery d ON d.run_id = r.id
WHERE r.automation_id = %s GROUP BY 1, 2, 3, 4, 5
"""


@dataclass
class StepStats:
    """One step's runs: scheduled, cancelled by reason, and its mails by delivery state (skips by reason)."""

    automation_id: int
    position: int
    scheduled: int = 0
    cancelled: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    mails: dict = field(default_factory=dict)  # delivery state -> count (queued, sending, sent, failed, unknown)

    @property
    def sent(self) -> int:
        return self.mails.get("sent", 0)


def ensure_defaults() -> None:
    """Each kind's automation and default steps, switched off, where missing (migration 0013 makes them too;
    a database emptied since, as between tests, gets them back)."""
    if Automation.objects.count() >= len(KINDS):
        return
    for kind, spec in KINDS.items():
        automation, _ = Automation.objects.get_or_create(kind=kind)
        for step in spec.steps:
            AutomationStep.objects.get_or_create(automation=automation, position=step.position, defaults={
                "delay_seconds": step.delay_seconds, "enabled": step.enabled})


def automations() -> list[Automation]:
    """Every automation with its steps, in the order of ``kinds.KINDS``."""
    ensure_defaults()
    order = list(KINDS)
    rows = Automation.objects.prefetch_related("steps__template")
    return sorted(rows, key=lambda a: order.index(a.kind) if a.kind in order else len(order))


def by_kind(kind: str) -> Automation:
    ensure_defaults()
    automation = Automation.objects.filter(kind=kind).first()
    if automation is None:
        raise CRMError(CampaignErrorCode.NOT_FOUND, f"No automation {kind!r}.", "kind")
    return automation


def stats(automation: Automation) -> list[StepStats]:
    """Per step: what became of its runs and of their mails."""
    steps = {s.position: StepStats(automation.pk, s.position) for s in automation.steps.all()}
    with connection.cursor() as cursor:
        cursor.execute(STATS_SQL, [automation.pk])
        for position, state, reason, mail_state, skip_reason, count in cursor.fetchall():
            step = steps.setdefault(position, StepStats(automation.pk, position))
            if state == "scheduled":
                step.scheduled += count
            elif state == "cancelled":
                step.cancelled[reason] = step.cancelled.get(reason, 0) + count
            elif state == "skipped" or mail_state == "skipped":
                key = reason or skip_reason
                step.skipped[key] = step.skipped.get(key, 0) + count
            elif mail_state:
                step.mails[mail_state] = step.mails.get(mail_state, 0) + count
    return [steps[p] for p in sorted(steps)]


def _check_hour(name: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        raise CRMError(CampaignErrorCode.OUT_OF_RANGE, f"{name} is an hour from 0 to 23.", name)
    return value


def configure(kind: str, *, enabled: bool | None = None, channels: list[str] | None = None,
              options: dict | None = None, quiet_start=..., quiet_end=..., from_name: str | None = None,
              from_email: str | None = None, reply_to: str | None = None,
              steps: list[dict] | None = None) -> Automation:
    """Change what is given (``...``/None: unchanged); switching on starts from now: history is never mailed.

    ``steps``: ``[{"position", "enabled", "delay_seconds", "template_id"}]``, each key optional but the position.
    """
    ensure_defaults()
    with transaction.atomic():
        automation = Automation.objects.select_for_update().filter(kind=kind).first()
        if automation is None:
            raise CRMError(CampaignErrorCode.NOT_FOUND, f"No automation {kind!r}.", "kind")
        if channels is not None:
            if len(channels) > MAX_CHANNELS or not all(isinstance(c, str) and CHANNEL_RE.fullmatch(c)
                                                       for c in channels):
                raise CRMError(CampaignErrorCode.INVALID_CHANNEL,
                               f"Channels are up to {MAX_CHANNELS} channel slugs.", "channels")
            automation.channels = sorted(set(channels))
        if options is not None:
            automation.options = {**automation.options, **clean_options(kind, options)}
        if quiet_start is not ...:
            automation.quiet_start = _check_hour("quietStart", quiet_start)
        if quiet_end is not ...:
            automation.quiet_end = _check_hour("quietEnd", quiet_end)
        if (automation.quiet_start is None) != (automation.quiet_end is None):
            raise CRMError(CampaignErrorCode.REQUIRED, "Quiet hours need both a start and an end.", "quietEnd")
        if from_name is not None:
            if not is_storable_text(from_name):
                raise CRMError(CampaignErrorCode.INVALID, "This text cannot be stored.", "fromName")
            if has_control_characters(from_name.strip()):  # it becomes the From header
                raise CRMError(CampaignErrorCode.INVALID,
                               "The sender name may not hold line breaks or other control characters.", "fromName")
            if len(from_name) > 120:
                raise CRMError(CampaignErrorCode.OUT_OF_RANGE, "The sender name holds at most 120 characters.",
                               "fromName")
            automation.from_name = from_name.strip()
        for name, field, value in (("from_email", "fromEmail", from_email), ("reply_to", "replyTo", reply_to)):
            if value is not None:
                try:
                    setattr(automation, name, validate_email(value) if value.strip() else "")
                except CRMError as error:
                    raise CRMError(error.code, error.message, field) from None
        for change in steps or []:
            _configure_step(automation, change)
        if enabled is not None and enabled != automation.enabled:
            automation.enabled = enabled
            if enabled:
                automation.enabled_at = timezone.now()
                first = automation.steps.filter(position=1).first()
                if first is None or first.template_id is None:
                    raise CRMError(CampaignErrorCode.REQUIRED, "Choose the first step's template before switching "
                                   "the automation on.", "steps.1.templateId")
        automation.updated_at = timezone.now()
        automation.save()
    return automation


def _configure_step(automation: Automation, change: dict) -> None:
    position = change.get("position")
    step = automation.steps.filter(position=position).first() if isinstance(position, int) else None
    if step is None:
        raise CRMError(CampaignErrorCode.NOT_FOUND, f"{automation.kind} has no step {position!r}.",
                       f"steps.{position}.position")
    if change.get("delay_seconds") is not None:
        delay = change["delay_seconds"]
        if isinstance(delay, bool) or not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY_SECONDS:
            raise CRMError(CampaignErrorCode.OUT_OF_RANGE, f"A step's delay is 0 to {MAX_DELAY_SECONDS} seconds.",
                           f"steps.{position}.delaySeconds")
        step.delay_seconds = delay
    if "template_id" in change:
        template_id = change["template_id"]
        if template_id is not None and not EmailTemplate.objects.filter(pk=template_id).exists():
            raise CRMError(CampaignErrorCode.NOT_FOUND, "No such email template.", f"steps.{position}.templateId")
        step.template_id = template_id
    if change.get("enabled") is not None:
        step.enabled = bool(change["enabled"])
    step.save()
