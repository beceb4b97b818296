"""The pure model code: no database."""

import numpy as np
import pytest
import scipy.sparse as sp

from saleor_crm_plugin.recommendations import ranking
from saleor_crm_plugin.recommendations.also_bought import AlsoBought
from saleor_crm_plugin.recommendations.baskets import Baskets
from saleor_crm_plugin.recommendations.bundle import BundleFormatError, RecommenderBundle
from saleor_crm_plugin.recommendations.next_basket import NextBasketKNN
from saleor_crm_plugin.recommendations.similar import SimilarProducts

DAY = 86400.0


def baskets_of(history: dict[int, list[list[int]]], **kwargs) -> Baskets:
    """{customer: [basket, ...] oldest first} → Baskets (one day between a customer's orders)."""
    customer, order, item, placed = [], [], [], []
    order_id = 0
    for who, orders in history.items():
        for day, products in enumerate(orders):
            order_id += 1
            for product in products:
                customer.append(who), order.append(order_id), item.append(product), placed.append(day * DAY)
    return Baskets.from_lines(np.array(customer), np.array(order), np.array(item), np.array(placed), **kwargs)


@pytest.mark.parametrize("density", [0.05, 0.3])  # the packed path, then the dense one
@pytest.mark.parametrize("packed_block", [7, 8_000_000])  # many small blocks, then one
def test_top_n_per_row_matches_a_full_sort(monkeypatch, packed_block, density):
    # given
    monkeypatch.setattr(ranking, "PACKED_BLOCK", packed_block)
    rng = np.random.default_rng(3)
    dense = np.where(rng.random((40, 30)) < density, rng.integers(1, 6, (40, 30)).astype(np.float32), 0)
    # when
    columns, values = ranking.top_n_per_row(sp.csr_matrix(dense), 5)
    # then: best first, padding with -1; on the packed path ties go to the lower column
    for row in range(40):
        expected = sorted((c for c in range(30) if dense[row, c] > 0), key=lambda c: (-dense[row, c], c))[:5]
        found = columns[row][: len(expected)]
        assert (columns[row][len(expected):] == -1).all()
        assert values[row][: len(expected)].tolist() == [dense[row, c] for c in expected]
        assert [dense[row, c] for c in found] == values[row][: len(expected)].tolist()
        if density < ranking.DENSE_SHARE:
            assert found.tolist() == expected


def test_baskets_are_ordered_by_time_and_the_newest_is_held_out():
    # given: orders arrive out of time order
    baskets = Baskets.from_lines(
        customer=np.array([7, 7, 7, 9]), order=np.array([30, 10, 20, 40]), item=np.array([3, 1, 2, 1]),
        placed_at=np.array([3 * DAY, 1 * DAY, 2 * DAY, 1 * DAY]),
    )
    # when
    train, held = baskets.split_last()
    # then: customer 7's baskets oldest first; the single-order customer 9 is left out of the test
    assert baskets.matrix[:3].nonzero()[1].tolist() == [0, 1, 2]
    assert held == {0: np.array([2])}.keys() and held[0].tolist() == [2] or held[0].tolist() == [2]
    assert list(held) == [0]
    assert train.n_baskets == 2 and train.basket_customer.tolist() == [0, 0]


def test_for_you_ranks_a_customers_regular_products_first_and_brings_in_neighbours_products():
    # given: customer 1 always buys 10 and 11, once bought 12; customers 2 and 3 are alike and also buy 13
    history = {1: [[10, 11], [10, 11, 12], [10, 11]], 2: [[10, 11, 13], [10, 13]], 3: [[11, 13], [10, 11, 13]]}
    baskets = baskets_of(history)
    # when
    model = NextBasketKNN(neighbors=2).fit(baskets)
    columns, scores = model.recommend(0, n=4)
    # then
    ranked = baskets.item_ids[columns].tolist()
    assert ranked[:2] == [10, 11] and set(ranked[2:]) == {12, 13}
    assert list(scores) == sorted(scores, reverse=True)
    bought = dict(zip(baskets.item_ids[model.top_items_[0][:4]].tolist(), model.bought_before_[0][:4]))
    assert bought == {10: True, 11: True, 12: True, 13: False}


def test_also_bought_within_orders_uses_asymmetric_cosine_and_never_returns_the_product_itself():
    # given: 1 is bought with 2 twice and with 3 once; 3 sells a lot on its own
    history = {1: [[1, 2], [1, 2], [1, 3]], 2: [[3], [3], [3]], 3: [[2, 4]]}
    baskets = baskets_of(history)
    # when: counted within one order only
    model = AlsoBought(asymmetry=0.75, recent_products=0).fit(baskets)
    columns, scores = model.similar_items(0, n=10)
    # then: co(1,2)=2, n(1)=3, n(2)=3 → 2/(3^.75·3^.25)=0.667; co(1,3)=1, n(3)=4 → 1/(3^.75·4^.25)
    assert baskets.item_ids[columns].tolist() == [2, 3]
    assert scores[0] == pytest.approx(2 / 3, rel=1e-5)
    assert scores[1] == pytest.approx(1 / (3**0.75 * 4**0.25), rel=1e-5)
    cart, _ = model.for_items([0, 1], n=10)
    assert 0 not in cart and 1 not in cart


