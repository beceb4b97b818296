"""Per-request dataloaders: a page of customers costs a fixed number of queries."""

from collections import defaultdict

from django.db.models import F, OuterRef, Subquery
from promise import Promise
from promise.dataloader import DataLoader

from ..models import (
    CRMOrder, CRMOrderLine, CustomerAnalytics, CustomerNote, CustomerPropensity, CustomerSpend, ProductSnapshot,
    PropensityRun, Segment,
)


class Grouped(DataLoader):
    """Rows of ``queryset(keys)`` grouped by ``key(row)``: one query for every key asked in a request."""

    def __init__(self, queryset, key):
        super().__init__()
        self.queryset, self.key = queryset, key

    def batch_load_fn(self, keys):
        grouped = defaultdict(list)
        for row in self.queryset(list(keys)):
            grouped[self.key(row)].append(row)
        return Promise.resolve([grouped.get(key, []) for key in keys])


def _by_profile(row):
    return row.profile_id


class RecentOrdersByProfile(DataLoader):
    """The newest ``limit`` orders of each profile, in one query."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def batch_load_fn(self, keys):
        # One index scan per profile (crm_order_profile_idx), however many orders a heavy buyer has.
        orders = list(CRMOrder.objects.raw(
            "SELECT o.* FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN LATERAL ("
            " SELECT * FROM crm_order WHERE profile_id = p.id ORDER BY placed_at DESC, id DESC LIMIT %s) o",
            [list(keys), self.limit],
        ))
        grouped = defaultdict(list)
        for order in sorted(orders, key=lambda o: (o.placed_at, o.pk), reverse=True):
            grouped[order.profile_id].append(order)
        return Promise.resolve([grouped.get(key, []) for key in keys])


class Loaders:
    """Created once per request (``info.context.crm_loaders``)."""

    def __init__(self):
        self.spend = Grouped(lambda ids: CustomerSpend.objects.filter(profile_id__in=ids).order_by("currency"),
                             _by_profile)
        self.notes = Grouped(lambda ids: CustomerNote.objects.filter(profile_id__in=ids).order_by(
            "-created_at", "-pk"), _by_profile)
        self.analytics = Grouped(lambda ids: CustomerAnalytics.objects.filter(profile_id__in=ids).order_by(
            "currency"), _by_profile)
        self.propensity = Grouped(lambda ids: CustomerPropensity.objects.filter(profile_id__in=ids).annotate(
            horizon_days=Subquery(PropensityRun.objects.filter(pk=OuterRef("run_id")).values("horizon_days")[:1])),
            _by_profile)
        self.segments = Grouped(lambda ids: Segment.objects.filter(members__profile_id__in=ids).annotate(
            member=F("members__profile_id")).order_by("name"), lambda segment: segment.member)
        # order lines only when asked for
        self.lines = Grouped(lambda ids: CRMOrderLine.objects.filter(order_id__in=ids).order_by("pk"),
                             lambda line: line.order_id)
        # product names for recommendation lists (the CRM's snapshot of Saleor's catalog)
        self.product_names = Grouped(lambda ids: ProductSnapshot.objects.filter(product_id__in=ids).only(
            "product_id", "name"), lambda product: product.product_id)
        self._orders = {}

    def recent_orders(self, limit: int) -> RecentOrdersByProfile:
        if limit not in self._orders:
            self._orders[limit] = RecentOrdersByProfile(limit)
        return self._orders[limit]
