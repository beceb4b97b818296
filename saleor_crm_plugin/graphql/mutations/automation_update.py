import graphene

from ...campaigns.automations.staff import by_kind, configure
from ..automations import CRMAutomation, CRMAutomationKind
from ..campaign_types import template_pk
from ..permissions import require_staff
from .base import CRMMutation


class CRMAutomationStepInput(graphene.InputObjectType):
    position = graphene.Int(required=True, description="1, or 2 for the abandoned checkout's second reminder.")
    enabled = graphene.Boolean()
    delay_seconds = graphene.Int(description="0 to a year.")
    template_id = graphene.ID(description="A CRMEmailTemplate; null takes the template away.")


class CRMAutomationOptionInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    value = graphene.String(required=True, description="A number, or one of the option's choices.")


class CRMAutomationInput(graphene.InputObjectType):
    enabled = graphene.Boolean(description="Switching on starts from now: earlier triggers are never mailed.")
    channels = graphene.List(graphene.NonNull(graphene.String), description="Empty: every channel.")
    options = graphene.List(graphene.NonNull(CRMAutomationOptionInput))
    quiet_start = graphene.Int(description="Hour (0-23), shop time zone; null with quietEnd: no quiet hours.")
    quiet_end = graphene.Int()
    from_name = graphene.String()
    from_email = graphene.String(description="Empty: the configured sender.")
    reply_to = graphene.String()
    steps = graphene.List(graphene.NonNull(CRMAutomationStepInput))


def _option_value(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


class CRMAutomationUpdate(CRMMutation):
    """Configure an automation, switch it on or off. Requires MANAGE_USERS."""

    class Arguments:
        kind = CRMAutomationKind(required=True)
        input = CRMAutomationInput(required=True)

    automation = graphene.Field(CRMAutomation)

    @classmethod
    def perform(cls, info, kind, input):
        require_staff(info)
        kind = getattr(kind, "value", kind)
        changes = {key: input[key] for key in ("enabled", "channels", "from_name", "from_email", "reply_to")
                   if input.get(key) is not None}
        for key in ("quiet_start", "quiet_end"):
            if key in input:
                changes[key] = input[key]
        if input.get("options") is not None:
            changes["options"] = {o["name"]: _option_value(o["value"]) for o in input["options"]}
        if input.get("steps") is not None:
            changes["steps"] = []
            for step in input["steps"]:
                change = {key: step[key] for key in ("position", "enabled", "delay_seconds") if step.get(key) is not None}
                if "template_id" in step:
                    change["template_id"] = None if step["template_id"] is None else template_pk(
                        step["template_id"], f"steps.{step['position']}.templateId")
                changes["steps"].append(change)
        configure(kind, **changes)
        return cls(automation=by_kind(kind), errors=[])
