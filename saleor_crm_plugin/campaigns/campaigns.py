"""A campaign's life: its template and audience are written here, and every change of state.

States: draft → scheduled → sending → sent, with pause (scheduled or
sending → paused), resume (paused → sending when sending had started, else
→ scheduled) and cancel (anything not finished → cancelled). Every change is
one conditional ``UPDATE … WHERE state = <the state read>`` on the row locked
with ``SELECT … FOR UPDATE``, in one transaction: two staff members pausing
and cancelling at once cannot both win, and the sender (which only claims
deliveries of a campaign in ``sending``) sees a pause or a cancel before its
next batch. Tasks are sent only after the transaction commits, so a worker
never looks for a change that is not there yet.

Only a draft can be edited or deleted: once scheduled, what the staff
approved is what goes out.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..error_codes import CampaignErrorCode
from ..errors import CRMError
from ..models import Campaign, CampaignState, CustomerPropensity, Delivery, DeliveryState, EmailTemplate, Segment
from ..schedule import CAMPAIGN_DISPATCH_TASK, CAMPAIGN_SEND_TASK, send_task
from ..text import has_control_characters, is_storable_text
from .consent import validate_channel, validate_email
from .templates import compile_template

MAX_NAME = 120
MAX_SUBJECT = EmailTemplate._meta.get_field("subject").max_length
MAX_PREHEADER = EmailTemplate._meta.get_field("preheader").max_length
MAX_SEGMENTS = 20
# A time a little in the past is "now" (the staff member's clock, the request's travel);
# further back is a mistake worth telling about.
SCHEDULE_GRACE = timedelta(minutes=1)
SCHEDULE_HORIZON = timedelta(days=365)

Code = CampaignErrorCode
TEMPLATE_FIELDS = ("name", "subject", "preheader", "body_format", "body", "text")
CAMPAIGN_FIELDS = ("name", "template_id", "channel", "segment_ids", "exclude_segment_ids", "from_name",
                   "from_email", "reply_to", "holdout_percent", "audience_top_percent")
MAX_HOLDOUT_PERCENT = 50
UNFINISHED = (CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.SENDING, CampaignState.PAUSED)


# --- templates -------------------------------------------------------------------------------------------------

def create_template(*, name=None, subject=None, body=None, preheader="", body_format=EmailTemplate.Format.MJML,
                    text="") -> EmailTemplate:
    """Save a new template after compiling its sources (a syntax error is refused with its line).

    Raises ``CRMError``: ``REQUIRED``/``OUT_OF_RANGE``/``INVALID`` for the
    name and sources, ``DUPLICATE_NAME``, and the compiler's
    ``TEMPLATE_SYNTAX``/``UNKNOWN_HELPER``/``INVALID_MJML``.
    """
    values = _template_values(dict(name=name, subject=subject, body=body, preheader=preheader,
                                   body_format=body_format, text=text))
    with transaction.atomic():
        _check_unique_name(values["name"])
        return _saved(EmailTemplate(**values))


def update_template(template_id: int, **fields) -> EmailTemplate:
    """Change some of a template's fields (the others keep their values); validated as on creation.

    A campaign already sending keeps what it compiled when it started.
    Raises ``CRMError`` ``NOT_FOUND`` and the codes of ``create_template``.
    """
    _only(fields, TEMPLATE_FIELDS)
    with transaction.atomic():
        template = _locked_template(template_id)
        values = _template_values({name: fields.get(name, getattr(template, name)) for name in TEMPLATE_FIELDS})
        _check_unique_name(values["name"], exclude=template.pk)
        for name, value in values.items():
            setattr(template, name, value)
        template.updated_at = timezone.now()
        return _saved(template)


def delete_template(template_id: int) -> None:
    """Delete a template no campaign uses.

    Raises ``CRMError`` ``NOT_FOUND``, or ``INVALID_STATE`` when a campaign
    uses it: a sent campaign keeps pointing at what it sent, and a draft
    cannot lose its template (delete or change the draft first).
    """
    with transaction.atomic():
        template = _locked_template(template_id)
        used = Campaign.objects.filter(template=template).order_by("pk").first()
        if used is not None:
            raise CRMError(Code.INVALID_STATE, f"The campaign {used.name!r} ({used.state}) uses this template.",
                           "id")
        template.delete()


def _template_values(values: dict) -> dict:
    name = _name(values["name"])
    subject = _text(values["subject"], "subject", MAX_SUBJECT, required=True)
    preheader = _text(values["preheader"], "preheader", MAX_PREHEADER)
    if values["body_format"] not in EmailTemplate.Format.values:
        raise CRMError(Code.INVALID, f"The body format is one of {', '.join(EmailTemplate.Format.values)}.",
                       "bodyFormat")
    body = _text(values["body"], "body", None, required=True)
    text = _text(values["text"], "text", None)
    compile_template(subject=subject, preheader=preheader, body=body, body_format=values["body_format"], text=text)
    return dict(name=name, subject=subject, preheader=preheader, body_format=values["body_format"], body=body,
                text=text)


def _check_unique_name(name: str, exclude: int | None = None) -> None:
    others = EmailTemplate.objects.filter(name=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise CRMError(Code.DUPLICATE_NAME, f"A template is already called {name!r}.", "name")


def _saved(template: EmailTemplate) -> EmailTemplate:
    try:
        with transaction.atomic():  # a savepoint: a name taken meanwhile leaves the caller's transaction usable
            template.save()
    except IntegrityError:
        raise CRMError(Code.DUPLICATE_NAME, f"A template is already called {template.name!r}.", "name") from None
    return template


def _locked_template(template_id) -> EmailTemplate:
    template = EmailTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise CRMError(Code.NOT_FOUND, "No such template.", "id")
    return template


# --- campaigns -------------------------------------------------------------------------------------------------

def create_campaign(*, name, template_id, channel, segment_ids, exclude_segment_ids=(), from_name="",
                    from_email="", reply_to="", holdout_percent=0, audience_top_percent=None) -> Campaign:
    """Save a draft campaign: a template, segments to send to and to leave out, one channel, a sender.

    ``holdout_percent`` (0 to 50) of the eligible audience is kept back at random to measure the lift;
    ``audience_top_percent`` (1 to 100, None: everyone) sends only to the customers most likely to respond.

    Raises ``CRMError``: ``REQUIRED``/``OUT_OF_RANGE``/``INVALID`` (name,
    sender name), ``NOT_FOUND`` (template, field ``templateId``),
    ``INVALID_CHANNEL``, ``INVALID_SEGMENT`` (field ``segmentIds`` or
    ``excludeSegmentIds``), ``INVALID_EMAIL`` (``fromEmail``, ``replyTo``), ``OUT_OF_RANGE``
    (``holdoutPercent``, ``audienceTopPercent``).
    """
    values = dict(name=name, template_id=template_id, channel=channel, segment_ids=segment_ids,
                  exclude_segment_ids=exclude_segment_ids, from_name=from_name, from_email=from_email,
                  reply_to=reply_to, holdout_percent=holdout_percent, audience_top_percent=audience_top_percent)
    with transaction.atomic():
        return Campaign.objects.create(**_campaign_values(values))


def update_campaign(campaign_id: int, **changes) -> Campaign:
    """Change some fields of a draft campaign; validated as on creation.

    Raises ``CRMError`` ``NOT_FOUND``, ``INVALID_STATE`` (not a draft) and
    the codes of ``create_campaign``.
    """
    _only(changes, CAMPAIGN_FIELDS)
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        _require_state(campaign, (CampaignState.DRAFT,), "Only a draft can be edited")
        values = _campaign_values({name: changes.get(name, getattr(campaign, name)) for name in CAMPAIGN_FIELDS})
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.updated_at = timezone.now()
        campaign.save()
        return campaign


def delete_campaign(campaign_id: int) -> None:
    """Delete a draft campaign (a campaign that was scheduled is cancelled instead, and kept).

    Raises ``CRMError`` ``NOT_FOUND`` or ``INVALID_STATE``.
    """
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        _require_state(campaign, (CampaignState.DRAFT,), "Only a draft can be deleted")
        campaign.delete()


def _campaign_values(values: dict) -> dict:
    name = _name(values["name"])
    template_id = values["template_id"]
    if (isinstance(template_id, bool) or not isinstance(template_id, int)
            or not EmailTemplate.objects.filter(pk=template_id).exists()):
        raise CRMError(Code.NOT_FOUND, "No such template.", "templateId")
    channel = validate_channel(values["channel"])
    segment_ids = _segment_ids(values["segment_ids"], "segmentIds", required=True)
    exclude_segment_ids = _segment_ids(values["exclude_segment_ids"], "excludeSegmentIds", required=False)
    both = sorted(set(segment_ids) & set(exclude_segment_ids))
    if both:
        raise CRMError(Code.INVALID_SEGMENT, f"Segments {both} are both included and excluded.", "excludeSegmentIds")
    return dict(
        name=name, template_id=template_id, channel=channel, segment_ids=segment_ids,
        exclude_segment_ids=exclude_segment_ids, from_name=_text(values["from_name"], "fromName", MAX_NAME),
        from_email=_email(values["from_email"], "fromEmail"), reply_to=_email(values["reply_to"], "replyTo"),
        holdout_percent=_percent(values["holdout_percent"], "holdoutPercent", 0, MAX_HOLDOUT_PERCENT),
        audience_top_percent=(None if values["audience_top_percent"] is None
                              else _percent(values["audience_top_percent"], "audienceTopPercent", 1, 100)),
    )


def _percent(value, field: str, low: int, high: int) -> int:
    if value is None:
        value = low
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CRMError(Code.OUT_OF_RANGE, f"{field} is a whole number from {low} to {high}.", field)
    return value


def _segment_ids(ids, field: str, *, required: bool) -> list[int]:
    ids = list(dict.fromkeys(ids or ()))  # in the order given, once each
    if required and not ids:
        raise CRMError(Code.INVALID_SEGMENT, "Choose at least one segment.", field)
    if len(ids) > MAX_SEGMENTS:
        raise CRMError(Code.INVALID_SEGMENT, f"At most {MAX_SEGMENTS} segments.", field)
    if any(isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63 for pk in ids):
        raise CRMError(Code.INVALID_SEGMENT, "Segment ids are positive integers.", field)
    missing = sorted(set(ids) - set(Segment.objects.filter(pk__in=ids).values_list("pk", flat=True)))
    if missing:
        raise CRMError(Code.INVALID_SEGMENT, f"No segment with id {', '.join(map(str, missing))}.", field)
    return ids


def _email(value, field: str) -> str:
    if value in (None, ""):
        return ""
    try:
        return validate_email(value)
    except CRMError as error:
        raise CRMError(error.code, error.message, field) from None


def _name(value) -> str:
    return _text(value, "name", MAX_NAME, required=True)


def _text(value, field: str, limit: int | None, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or not is_storable_text(value):
        raise CRMError(Code.INVALID, "This text cannot be stored (NUL characters or lone surrogates).", field)
    if field in ("name", "fromName", "subject"):
        value = value.strip()
    if field == "fromName" and has_control_characters(value):  # it becomes the From header
        raise CRMError(Code.INVALID, "The sender name may not hold line breaks or other control characters.", field)
    if required and not value.strip():
        raise CRMError(Code.REQUIRED, f"{field} is required.", field)
    if limit is not None and len(value) > limit:
        raise CRMError(Code.OUT_OF_RANGE, f"{field} holds at most {limit} characters.", field)
    return value


def _only(fields: dict, allowed: tuple) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(unknown)}")


# --- states ----------------------------------------------------------------------------------------------------

def schedule_campaign(campaign_id: int, at: datetime | None = None) -> Campaign:
    """Schedule a draft to start at ``at`` (now when omitted); the dispatcher starts it when due.

    Raises ``CRMError`` ``NOT_FOUND``, ``INVALID_STATE`` (not a draft),
    ``INVALID`` (a time without a zone), ``OUT_OF_RANGE`` (more than a
    minute past, or more than a year ahead), ``INVALID_SEGMENT`` (a segment
    deleted since the draft was saved), ``NOT_CONFIGURED`` (only the most likely to respond, and no
    customer has a propensity yet).
    """
    now = timezone.now()
    if at is not None:
        if at.tzinfo is None:
            raise CRMError(Code.INVALID, "Give a date-time with a time zone.", "at")
        if at < now - SCHEDULE_GRACE:
            raise CRMError(Code.OUT_OF_RANGE, "This time is in the past.", "at")
        if at > now + SCHEDULE_HORIZON:
            raise CRMError(Code.OUT_OF_RANGE, "A campaign is scheduled at most a year ahead.", "at")
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        _require_state(campaign, (CampaignState.DRAFT,), "Only a draft can be scheduled")
        _segment_ids(campaign.segment_ids, "segmentIds", required=True)
        _segment_ids(campaign.exclude_segment_ids, "excludeSegmentIds", required=False)
        if campaign.audience_top_percent is not None and not CustomerPropensity.objects.exists():
            raise CRMError(Code.NOT_CONFIGURED, "No customer has a response propensity yet (it is computed "
                           "nightly, or with crm_propensity): send to everyone or wait for it.", "audienceTopPercent")
        campaign = _move(campaign, CampaignState.SCHEDULED, now, scheduled_at=at or now)
        _dispatch_when_due(campaign, now)
    return campaign


def pause_campaign(campaign_id: int, reason: str = "") -> Campaign:
    """Stop a scheduled or sending campaign; a batch already handed to the provider finishes.

    ``reason``: why the CRM paused it by itself (shown with its figures); empty when staff pause it.
    Raises ``CRMError`` ``NOT_FOUND`` or ``INVALID_STATE``.
    """
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        _require_state(campaign, (CampaignState.SCHEDULED, CampaignState.SENDING), "Only a scheduled or sending "
                       "campaign can be paused")
        return _move(campaign, CampaignState.PAUSED, timezone.now(), pause_reason=reason)


def resume_campaign(campaign_id: int) -> Campaign:
    """Continue a paused campaign: sending again if it had started, else scheduled as before.

    Raises ``CRMError`` ``NOT_FOUND`` or ``INVALID_STATE``.
    """
    now = timezone.now()
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        _require_state(campaign, (CampaignState.PAUSED,), "Only a paused campaign can be resumed")
        if campaign.started_at is not None:
            campaign = _move(campaign, CampaignState.SENDING, now, pause_reason="")
            campaign_pk = campaign.pk
            transaction.on_commit(lambda: send_task(CAMPAIGN_SEND_TASK, "campaign resumed", args=(campaign_pk,)))
        else:
            campaign = _move(campaign, CampaignState.SCHEDULED, now, pause_reason="")
            _dispatch_when_due(campaign, now)
    return campaign


def cancel_campaign(campaign_id: int) -> Campaign:
    """Stop a campaign for good: every delivery not yet sent becomes ``cancelled``, in the same transaction.

    A delivery a worker already claimed (``sending``) keeps its fate: the
    provider may have it. Raises ``CRMError`` ``NOT_FOUND`` or
    ``INVALID_STATE`` (already sent or cancelled).
    """
    now = timezone.now()
    with transaction.atomic():
        campaign = _locked_campaign(campaign_id)
        _require_state(campaign, UNFINISHED, "A sent or cancelled campaign cannot be cancelled")
        campaign = _move(campaign, CampaignState.CANCELLED, now, finished_at=now)
        Delivery.objects.filter(campaign_id=campaign.pk, state=DeliveryState.QUEUED).update(
            state=DeliveryState.CANCELLED)
    return campaign


def _locked_campaign(campaign_id) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise CRMError(Code.NOT_FOUND, "No such campaign.", "id")
    return campaign


def _require_state(campaign: Campaign, allowed: tuple, message: str) -> None:
    if campaign.state not in allowed:
        raise CRMError(Code.INVALID_STATE, f"{message}; this one is {campaign.state}.", "id")


def _move(campaign: Campaign, state: str, now: datetime, **fields) -> Campaign:
    changed = Campaign.objects.filter(pk=campaign.pk, state=campaign.state).update(
        state=state, state_changed_at=now, updated_at=now, **fields)
    if changed != 1:  # the row is locked, so only a bug could get here; never report a change not made
        raise CRMError(Code.INVALID_STATE, "The campaign changed meanwhile; try again.", "id")
    campaign.refresh_from_db()
    return campaign


def _dispatch_when_due(campaign: Campaign, now: datetime) -> None:
    if campaign.scheduled_at is not None and campaign.scheduled_at <= now:
        transaction.on_commit(lambda: send_task(CAMPAIGN_DISPATCH_TASK, "campaign scheduled"))
