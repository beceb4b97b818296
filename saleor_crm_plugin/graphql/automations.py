"""Staff: the automations, each with its steps, options, quiet hours and figures per step."""

import graphene

from ..campaigns import attribution, tracking
from ..campaigns.automations import staff
from ..campaigns.automations.kinds import KINDS, option
from ..models import AutomationKind
from .campaign_types import CRMAttributed, CRMCampaignFunnel
from .ids import global_id
from .permissions import require_staff


class CRMAutomationKind(graphene.Enum):
    """What an automation follows up on."""

    ABANDONED_CHECKOUT = "abandoned_checkout"
    POST_PURCHASE = "post_purchase"
    WIN_BACK = "win_back"
    WELCOME = "welcome"
    SATISFACTION_SURVEY = "satisfaction_survey"


class CRMAutomationOption(graphene.ObjectType):
    name = graphene.String(required=True)
    value = graphene.String(required=True, description="The number or choice in force (as text).")
    help = graphene.String(required=True)
    choices = graphene.List(graphene.NonNull(graphene.String), required=True,
                            description="The values it takes; empty for a number.")
    minimum = graphene.Float(description="For a number: the least it may be.")
    maximum = graphene.Float(description="For a number: the most it may be.")


class CRMCount(graphene.ObjectType):
    """How many, for one reason or state."""

    key = graphene.String(required=True)
    count = graphene.Int(required=True)


def _counts(values: dict) -> list[CRMCount]:
    return [CRMCount(key=k, count=v) for k, v in sorted(values.items())]


class CRMAutomationStepStats(graphene.ObjectType):
    scheduled = graphene.Int(required=True, description="Runs waiting for their time.")
    sent = graphene.Int(required=True)
    mails = graphene.List(graphene.NonNull(CRMCount), required=True,
                          description="Mails by delivery state (queued, sending, sent, failed, unknown).")
    skipped = graphene.List(graphene.NonNull(CRMCount), required=True,
                            description="Runs not mailed by the delivery rules, by reason (no_consent, ...).")
    cancelled = graphene.List(graphene.NonNull(CRMCount), required=True,
                              description="Runs whose trigger no longer held, by reason (ordered, cart_changed, ...).")
    attributed = graphene.List(graphene.NonNull(CRMAttributed), required=True,
                               description="Orders and revenue per currency credited to the step's mails.")
    funnel = graphene.Field(CRMCampaignFunnel, required=True, description="What the step's mails did.")

    @staticmethod
    def resolve_funnel(root, info):
        return CRMCampaignFunnel(**tracking.step_funnel(root.automation_id, root.position))

    @staticmethod
    def resolve_attributed(root, info):
        return attribution.for_automation_step(root.automation_id, root.position)

    @staticmethod
    def resolve_mails(root, info):
        return _counts(root.mails)

    @staticmethod
    def resolve_skipped(root, info):
        return _counts(root.skipped)

    @staticmethod
    def resolve_cancelled(root, info):
        return _counts(root.cancelled)


class CRMAutomationStep(graphene.ObjectType):
    position = graphene.Int(required=True)
    enabled = graphene.Boolean(required=True)
    delay_seconds = graphene.Int(required=True, description="After the trigger (step 2: after step 1's mail).")
    template_id = graphene.ID()
    template_name = graphene.String()
    stats = graphene.Field(CRMAutomationStepStats, required=True)

    @staticmethod
    def resolve_template_id(root, info):
        return global_id("CRMEmailTemplate", root.template_id) if root.template_id else None

    @staticmethod
    def resolve_template_name(root, info):
        return root.template.name if root.template_id else None

    @staticmethod
    def resolve_stats(root, info):
        return root.stats


class CRMAutomation(graphene.ObjectType):
    kind = CRMAutomationKind(required=True)
    title = graphene.String(required=True)
    trigger = graphene.String(required=True, description="What fires it, in words.")
    enabled = graphene.Boolean(required=True)
    enabled_at = graphene.DateTime(description="Triggers from before this moment are never acted on.")
    channels = graphene.List(graphene.NonNull(graphene.String), required=True, description="Empty: every channel.")
    options = graphene.List(graphene.NonNull(CRMAutomationOption), required=True)
    quiet_start = graphene.Int(description="Hour (0-23) in the shop's time zone.")
    quiet_end = graphene.Int()
    from_name = graphene.String(required=True)
    from_email = graphene.String(required=True)
    reply_to = graphene.String(required=True)
    steps = graphene.List(graphene.NonNull(CRMAutomationStep), required=True)

    @staticmethod
    def resolve_title(root, info):
        return AutomationKind(root.kind).label

    @staticmethod
    def resolve_trigger(root, info):
        return KINDS[root.kind].trigger

    @staticmethod
    def resolve_options(root, info):
        return [CRMAutomationOption(name=o.name, value=str(option(root, o.name)), help=o.help, choices=list(o.choices),
                                    minimum=None if o.choices else o.minimum, maximum=None if o.choices else o.maximum)
                for o in KINDS[root.kind].options]

    @staticmethod
    def resolve_steps(root, info):
        stats = {s.position: s for s in staff.stats(root)}
        steps = list(root.steps.all())
        for step in steps:
            step.stats = stats.get(step.position) or staff.StepStats(root.pk, step.position)
        return steps


class AutomationQuery(graphene.ObjectType):
    crm_automations = graphene.List(graphene.NonNull(CRMAutomation), required=True,
                                    description="Every automation with its steps and figures. Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_automations(root, info):
        require_staff(info)
        return staff.automations()
