"""Order-independent snapshots of the CRM state, for comparing two runs."""

from saleor_crm_plugin.models import CRMCheckout, CRMOrder, CustomerProfile, ProductSnapshot

PROFILE_FIELDS = [
    "user_id", "email", "first_name", "last_name", "order_count", "placed_count",
    "cancelled_count", "refunded_count", "first_order_at", "last_order_at",
    "mean_days_between_orders", "favourite_categories", "favourite_products",
    "channels", "open_checkouts", "abandoned_checkouts",
]


def profile_state() -> dict:
    """Profiles keyed by identity, with metrics and per-currency spend."""
    state = {}
    for profile in CustomerProfile.objects.prefetch_related("spend"):
        key = (profile.user_id, profile.email, profile.erased_at is not None)
        state[key] = {
            **{f: getattr(profile, f) for f in PROFILE_FIELDS},
            "spend": sorted(
                (s.currency, s.order_count, s.revenue, s.average_order_value) for s in profile.spend.all()
            ),
        }
    return state


def facts_state() -> dict:
    return {
        "orders": sorted(
            CRMOrder.objects.values_list(
                "order_id", "status", "total_gross", "is_cancelled", "is_paid", "is_refunded", "email"
            )
        ),
        "lines": sorted(CRMOrder.objects.values_list("order_id", "lines__product_id", "lines__quantity")),
        "checkouts": sorted(CRMCheckout.objects.values_list("token", "lines_count", "completed_at", "email")),
        "products": sorted(ProductSnapshot.objects.values_list("product_id", "name", "is_deleted")),
    }
