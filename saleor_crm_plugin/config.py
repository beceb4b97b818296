"""CRM settings, read through one function.

Order of precedence for every setting ``name``:

1. ``settings.SALEOR_CRM[name]`` in the Django settings module (deployment
   pins, also what the tests use);
2. the value saved in the Saleor Dashboard for the CRM plugin (mirrored into
   our own ``CRMSetting`` table when the plugin configuration is saved, so the
   core never reads Saleor's tables);
3. the default declared in ``DEFAULTS``.
"""

from dataclasses import dataclass

from django.conf import settings as django_settings


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: int
    label: str
    help_text: str
    minimum: int = 1
    maximum: int = 10**7


SPECS = {
    spec.name: spec
    for spec in [
        SettingSpec(
            "abandoned_checkout_minutes",
            60,
            "Abandoned checkout delay (minutes)",
            "A checkout with lines that has not changed for this many minutes "
            "and was not completed counts as abandoned.",
        ),
        SettingSpec(
            "sweep_after_seconds",
            30,
            "Sweeper grace period (seconds)",
            "Outbox rows still pending after this many seconds are folded by "
            "the periodic sweeper (covers a broker that was down or a worker "
            "that crashed).",
            minimum=0,
        ),
        SettingSpec(
            "sweep_interval_seconds",
            60,
            "Sweeper interval (seconds)",
            "How often Celery beat runs the sweeper. Read from Django settings "
            "at start-up only, because beat reads its schedule once.",
        ),
        SettingSpec(
            "fold_batch_size",
            1000,
            "Fold batch size",
            "How many outbox rows are folded into profiles per transaction.",
            maximum=50_000,
        ),
        SettingSpec(
            "favourite_limit",
            5,
            "Favourites per profile",
            "How many favourite products and categories a profile keeps.",
            maximum=100,
        ),
        SettingSpec(
            "recommendation_refresh_seconds",
            10,
            "Recommendation refresh (seconds)",
            "How often each server process checks for a newly trained "
            "recommendation version or a changed catalog.",
            minimum=0,
            maximum=3600,
        ),
        SettingSpec(
            "repeat_purchase_min_percent",
            10,
            "Repeat-purchase threshold (%)",
            "Products a customer already bought are recommended to them again "
            "only in categories where at least this share of purchases are "
            "repeats (groceries, consumables). SALEOR_CRM['repeat_purchase_categories'] "
            "overrides it per category.",
            minimum=0,
            maximum=100,
        ),
        SettingSpec(
            "churn_horizon_days",
            90,
            "Churn horizon (days)",
            "Churn risk is the probability that a customer places no order "
            "within this many days.",
            maximum=3650,
        ),
        SettingSpec(
            "auto_train_min_orders",
            20,
            "Orders before the first training",
            "Until the recommendation models are first trained, recommendations "
            "are best-sellers and content similarity. Once the shop has this "
            "many orders and no trained model, the first training starts by "
            "itself (a backfill also starts one); later ones run nightly.",
            maximum=10**6,
        ),
        SettingSpec(
            "training_hour",
            3,
            "Nightly training hour (UTC)",
            "Hour at which Celery beat retrains the recommendation models. "
            "Read at start-up only.",
            minimum=0,
            maximum=23,
        ),
    ]
}


def get_setting(name: str, *, use_database: bool = True) -> int:
    """Return the effective value of CRM setting ``name`` (see module doc)."""
    spec = SPECS[name]
    pinned = getattr(django_settings, "SALEOR_CRM", {}) or {}
    if name in pinned:
        return int(pinned[name])
    if use_database:
        # Imported here, not at the top: Saleor imports plugin.py (and so this
        # module) while it builds its plugin list, possibly before the app
        # registry is ready to import models.
        from .models import CRMSetting

        stored = CRMSetting.objects.filter(name=name).values_list("value", flat=True).first()
        if stored is not None:
            return int(stored)
    return spec.default


def validate_value(name: str, value) -> int:
    """Parse and range-check one setting; raise ValueError with a readable message."""
    spec = SPECS[name]
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{spec.label} must be a whole number.") from None
    if not spec.minimum <= number <= spec.maximum:
        raise ValueError(
            f"{spec.label} must be between {spec.minimum} and {spec.maximum}."
        )
    return number
