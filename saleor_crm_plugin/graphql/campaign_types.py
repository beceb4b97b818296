"""Staff types for email templates, campaigns, their deliveries and totals."""

import graphene
from promise import Promise
from promise.dataloader import DataLoader

from ..campaigns.audience import audience_preview
from ..campaigns.sending import campaign_totals
from ..analytics.lift import VERDICTS
from ..config import get_setting
from ..campaigns import attribution, tracking
from ..campaigns.lift import campaign_lift
from ..models import CampaignState, Delivery, DeliveryState, EmailTemplate, Segment, SkipReason
from .ids import decode_id, global_id
from .types import money_field
from .insight_types import CRMSegment
from .pagination import connection, paginate


def _enum(name: str, values, description: str):
    return graphene.Enum(name, [(value.upper(), value) for value in values], description=description)


CRMEmailTemplateFormat = _enum("CRMEmailTemplateFormat", EmailTemplate.Format.values,
                               "How a template's body is written: MJML (compiled to responsive HTML) or HTML.")
CRMCampaignState = _enum("CRMCampaignState", CampaignState.values, "Where a campaign stands.")
CRMDeliveryState = _enum("CRMDeliveryState", DeliveryState.values, "Where one recipient's mail stands.")
CRMSkipReason = _enum("CRMSkipReason", SkipReason.values, "Why a recipient got no mail.")