def test_also_bought_counts_by_customer_in_a_shop_of_one_line_orders():
    # given: every order holds one product; A and B buy 1 then 2, C buys 1 then 3, D and E buy 3
    history = {1: [[1], [2]], 2: [[1], [2]], 3: [[1], [3]], 4: [[3]], 5: [[3]]}
    baskets = baskets_of(history)
    # when
    model = AlsoBought(asymmetry=0.75).fit(baskets)
    columns, scores = model.similar_items(0, n=10)
    # then: co(1,2)=2 customers, co(1,3)=1; n(1)=3, n(2)=2, n(3)=3 customers (one-line orders add nothing)
    assert baskets.item_ids[columns].tolist() == [2, 3]
    assert scores[0] == pytest.approx(2 / (3**0.75 * 2**0.25), rel=1e-5)
    assert scores[1] == pytest.approx(1 / 3, rel=1e-5)
    # and counted within one order, nothing is bought with 1
    assert AlsoBought(recent_products=0).fit(baskets).similar_items(0, n=10)[0].tolist() == []


def test_also_bought_weighs_a_pair_of_one_order_above_a_pair_of_two_orders():
    # given: A buys 1 and 2 in one order; B buys 1, then 3 in a later order
    baskets = baskets_of({1: [[1, 2]], 2: [[1], [3]]})
    # when
    model = AlsoBought(asymmetry=0.75, same_order_weight=0.5).fit(baskets)
    columns, scores = model.similar_items(0, n=10)
    # then: counts(1,2) = 1 customer + 0.5 · 1 order, counts(1,3) = 1 customer;
    # n(1) = 2 customers + 0.5 · 1 order of two products, n(2) = 1 + 0.5, n(3) = 1
    assert baskets.item_ids[columns].tolist() == [2, 3]
    assert scores[0] == pytest.approx(1.5 / (2.5**0.75 * 1.5**0.25), rel=1e-5)
    assert scores[1] == pytest.approx(1 / 2.5**0.75, rel=1e-5)


def test_also_bought_counts_only_each_customers_most_recent_products():
    # given: customer 1 bought 1 and 2 together, then 3, then 1 again; customer 2 bought 2 and 3
    baskets = baskets_of({1: [[1, 2], [3], [1]], 2: [[2], [3]]})
    # when
    recent = baskets.recent_products(2)
    model = AlsoBought(recent_products=2, same_order_weight=0.0).fit(baskets)
    # then: customer 1 keeps 1 (newest) and 3; customer 2, under the limit, keeps both
    assert baskets.item_ids[recent[0].indices].tolist() == [1, 3]
    assert baskets.item_ids[recent[1].indices].tolist() == [2, 3]
    assert (baskets.recent_products() != baskets.recent_products(3)).nnz == 0
    # and with same-order pairs weighing nothing, 2 is no longer bought with 1
    assert baskets.item_ids[model.similar_items(0, n=10)[0]].tolist() == [3]


def test_similar_finds_a_new_product_from_its_description_alone():
    # given: a record shop, where genre is an attribute
    products = [
        {"name": "Kind of Blue", "category": "Vinyl", "attributes": {"Genre": ["Jazz"]}},
        {"name": "A Love Supreme", "category": "Vinyl", "attributes": {"Genre": ["Jazz"]}},
        {"name": "Nevermind", "category": "Vinyl", "attributes": {"Genre": ["Rock"]}},
        {"name": "Turntable cleaning kit", "category": "Accessories", "attributes": {}},
    ]
    baskets = baskets_of({1: [[1, 3]]}, item_ids=np.array([1, 2, 3, 4]))
    model = SimilarProducts().fit(baskets, products)
    # when: a jazz record the model has never seen
    vector = model.embed([{"name": "Blue Train", "category": "Vinyl", "attributes": {"Genre": ["Jazz"]}}])
    columns, scores = model.similar_to_content(vector, n=4)
    # then: the jazz records first, the accessory not at all
    assert set(columns[0][:2].tolist()) == {0, 1}
    assert 3 not in columns[0].tolist()
    # and a product with no sales (2) still has content neighbours
    assert model.similar_items(1, n=1)[0].tolist() == [0]


def test_an_empty_shop_gives_an_empty_bundle_that_saves_and_loads():
    # given
    empty = Baskets.from_lines(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    # when
    bundle = RecommenderBundle.from_bytes(RecommenderBundle.fit(empty, []).to_bytes())
    # then
    assert len(bundle.item_ids) == 0 and bundle.customer_row(1) is None
    assert bundle.for_you.top_items_.shape == (0, 50)
    assert bundle.popularity.recommend(10)[0].tolist() == []


def test_bundle_round_trip_keeps_every_fitted_array_and_refuses_another_format():
    # given
    history = {1: [[1, 2], [1, 3]], 2: [[2, 3], [1, 2, 3]], 3: [[4]]}
    products = [{"name": f"Product {i}", "category": "A" if i < 3 else "B"} for i in range(1, 5)]
    bundle = RecommenderBundle.fit(baskets_of(history), products)
    # when
    blob = bundle.to_bytes()
    loaded = RecommenderBundle.from_bytes(blob)
    # then
    for name in ("for_you", "also_bought", "similar", "popularity"):
        original, copy = getattr(bundle, name), getattr(loaded, name)
        for attribute, value in vars(original).items():
            other = getattr(copy, attribute)
            if sp.issparse(value):
                assert (value != other).nnz == 0
            else:
                assert np.array_equal(np.asarray(value), np.asarray(other)), (name, attribute)
    assert loaded.category_repeat_rate == bundle.category_repeat_rate
    with pytest.raises(BundleFormatError):
        RecommenderBundle.from_bytes(blob[:100])
    tampered = blob.replace(b"format_version", b"format_versioX")
    with pytest.raises(BundleFormatError):
        RecommenderBundle.from_bytes(tampered)
