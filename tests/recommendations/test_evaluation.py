import numpy as np
import pytest

from saleor_crm_plugin.recommendations.evaluation import (
    leave_one_out_cases,
    one_line_orders,
    paired_bootstrap,
    score_leave_one_out,
    score_next_basket,
)
from tests.recommendations.test_models import baskets_of


def test_next_basket_metrics_by_hand():
    # given: customer row 0 bought item columns 0 and 1 before; the test basket is {1, 2, 3}
    train = baskets_of({1: [[10, 11]], 2: [[12, 13]]}, item_ids=np.array([10, 11, 12, 13]))
    held = {0: np.array([1, 2, 3])}
    # when: the list is [1, 0, 3] → hits at ranks 1 and 3
    scores = score_next_basket(lambda row, k: np.array([1, 0, 3]), train, held, k=10)
    # then
    discount = 1 / np.log2(np.arange(2, 12))
    assert scores.recall[0] == pytest.approx(2 / 3)
    assert scores.ndcg[0] == pytest.approx((discount[0] + discount[2]) / discount[:3].sum())
    assert scores.hit[0] == 1.0
    assert scores.repeat_recall.tolist() == [1.0]  # the one repeat product (1) was found
    assert scores.new_recall.tolist() == [0.5]  # of the new products 2 and 3, 3 was found


def test_leave_one_out_hides_one_known_product_and_scores_its_rank():
    held = {0: np.array([0, 1, 2]), 1: np.array([3]), 2: np.array([1, 4])}
    known = np.array([True, True, True, True, False])
    cases = leave_one_out_cases(held, known, seed=0)
    assert len(cases) == 1  # row 1 has one product, row 2 only one known product
    context, hidden = cases[0]
    assert hidden not in context and sorted([*context, hidden]) == [0, 1, 2]
    result = score_leave_one_out(lambda ctx, k: np.array([9, hidden]), cases)
    assert result == {"hit_rate": 1.0, "mrr": 0.5, "cases": 1}


def test_one_line_orders_split_every_order_at_its_own_time_and_keep_the_test_cases():
    # given: customer 1 ordered {10, 11, 12} on day 0 and {10} on day 1; customer 2 {11, 12} on day 0
    baskets = baskets_of({1: [[10, 11, 12], [10]], 2: [[11, 12]]})
    # when
    split = one_line_orders(baskets)
    # then: one order per line, same customer, 1 ms apart from the original time
    assert split.n_baskets == 6 and (split.matrix.getnnz(axis=1) == 1).all()
    assert split.matrix.indices.tolist() == [0, 1, 2, 0, 1, 2]
    assert split.basket_customer.tolist() == [0, 0, 0, 0, 1, 1]
    assert split.basket_time.tolist() == pytest.approx([0, 0.001, 0.002, 86400, 0, 0.001])
    assert (split.customers_by_items() != baskets.customers_by_items()).nnz == 0
    # and a held-out basket gives the same leave-one-out case on both samples
    held = {0: np.array([0, 1, 2])}
    for data in (baskets, split):
        known = np.asarray(data.matrix.sum(axis=0)).ravel() > 0
        assert [(c.tolist(), h) for c, h in leave_one_out_cases(held, known)] == \
            [(c.tolist(), h) for c, h in leave_one_out_cases(held, np.ones(3, bool))]


def test_paired_bootstrap_tells_a_real_difference_from_none():
    rng = np.random.default_rng(1)
    base = rng.random(500)
    better = paired_bootstrap(base + 0.05, base)
    assert better["mean"] == pytest.approx(0.05) and better["p_not_better"] == 0.0
    same = paired_bootstrap(base, base[::-1].copy())
    assert same["low"] < 0 < same["high"]
