"""Serving: recommendations for a customer, a product or a cart, in a channel.

Every function returns at most ``limit`` ``Recommendation``s (Saleor product
id, score, reason), best first, and only products published and available in
``channel`` now. Results come from the in-memory serving store (no query per
call, apart from the store's periodic freshness check and a cart looked up by
checkout token). When the trained lists run short the rest is filled with
what sells in the channel: in the customer's or product's category first,
then overall.

Before the first training (no active bundle) every kind still answers, from
``cold_start``: best-sellers of the channel from the folded orders (in the
customer's favourite or the product's or cart's categories first) and, for
*similar*, content similarity over the catalog.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np
from django.conf import settings as django_settings

from ..config import get_setting
from ..error_codes import RecommendationErrorCode
from ..errors import CRMError
from ..models import CRMCheckout, ProductSnapshot
from .also_bought import combine_lists
from .cold_start import BestSellers, CatalogContent
from .store import Served, store

MAX_LIMIT = 100
SIMILAR_IN_CART = 0.5  # weight of content similarity for cart products without co-purchases


class Reason(str, Enum):
    BUY_AGAIN = "buy_again"  # the customer buys it regularly
    CUSTOMERS_LIKE_YOU = "customers_like_you"  # customers with similar baskets buy it
    BOUGHT_TOGETHER = "bought_together"  # bought in the same orders as the product/cart
    SIMILAR = "similar"  # similar description, category, attributes or buyers
    POPULAR_IN_CATEGORY = "popular_in_category"
    POPULAR_IN_CHANNEL = "popular_in_channel"


@dataclass(frozen=True)
class Recommendation:
    product_id: int
    score: float
    reason: Reason


class RecommendationError(CRMError):
    """A recommendation request refused; ``code`` is a ``RecommendationErrorCode``."""


def _serving(channel: str, limit: int) -> Served:
    """Check the request, then the state to serve from (``bundle`` is None before the first training)."""
    _check(channel, limit)
    return store.current()


def _best_sellers(served: Served) -> BestSellers:
    cached = served.cache.get("best_sellers")
    if cached is None:
        cached = served.cache["best_sellers"] = BestSellers.load()
    return cached


def _catalog_content(served: Served) -> CatalogContent | None:
    # Kept with the catalog, not the state: a new order must not refit the catalog's text.
    cache = served.catalog.cache
    if "content" not in cache:
        cache["content"] = CatalogContent.load()
    return cache["content"]


def _check(channel: str, limit: int) -> None:
    if not channel or not isinstance(channel, str):
        raise RecommendationError(RecommendationErrorCode.REQUIRED, "A channel slug is required.", "channel")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise RecommendationError(
            RecommendationErrorCode.OUT_OF_RANGE, f"limit must be between 1 and {MAX_LIMIT}.", "limit"
        )


class _Picker:
    """Collects results in order: available in the channel, each product once, never an excluded one."""

    def __init__(self, served: Served, channel: str, limit: int, exclude: Iterable[int] = ()):
        self.served, self.channel, self.limit = served, channel, limit
        self.taken: list[Recommendation] = []
        self.seen = set(exclude)
        bundle = served.bundle
        self.mask = _channel_mask(served, channel) if bundle is not None else None

    @property
    def full(self) -> bool:
        return len(self.taken) >= self.limit

    def add_columns(self, columns, scores, reason) -> None:
        item_ids = self.served.bundle.item_ids
        for position, (column, score) in enumerate(zip(columns, scores)):
            if self.full:
                return
            if column < 0 or not self.mask[column]:
                continue
            product_id = int(item_ids[column])
            if product_id not in self.seen:
                self.seen.add(product_id)
                self.taken.append(Recommendation(product_id, float(score), reason if isinstance(reason, Reason)
                                                 else reason[position]))

    def add_products(self, product_ids, scores, reason: Reason) -> None:
        """Like ``add_columns`` for product ids (the untrained path, which has no bundle columns)."""
        catalog = self.served.catalog
        for product_id, score in zip(product_ids.tolist(), scores.tolist()):
            if self.full:
                return
            if product_id not in self.seen and catalog.available(product_id, self.channel):
                self.seen.add(product_id)
                self.taken.append(Recommendation(product_id, float(score), reason))

    def fill_popular(self, categories: Iterable[str] = ()) -> list[Recommendation]:
        """Best-sellers of the channel, within ``categories`` first."""
        bundle = self.served.bundle
        if self.full:
            return self.taken
        if bundle is None:
            return self._fill_untrained(categories)
        ranking, scores = _channel_ranking(self.served, self.channel)
        wanted = [c for c in dict.fromkeys(categories) if c]
        if wanted:
            in_category = np.isin(bundle.item_categories[ranking], wanted)
            self.add_columns(ranking[in_category], scores[in_category], Reason.POPULAR_IN_CATEGORY)
        self.add_columns(ranking, scores, Reason.POPULAR_IN_CHANNEL)
        return self.taken

    def _fill_untrained(self, categories: Iterable[str]) -> list[Recommendation]:
        ranking = _best_sellers(self.served).for_channel(self.channel)
        wanted = [c for c in dict.fromkeys(categories) if c]
        if wanted:
            in_category = ranking.in_categories(wanted)
            self.add_products(in_category.product_ids, in_category.scores, Reason.POPULAR_IN_CATEGORY)
        self.add_products(ranking.product_ids, ranking.scores, Reason.POPULAR_IN_CHANNEL)
        return self.taken


def _channel_mask(served: Served, channel: str) -> np.ndarray:
    key = ("mask", channel)
    mask = served.cache.get(key)
    if mask is None:
        mask = served.cache[key] = served.catalog.mask(served.bundle.item_ids, channel)
    return mask


def _channel_ranking(served: Served, channel: str) -> tuple[np.ndarray, np.ndarray]:
    key = ("ranking", channel)
    cached = served.cache.get(key)
    if cached is None:
        scores = served.bundle.popularity.scores_for(channel)
        ranking = np.lexsort((np.arange(len(scores)), -scores))
        ranking = ranking[scores[ranking] > 0]
        cached = served.cache[key] = (ranking, scores[ranking])
    return cached


def _repeat_allowed(served: Served) -> np.ndarray:
    """Per bundle item: may a customer who bought it be offered it again?"""
    cached = served.cache.get("repeat")
    if cached is None:
        bundle = served.bundle
        threshold = get_setting("repeat_purchase_min_percent") / 100.0
        overrides = (getattr(django_settings, "SALEOR_CRM", {}) or {}).get("repeat_purchase_categories", {})
        allowed_by_category = {
            category: bool(overrides.get(category, rate >= threshold))
            for category, rate in bundle.category_repeat_rate.items()
        }
        for category, allowed in overrides.items():
            allowed_by_category.setdefault(category, bool(allowed))
        cached = served.cache["repeat"] = np.fromiter(
            (allowed_by_category.get(str(c), True) for c in bundle.item_categories), bool, len(bundle.item_categories)
        )
    return cached


def for_customer(profile_id: int | None, channel: str, limit: int = 10,
                 favourite_categories: Iterable[str] = ()) -> list[Recommendation]:
    """*For you*: the customer's next basket (their repeat purchases and what customers like them buy).

    A customer the model does not know (new, or no order before the last
    training) gets best-sellers, in ``favourite_categories`` first.
    """
    served = _serving(channel, limit)
    bundle = served.bundle
    row = bundle.customer_row(profile_id) if profile_id is not None and bundle is not None else None
    if row is not None:
        model = bundle.for_you
        history = model.bought(row)
        one_off = history[~_repeat_allowed(served)[history]]  # bought, in a category not bought again
        picker = _Picker(served, channel, limit, exclude=bundle.item_ids[one_off].tolist())
        columns, scores = model.top_items_[row], model.top_scores_[row]
        reasons = [Reason.BUY_AGAIN if b else Reason.CUSTOMERS_LIKE_YOU for b in model.bought_before_[row]]
        picker.add_columns(columns, scores, reasons)
        categories = [str(bundle.item_categories[c]) for c in columns[:5] if c >= 0]
        return picker.fill_popular(list(favourite_categories) + categories)
    return _Picker(served, channel, limit).fill_popular(favourite_categories)


def _product_column(served: Served, product_id: int) -> int | None:
    if served.bundle is None:
        column, known = None, served.catalog.knows(product_id) or _best_sellers(served).knows(product_id)
    else:
        column = served.bundle.item_column(product_id)
        known = column is not None or served.catalog.knows(product_id)
    if not known:
        raise RecommendationError(RecommendationErrorCode.NOT_FOUND, f"Unknown product {product_id}.", "product")
    return column


def also_bought(product_id: int, channel: str, limit: int = 10) -> list[Recommendation]:
    """*Customers who bought this also bought*; similar products, then category best-sellers, when sales are few."""
    return _for_product(product_id, channel, limit, bought_together=True)


def similar(product_id: int, channel: str, limit: int = 10) -> list[Recommendation]:
    """*Similar products*: content and co-purchase; a product added since training is compared on content."""
    return _for_product(product_id, channel, limit, bought_together=False)


def _for_product(product_id: int, channel: str, limit: int, *, bought_together: bool) -> list[Recommendation]:
    served = _serving(channel, limit)
    column = _product_column(served, product_id)
    picker = _Picker(served, channel, limit, exclude=[product_id])
    if served.bundle is None:  # untrained: content for "similar", then the category's best-sellers
        content = None if bought_together else _catalog_content(served)
        if content is not None:
            picker.add_products(*content.similar_to(product_id, MAX_LIMIT), Reason.SIMILAR)
        return picker.fill_popular([_category(served, product_id, None)])
    if bought_together and column is not None:
        columns, scores = served.bundle.also_bought.similar_items(column, MAX_LIMIT)
        picker.add_columns(columns, scores, Reason.BOUGHT_TOGETHER)
    if not picker.full:
        _add_similar(picker, served, product_id, column)
    return picker.fill_popular([_category(served, product_id, column)])


def _add_similar(picker: _Picker, served: Served, product_id: int, column: int | None) -> None:
    model = served.bundle.similar
    if column is not None:
        columns, scores = model.similar_items(column, MAX_LIMIT)
    else:
        columns, scores = _similar_to_new_product(served, product_id)
    picker.add_columns(columns, scores, Reason.SIMILAR)


def _similar_to_new_product(served: Served, product_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Content neighbours of a product the bundle has not seen, from its snapshot (memoised per version)."""
    key = ("new", product_id, served.catalog.stamp)
    cached = served.cache.get(key)
    if cached is None:
        snapshot = ProductSnapshot.objects.filter(product_id=product_id).first()
        if snapshot is None or served.bundle.similar.content_.shape[1] == 0:
            cached = (np.empty(0, np.int32), np.empty(0, np.float32))
        else:
            vector = served.bundle.similar.embed([{
                "name": snapshot.name, "description": snapshot.description_text, "category": snapshot.category,
                "product_type": snapshot.product_type, "attributes": snapshot.attributes,
            }])
            columns, scores = served.bundle.similar.similar_to_content(vector, MAX_LIMIT)
            cached = (columns[0], scores[0])
        served.cache[key] = cached
    return cached


