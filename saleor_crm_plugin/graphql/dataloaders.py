"""Per-request dataloaders: a page of customers costs a fixed number of queries."""

from collections import defaultdict

from django.db.models import F, OuterRef, Subquery
from promise import Promise
from promise.dataloader import DataLoader

from ..campaigns.consent import histories_of
from ..models import (
    CRMOrder, CRMOrderLine, CustomerAnalytics, CustomerNote, CustomerPropensity, CustomerSpend, ProductSnapshot,
    PropensityRun, Segment,
)
from ..models.support import ServiceMessage
from ..profiles.timeline import raw_timelines, timelines
from ..support.satisfaction import customers_satisfaction


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


class Limited(DataLoader):
    """``fetch(keys, limit=…)`` → ``{key: value}``: one call for every key asked in a request (timelines,
    satisfaction, consent history…; each key's part at most ``limit`` rows)."""

    def __init__(self, fetch, limit: int):
        super().__init__()
        self.fetch, self.limit = fetch, limit

    def batch_load_fn(self, keys):
        found = self.fetch(list(keys), limit=self.limit)
        return Promise.resolve([found[key] for key in keys])


def thread_messages(request_ids, *, limit: int) -> dict[int, list[ServiceMessage]]:
    """The first ``limit`` messages of each service request, oldest first, in one query."""
    found: dict[int, list[ServiceMessage]] = {pk: [] for pk in request_ids}
    for message in ServiceMessage.objects.raw(
            "SELECT m.* FROM unnest(%s::bigint[]) AS r(id) CROSS JOIN LATERAL (SELECT * FROM crm_service_message s "
            "WHERE s.request_id = r.id ORDER BY s.created_at, s.id LIMIT %s) m ORDER BY m.request_id, m.created_at, "
            "m.id", [list(request_ids), limit]):
        found[message.request_id].append(message)
    return found


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
        self._limited = {}

    def recent_orders(self, limit: int) -> RecentOrdersByProfile:
        if limit not in self._orders:
            self._orders[limit] = RecentOrdersByProfile(limit)
        return self._orders[limit]

    def _limited_loader(self, fetch, limit: int) -> Limited:
        if (fetch, limit) not in self._limited:
            self._limited[fetch, limit] = Limited(fetch, limit)
        return self._limited[fetch, limit]

    def timeline(self, limit: int, raw: bool = False) -> Limited:
        """Each customer's newest ``limit`` timeline entries, in words or (``raw``) as the events came
        (profiles.timeline: ``QUERIES_PER_PAGE`` queries a page, 7)."""
        return self._limited_loader(raw_timelines if raw else timelines, limit)

    def satisfaction(self, limit: int) -> Limited:
        """Each customer's latest CSAT/NPS and ``limit`` answers (2 queries a page)."""
        return self._limited_loader(customers_satisfaction, limit)

    def consent_history(self, limit: int) -> Limited:
        """Each customer's newest ``limit`` consent changes (1 query a page)."""
        return self._limited_loader(histories_of, limit)

    def messages(self, limit: int) -> Limited:
        """The first ``limit`` messages of each service request (1 query a page)."""
        return self._limited_loader(thread_messages, limit)
