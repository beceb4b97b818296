"""Per-request dataloaders: a page of customers costs a fixed number of queries."""

from collections import defaultdict

from django.db.models import F
from promise import Promise
from promise.dataloader import DataLoader

from ..models import (
    CRMOrder, CRMOrderLine, CustomerAnalytics, CustomerNote, CustomerSpend, Segment,
)


class _Loader(DataLoader):
    def batch_load_fn(self, keys):
        found = self.load_many_by_key(list(keys))
        return Promise.resolve([found.get(key, self.missing) for key in keys])

    missing = None


class SpendByProfile(_Loader):
    missing = []

    def load_many_by_key(self, keys):
        grouped = defaultdict(list)
        for spend in CustomerSpend.objects.filter(profile_id__in=keys).order_by("currency"):
            grouped[spend.profile_id].append(spend)
        return grouped


class NotesByProfile(_Loader):
    missing = []

    def load_many_by_key(self, keys):
        grouped = defaultdict(list)
        for note in CustomerNote.objects.filter(profile_id__in=keys).order_by("-created_at", "-pk"):
            grouped[note.profile_id].append(note)
        return grouped


class AnalyticsByProfile(_Loader):
    missing = []

    def load_many_by_key(self, keys):
        grouped = defaultdict(list)
        for row in CustomerAnalytics.objects.filter(profile_id__in=keys).order_by("currency"):
            grouped[row.profile_id].append(row)
        return grouped


class SegmentsByProfile(_Loader):
    missing = []

    def load_many_by_key(self, keys):
        grouped = defaultdict(list)
        for segment in Segment.objects.filter(members__profile_id__in=keys).annotate(
                member=F("members__profile_id")).order_by("name"):
            grouped[segment.member].append(segment)
        return grouped


class RecentOrdersByProfile(DataLoader):
    """The newest ``limit`` orders of each profile, with their lines, in two queries."""

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


class LinesByOrder(_Loader):
    """Order lines, for every order of the request in one query (only when lines are asked for)."""

    missing = []

    def load_many_by_key(self, keys):
        grouped = defaultdict(list)
        for line in CRMOrderLine.objects.filter(order_id__in=keys).order_by("pk"):
            grouped[line.order_id].append(line)
        return grouped


class Loaders:
    """Created once per request (``info.context.crm_loaders``)."""

    def __init__(self):
        self.spend = SpendByProfile()
        self.notes = NotesByProfile()
        self.lines = LinesByOrder()
        self.analytics = AnalyticsByProfile()
        self.segments = SegmentsByProfile()
        self._orders = {}

    def recent_orders(self, limit: int) -> RecentOrdersByProfile:
        if limit not in self._orders:
            self._orders[limit] = RecentOrdersByProfile(limit)
        return self._orders[limit]