def _category(served: Served, product_id: int, column: int | None) -> str:
    if column is not None and served.bundle.item_categories[column]:
        return str(served.bundle.item_categories[column])
    category = served.catalog.category_of.get(product_id, "")
    if not category and served.bundle is None:  # sold before the CRM saw the product: its order lines say
        category = _best_sellers(served).category_of.get(product_id, "")
    return category


def for_cart(product_ids: Iterable[int], channel: str, limit: int = 10) -> list[Recommendation]:
    """*Complete your cart*: what is bought with the cart's products; never a product already in it."""
    cart = [int(p) for p in dict.fromkeys(product_ids)]
    served = _serving(channel, limit)
    bundle = served.bundle
    picker = _Picker(served, channel, limit, exclude=cart)
    if bundle is None:  # untrained: best-sellers of the cart's categories, then of the channel
        return picker.fill_popular([_category(served, p, None) for p in cart])
    columns = [c for c in (bundle.item_column(p) for p in cart) if c is not None]
    if columns:
        top, scores = combine_lists(bundle.also_bought.top_items_, bundle.also_bought.top_scores_, columns, MAX_LIMIT)
        picker.add_columns(top, scores, Reason.BOUGHT_TOGETHER)
        if not picker.full:
            top, scores = combine_lists(bundle.similar.top_items_, bundle.similar.top_scores_, columns, MAX_LIMIT)
            picker.add_columns(top, scores * SIMILAR_IN_CART, Reason.SIMILAR)
    for product_id in cart:
        if picker.full:
            break
        if bundle.item_column(product_id) is None and served.catalog.knows(product_id):
            top, scores = _similar_to_new_product(served, product_id)
            picker.add_columns(top, scores * SIMILAR_IN_CART, Reason.SIMILAR)
    categories = [_category(served, p, bundle.item_column(p)) for p in cart]
    return picker.fill_popular(categories)


def for_checkout(checkout_token: str, channel: str | None = None, limit: int = 10) -> list[Recommendation]:
    """``for_cart`` for a checkout the CRM has seen (its channel unless one is given)."""
    checkout = CRMCheckout.objects.filter(token=str(checkout_token)).values("lines", "channel").first()
    if checkout is None:
        raise RecommendationError(RecommendationErrorCode.NOT_FOUND, "Unknown checkout.", "checkoutToken")
    products = [line.get("product_id") for line in checkout["lines"] or [] if line.get("product_id") is not None]
    return for_cart(products, channel or checkout["channel"], limit)
