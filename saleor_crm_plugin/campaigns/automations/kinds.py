"""What each kind of automation does by default, and which options staff may tune."""

from dataclasses import dataclass

from ...errors import CRMError
from ...error_codes import CampaignErrorCode
from ...models import AutomationKind

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class StepDefault:
    position: int
    delay_seconds: int
    enabled: bool = True


@dataclass(frozen=True)
class OptionSpec:
    name: str
    default: float | str
    help: str
    minimum: float = 0
    maximum: float = 10**6
    choices: tuple = ()


@dataclass(frozen=True)
class KindSpec:
    kind: str
    title: str
    trigger: str  # what fires it, for staff
    steps: tuple[StepDefault, ...]
    options: tuple[OptionSpec, ...] = ()


MAX_AGE_DAYS = OptionSpec("max_age_days", 30, "Triggers older than this many days are never acted on.", 1, 3650)

KINDS = {
    spec.kind: spec
    for spec in [
        KindSpec(
            AutomationKind.ABANDONED_CHECKOUT, AutomationKind.ABANDONED_CHECKOUT.label,
            "A checkout with lines, idle for the first step's delay, not completed and no order since.",
            (StepDefault(1, HOUR), StepDefault(2, DAY, enabled=False)),
            (OptionSpec("max_age_days", 3, "Carts idle longer than this when first seen are not reminded of.", 1, 90),),
        ),
        KindSpec(
            AutomationKind.POST_PURCHASE, AutomationKind.POST_PURCHASE.label,
            "An order fulfilled the step's delay ago: thanks, and this customer's recommendations.",
            (StepDefault(1, 7 * DAY),), (MAX_AGE_DAYS,),
        ),
        KindSpec(
            AutomationKind.WIN_BACK, AutomationKind.WIN_BACK.label,
            "A customer whose churn risk reaches the threshold, or who is overdue against their own next-order "
            "date; once per lapse (a new order starts a new one).",
            (StepDefault(1, 0),),
            (OptionSpec("churn_risk", 0.7, "Churn risk (0-1) from which a customer has lapsed.", 0.01, 1),
             OptionSpec("overdue_days", 30, "Days past the expected next order from which a customer has lapsed.",
                        1, 3650)),
        ),
        KindSpec(
            AutomationKind.WELCOME, AutomationKind.WELCOME.label,
            "A subscription confirmed (or made) in a channel, or an account created; once per customer.",
            (StepDefault(1, 0),),
        ),
        KindSpec(
            AutomationKind.SATISFACTION_SURVEY, AutomationKind.SATISFACTION_SURVEY.label,
            "An order fulfilled the step's delay ago: a CSAT (1-5) or NPS (0-10) question answered by a click.",
            (StepDefault(1, 3 * DAY),),
            (OptionSpec("scale", "csat", "csat (1-5) or nps (0-10).", choices=("csat", "nps")), MAX_AGE_DAYS),
        ),
    ]
}


def option(automation, name: str):
    """The automation's value of option ``name``, else its default."""
    spec = next(o for o in KINDS[automation.kind].options if o.name == name)
    return automation.options.get(name, spec.default)


def clean_options(kind: str, values: dict) -> dict:
    """Check staff's options for ``kind``; raise a coded error naming the first bad one."""
    specs = {o.name: o for o in KINDS[kind].options}
    cleaned = {}
    for name, value in (values or {}).items():
        spec = specs.get(name)
        if spec is None:
            raise CRMError(CampaignErrorCode.INVALID, f"{kind} has no option {name!r}.", f"options.{name}")
        if spec.choices:
            if value not in spec.choices:
                raise CRMError(CampaignErrorCode.INVALID, f"{name} must be one of {', '.join(spec.choices)}.",
                               f"options.{name}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                spec.minimum <= value <= spec.maximum):
            raise CRMError(CampaignErrorCode.OUT_OF_RANGE,
                           f"{name} must be a number from {spec.minimum:g} to {spec.maximum:g}.", f"options.{name}")
        cleaned[name] = value
    return cleaned
