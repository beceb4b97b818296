from django.db import models

from ..date_range import in_range_sql

# The one rule for which orders count (towards order counts, revenue,
# first/last order, favourites, analytics, training and segments): every order
# unless one of these flags is on. ``placed_count`` and the cancelled/refunded
# counts still see every order.
NOT_COUNTED_FLAGS = ("is_cancelled", "is_expired", "is_fully_refunded")


def counted_sql(alias: str | None = "o") -> str:
    """The counting rule as a SQL condition on ``crm_order`` (under ``alias``; ``None`` for bare columns)."""
    prefix = f"{alias}." if alias else ""
    return "NOT (" + " OR ".join(prefix + flag for flag in NOT_COUNTED_FLAGS) + ")"


def readable_counted_sql(alias: str | None = "o") -> str:
    """Orders that count *and* whose date lies in the sane range: what training, scores and best-sellers read.

    An order stored before dates were range-checked would break their date
    arithmetic; they leave it out (and report it, see ``profiles.metrics``).
    """
    prefix = f"{alias}." if alias else ""
    return f"{in_range_sql(prefix + 'placed_at')} AND {counted_sql(alias)}"


class CRMOrder(models.Model):
    """The CRM's copy of one shop order (the fact profiles are built from).

    Snapshot fields follow the newest source version (``source_updated_at``,
    ties broken by ``version_key``); the ``is_*`` flags only ever turn on, so
    events can be folded in any order.
    """

    order_id = models.CharField(max_length=64)
    number = models.CharField(max_length=64, blank=True, default="")
    # No DB-level constraint on hot fact tables: the fold writes them in one
    # transaction from ids it just resolved, and RI triggers per row cost
    # a large share of fold time (bench/ingest.py).
    profile = models.ForeignKey(
        "CustomerProfile", null=True, on_delete=models.SET_NULL, related_name="orders", db_constraint=False,
        db_index=False,  # crm_order_profile_idx covers it
    )
    user_id = models.BigIntegerField(null=True, blank=True)
    email = models.CharField(max_length=254, null=True, blank=True)
    channel = models.CharField(max_length=255, blank=True, default="")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=32, blank=True, default="")
    total_gross = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    total_net = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    lines_count = models.PositiveIntegerField(default=0)
    placed_at = models.DateTimeField()
    checkout_token = models.CharField(max_length=64, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="", db_default="")
    phone = models.CharField(max_length=32, blank=True, default="", db_default="")  # billing, else shipping
    source_updated_at = models.DateTimeField()
    version_key = models.CharField(max_length=64)
    is_paid = models.BooleanField(default=False)
    is_fulfilled = models.BooleanField(default=False)
    # The first version that showed it fulfilled (its update time): what "N days after fulfilment" counts from.
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    is_cancelled = models.BooleanField(default=False)
    is_expired = models.BooleanField(default=False)
    is_refunded = models.BooleanField(default=False)
    is_fully_refunded = models.BooleanField(default=False)

    class Meta:
        db_table = "crm_order"
        constraints = [models.UniqueConstraint(fields=["order_id"], name="crm_order_order_id_uniq")]
        indexes = [
            models.Index(fields=["profile", "placed_at"], name="crm_order_profile_idx"),
            models.Index(fields=["fulfilled_at"], name="crm_order_fulfilled_idx",
                         condition=models.Q(fulfilled_at__isnull=False)),
            models.Index(fields=["number"], name="crm_order_number_idx"),  # the staff search by order number
        ]

    @property
    def counts(self) -> bool:
        """Whether this order counts towards orders and revenue."""
        return not any(getattr(self, flag) for flag in NOT_COUNTED_FLAGS)


class CRMOrderLine(models.Model):
    order = models.ForeignKey(CRMOrder, on_delete=models.CASCADE, related_name="lines", db_constraint=False)
    line_id = models.CharField(max_length=64, blank=True, default="")
    product_id = models.BigIntegerField(null=True, blank=True)
    variant_id = models.CharField(max_length=64, blank=True, default="")
    product_name = models.CharField(max_length=386, blank=True, default="")
    variant_name = models.CharField(max_length=255, blank=True, default="")
    sku = models.CharField(max_length=255, blank=True, default="")
    category = models.CharField(max_length=250, blank=True, default="")
    quantity = models.IntegerField()
    unit_price = models.DecimalField(max_digits=20, decimal_places=3, default=0)
    total_price = models.DecimalField(max_digits=20, decimal_places=3, default=0)

    class Meta:
        db_table = "crm_order_line"
        indexes = [models.Index(fields=["product_id"], name="crm_order_line_product_idx")]