class CRMEmailTemplate(graphene.ObjectType):
    """A marketing mail's Handlebars sources."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    subject = graphene.String(required=True)
    preheader = graphene.String(required=True)
    body_format = CRMEmailTemplateFormat(required=True)
    body = graphene.String(required=True)
    text = graphene.String(required=True, description="Empty: the text part is derived from the HTML.")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMEmailTemplate", root.pk)


CRMEmailTemplateConnection = connection(CRMEmailTemplate, "CRMEmailTemplateCountable")


class CRMRenderedMail(graphene.ObjectType):
    """A template rendered for one customer, as they would receive it."""

    subject = graphene.String(required=True)
    html = graphene.String(required=True)
    text = graphene.String(required=True)


class CRMSkipCount(graphene.ObjectType):
    reason = CRMSkipReason(required=True)
    count = graphene.Int(required=True)


class CRMCampaignTotals(graphene.ObjectType):
    """Recipients by the state of their mail."""

    recipients = graphene.Int(required=True)
    queued = graphene.Int(required=True)
    sending = graphene.Int(required=True)
    sent = graphene.Int(required=True)
    skipped = graphene.Int(required=True)
    failed = graphene.Int(required=True)
    unknown = graphene.Int(required=True, description="Claimed by a worker that died: maybe sent, never resent.")
    cancelled = graphene.Int(required=True)
    skipped_by_reason = graphene.List(graphene.NonNull(CRMSkipCount), required=True)

    @staticmethod
    def resolve_skipped_by_reason(root, info):
        return [CRMSkipCount(reason=reason, count=count)
                for reason, count in sorted(root.skipped_by_reason.items()) if count]


CRMDeliveryReports = graphene.Enum("CRMDeliveryReports", [
    ("RECEIVED", tracking.REPORTS_RECEIVED), ("AWAITED", tracking.REPORTS_AWAITED),
    ("NOT_REPORTED", tracking.NOT_REPORTED),
], description="Whether the mail provider reported what became of the mails (delivered, opened, bounced, "
   "complained): RECEIVED (at least one report came in), AWAITED (the provider's tracking webhook is set up, none "
   "came in yet), NOT_REPORTED (the provider reports nothing: SMTP, or no tracking webhook; those counts are "
   "unknown, not zero). Clicks go through the CRM's own links and are counted with any provider.")


class CRMCampaignFunnel(graphene.ObjectType):
    """What the campaign's mails did, as the ESP's webhook and our click links report it (each mail once per step)."""

    delivery_reports = CRMDeliveryReports(required=True, description=(
        "Whether delivered, opened, bounced, deferred, rejected, complained and unsubscribed are known: with "
        "NOT_REPORTED they read 0 because nobody reports them; rate them against sent only with RECEIVED."))

    delivered = graphene.Int(required=True)
    opened = graphene.Int(required=True, description="Unreliable: mail privacy proxies open every mail.")
    clicked = graphene.Int(required=True, description="Mails with at least one click.")
    bounced = graphene.Int(required=True, description="Hard bounces.")
    deferred = graphene.Int(required=True, description="Soft bounces (the ESP kept trying).")
    rejected = graphene.Int(required=True)
    complained = graphene.Int(required=True)
    unsubscribed = graphene.Int(required=True)


class CRMAttributed(graphene.ObjectType):
    """Orders credited to a mail (the last one clicked before each, within the attribution window), per currency."""

    currency = graphene.String(required=True)
    orders = graphene.Int(required=True)
    revenue = money_field("revenue")


class CRMCampaignHealth(graphene.ObjectType):
    """Hard bounces and complaints over the latest sent mails; past the limits the campaign pauses itself."""

    window = graphene.Int(required=True, description="Sent mails looked at (the latest, up to health_window).")
    bounced = graphene.Int(required=True)
    complained = graphene.Int(required=True)
    bounce_rate = graphene.Float(required=True)
    complaint_rate = graphene.Float(required=True)
    bounce_rate_max = graphene.Float(required=True, description="The bounce rate that pauses it (a share).")
    complaint_rate_max = graphene.Float(required=True, description="The complaint rate that pauses it (a share).")
    minimum_sample = graphene.Int(required=True, description="Sent mails needed before it can pause.")


CRMLiftVerdict = _enum("CRMLiftVerdict", VERDICTS, "What the holdout comparison can say: TOO_SMALL (too few "
                       "customers or orders to tell), POSITIVE or NEGATIVE (the 95% interval excludes no effect), "
                       "NO_CLEAR_EFFECT.")


class CRMInterval(graphene.ObjectType):
    """An estimate and its 95% interval."""

    estimate = graphene.Float(required=True)
    low = graphene.Float(required=True)
    high = graphene.Float(required=True)


class CRMLiftComparison(graphene.ObjectType):
    """A per-recipient figure, mailed customers against the holdout."""

    mailed_per_recipient = graphene.Float(required=True)
    holdout_per_recipient = graphene.Float(required=True)
    difference = graphene.Field(CRMInterval, description="Mailed − holdout, per recipient; null when a group "
                                "is empty.")
    relative = graphene.Field(CRMInterval, description="Mailed / holdout − 1 (0.12: 12% more); null when either "
                              "figure is zero.")
    verdict = CRMLiftVerdict(required=True)

    @staticmethod
    def resolve_mailed_per_recipient(root, info):
        return root.mailed_mean

    @staticmethod
    def resolve_holdout_per_recipient(root, info):
        return root.holdout_mean


class CRMLiftGroup(graphene.ObjectType):
    recipients = graphene.Int(required=True)
    orders = graphene.Int(required=True, description="Orders that count, in the measured period.")
    buyers = graphene.Int(required=True, description="Recipients with at least one such order.")


class CRMRevenueLift(graphene.ObjectType):
    """Revenue per recipient in one currency, mailed against holdout."""

    currency = graphene.String(required=True)
    mailed_revenue = money_field("mailed_revenue")
    holdout_revenue = money_field("holdout_revenue")
    comparison = graphene.Field(CRMLiftComparison, required=True)


class CRMCampaignLift(graphene.ObjectType):
    """Orders and revenue per recipient of the mailed customers against the campaign's random holdout, from its
    start until the attribution window has passed (every order that counts, clicked or not)."""

    holdout_percent = graphene.Int(required=True)
    window_start = graphene.DateTime(description="The campaign's start; null before it started.")
    window_end = graphene.DateTime()
    final = graphene.Boolean(required=True, description="False while the window runs: provisional figures.")
    mailed = graphene.Field(CRMLiftGroup, required=True)
    holdout = graphene.Field(CRMLiftGroup, required=True)
    orders = graphene.Field(CRMLiftComparison, required=True, description="Orders per recipient.")
    revenue = graphene.List(graphene.NonNull(CRMRevenueLift), required=True, description="Per currency.")


class CRMAudiencePreview(graphene.ObjectType):
    """Who would get a campaign if it started now."""

    recipients = graphene.Int(required=True, description="Customers who would get the mail.")
    skipped_by_reason = graphene.List(graphene.NonNull(CRMSkipCount), required=True,
                                      description="Members who would not, by reason.")

    @staticmethod
    def resolve_skipped_by_reason(root, info):
        return [CRMSkipCount(reason=reason, count=count) for reason, count in sorted(root.skipped_by_reason.items())]


class CRMDelivery(graphene.ObjectType):
    """One recipient of a campaign."""

    customer_id = graphene.ID(required=True, description="The CRMCustomer ID.")
    email = graphene.String(description="The address it went (or would go) to; null when the customer had none.")
    state = CRMDeliveryState(required=True)
    skip_reason = CRMSkipReason()
    attempts = graphene.Int(required=True)
    sent_at = graphene.DateTime()
    message_id = graphene.String(description="The mail's Message-ID header.")
    provider_message_id = graphene.String(description="The provider's id for the mail.")
    error = graphene.String(description="The provider's reason for a failure.")

    @staticmethod
    def resolve_customer_id(root, info):
        return global_id("CRMCustomer", root.profile_id)

    @staticmethod
    def resolve_skip_reason(root, info):
        return root.skip_reason or None

    @staticmethod
    def resolve_message_id(root, info):
        return root.message_id or None

    @staticmethod
    def resolve_provider_message_id(root, info):
        return root.provider_message_id or None

    @staticmethod
    def resolve_error(root, info):
        return root.error or None


CRMDeliveryConnection = connection(CRMDelivery, "CRMDeliveryCountable")


class CRMCampaign(graphene.ObjectType):
    """A marketing mail to the members of segments, minus exclusions, in one channel."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    template = graphene.Field(CRMEmailTemplate, required=True)
    channel = graphene.String(required=True)
    segments = graphene.List(graphene.NonNull(CRMSegment), required=True,
                             description="Segments sent to (a segment deleted since is left out).")
    exclude_segments = graphene.List(graphene.NonNull(CRMSegment), required=True)
    from_name = graphene.String(required=True, description="Empty: the configured sender name.")
    from_email = graphene.String(required=True, description="Empty: the configured sender address.")
    reply_to = graphene.String(required=True)
    state = CRMCampaignState(required=True)
    scheduled_at = graphene.DateTime()
    started_at = graphene.DateTime(description="When the audience was frozen and sending began.")
    finished_at = graphene.DateTime()
    state_changed_at = graphene.DateTime(required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    totals = graphene.Field(CRMCampaignTotals, required=True)
    funnel = graphene.Field(CRMCampaignFunnel, required=True)
    health = graphene.Field(CRMCampaignHealth, required=True)
    pause_reason = graphene.String(required=True, description="Why the CRM paused it by itself; empty otherwise.")
    attributed = graphene.List(graphene.NonNull(CRMAttributed), required=True,
                               description="Orders and revenue per currency credited to it (last click wins).")
    attribution_window_days = graphene.Int(required=True, description="An order this many days at most after a "
                                           "click is credited (setting attribution_window_days).")
    holdout_percent = graphene.Int(required=True, description="Share kept back at random, never mailed (0: none).")
    audience_top_percent = graphene.Int(description="Only this share most likely to respond was mailed; null: all.")
    lift = graphene.Field(CRMCampaignLift, description="Mailed against the holdout; null without a holdout.")
    audience = graphene.Field(
        CRMAudiencePreview, description="A draft's or scheduled campaign's audience if it started now: segments "
        "refreshed, consent, suppression and the frequency cap applied, nothing written. Null once it started.")
    deliveries = graphene.Field(CRMDeliveryConnection, required=True, first=graphene.Int(), after=graphene.String(),
                                state=CRMDeliveryState(), description="Recipients, in the order they were queued.")

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMCampaign", root.pk)

    @staticmethod
    def resolve_template(root, info):
        return root.template

    @staticmethod
    def resolve_segments(root, info):
        return _segments(info, root.segment_ids)

    @staticmethod
    def resolve_exclude_segments(root, info):
        return _segments(info, root.exclude_segment_ids)

    @staticmethod
    def resolve_totals(root, info):
        return CRMCampaignTotals(**campaign_totals(root.pk))

    @staticmethod
    def resolve_funnel(root, info):
        return CRMCampaignFunnel(**tracking.funnel(root.pk))

    @staticmethod
    def resolve_health(root, info):
        return CRMCampaignHealth(**tracking.health(root.pk), **tracking.health_limits())

    @staticmethod
    def resolve_attributed(root, info):
        return attribution.for_campaign(root.pk)

    @staticmethod
    def resolve_attribution_window_days(root, info):
        return get_setting("attribution_window_days")

    @staticmethod
    def resolve_lift(root, info):
        return campaign_lift(root)

    @staticmethod
    def resolve_audience(root, info):
        if root.state not in (CampaignState.DRAFT, CampaignState.SCHEDULED):
            return None
        preview = audience_preview(root)
        return CRMAudiencePreview(recipients=preview["queued"], skipped_by_reason=preview["skipped_by_reason"])

    @staticmethod
    def resolve_deliveries(root, info, first=None, after=None, state=None):
        deliveries = Delivery.objects.filter(campaign_id=root.pk)
        if state is not None:
            deliveries = deliveries.filter(state=state)
        return paginate(deliveries.order_by("pk"), first, after)


CRMCampaignConnection = connection(CRMCampaign, "CRMCampaignCountable")


class SegmentsById(DataLoader):
    """Segments by primary key, one query for every campaign of a page; a deleted one loads as None."""

    def batch_load_fn(self, keys):
        found = Segment.objects.in_bulk(list(keys))
        return Promise.resolve([found.get(key) for key in keys])


def _segments(info, ids):
    loader = getattr(info.context, "crm_segment_loader", None)
    if loader is None:
        loader = info.context.crm_segment_loader = SegmentsById()
    return loader.load_many(list(ids or [])).then(lambda segments: [s for s in segments if s is not None])


def template_pk(value, field: str = "id") -> int:
    """The primary key of a CRMEmailTemplate ID (``INVALID_ID`` for another kind)."""
    return decode_id(value, "CRMEmailTemplate", field)


def campaign_pk(value, field: str = "id") -> int:
    """The primary key of a CRMCampaign ID (``INVALID_ID`` for another kind)."""
    return decode_id(value, "CRMCampaign", field)
