import numpy as np
import pytest

from saleor_crm_plugin.analytics.rfm import (GROUPS, RULES, SMALL_SHOP_CUSTOMERS, quintile_scores, rfm_scores,
                                             threshold_scores)


def test_quintile_scores_rank_and_share_ties():
    assert quintile_scores(np.arange(10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores(np.arange(10), higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    tied = quintile_scores(np.array([1, 1, 1, 1, 9]))
    assert len(set(tied[:4].tolist())) == 1 and tied[4] == 5


@pytest.mark.parametrize("r, f, group", [
    (5, 5, "champions"), (5, 4, "champions"), (4, 5, "loyal"), (3, 4, "loyal"), (5, 2, "potential_loyalist"),
    (5, 1, "new"), (4, 1, "promising"), (3, 3, "needs_attention"), (3, 1, "about_to_sleep"),
    (2, 5, "cant_lose"), (1, 3, "at_risk"), (1, 1, "lost"), (2, 1, "hibernating"), (1, 2, "hibernating"),
])
def test_every_r_f_cell_has_the_documented_group(r, f, group):
    matches = [name for name, r_scores, f_scores in RULES if r in r_scores and f in f_scores]
    assert matches[0] == group


def test_every_cell_of_the_grid_gets_exactly_one_first_group():
    for r in range(1, 6):
        for f in range(1, 6):
            assert any(r in rs and f in fs for _, rs, fs in RULES), (r, f)
    assert {name for name, _, _ in RULES} == set(GROUPS)


def test_rfm_scores_end_to_end():
    days = np.array([1, 2, 200, 300, 5])
    orders = np.array([30, 1, 25, 1, 2])
    revenue = np.array([900.0, 10.0, 700.0, 5.0, 50.0])
    # when: quintiles, as from SMALL_SHOP_CUSTOMERS customers on
    r, f, m, group = rfm_scores(days, orders, revenue, small_shop_customers=0)
    # then: R from days (1→5, 2→4, 5→3, 200→2, 300→1); F: one order is F = 1 (ranked, the tie would share a 2)
    assert r.tolist() == [5, 4, 2, 1, 3] and f.tolist() == [5, 1, 4, 1, 3]
    assert [GROUPS[g] for g in group] == ["champions", "promising", "at_risk", "lost", "needs_attention"]
    assert m.tolist() == [5, 2, 4, 1, 3]


@pytest.mark.parametrize("days, r", [(0, 5), (14, 5), (15, 4), (30, 4), (31, 3), (90, 3), (91, 2), (180, 2),
                                     (181, 1), (2000, 1)])
def test_recency_thresholds(days, r):
    assert threshold_scores(np.array([days]), np.array([1]))[0].tolist() == [r]


@pytest.mark.parametrize("orders, f", [(1, 1), (2, 2), (3, 3), (4, 4), (5, 4), (6, 5), (40, 5)])
def test_frequency_thresholds(orders, f):
    assert threshold_scores(np.array([0]), np.array([orders]))[1].tolist() == [f]


def test_a_fresh_shop_gets_sensible_groups():
    # given: a shop's first customers, minutes to months after their last order
    days = np.array([0, 0, 0, 20, 40, 200])
    orders = np.array([1, 4, 2, 2, 1, 1])
    revenue = np.array([20.0, 95.0, 40.0, 41.0, 18.0, 25.0])
    # when
    r, f, m, group = rfm_scores(days, orders, revenue)
    # then: one order placed minutes ago is "new", four are "champions"
    assert len(days) < SMALL_SHOP_CUSTOMERS
    assert [GROUPS[g] for g in group] == ["new", "champions", "potential_loyalist", "potential_loyalist",
                                          "about_to_sleep", "lost"]
    assert m.tolist()[1] == 5


def test_day_one_every_first_order_is_new():
    # given: five orders placed minutes ago, four of them by one customer
    days, orders, revenue = np.zeros(2), np.array([1, 4]), np.array([20.0, 80.0])
    # when
    group = rfm_scores(days, orders, revenue)[3]
    ranked = rfm_scores(days, orders, revenue, small_shop_customers=0)[3]
    # then: ranked among two tied customers, nobody is recent enough for "new"
    assert [GROUPS[g] for g in group] == ["new", "champions"]
    assert [GROUPS[g] for g in ranked] == ["promising", "loyal"]


def test_one_order_customers_are_f1_in_a_large_shop():
    # given: 300 customers, 70% with one order (ranked, their tie would score F = 2)
    rng = np.random.default_rng(3)
    orders = np.where(np.arange(300) < 210, 1, rng.integers(2, 12, 300))
    days = rng.uniform(0, 400, 300)
    # when
    r, f, m, group = rfm_scores(days, orders, orders * 30.0)
    # then
    assert len(orders) >= SMALL_SHOP_CUSTOMERS
    assert np.all(f[orders == 1] == 1) and np.all(f[orders > 1] > 1)
    assert np.all(np.array(GROUPS)[group[(orders == 1) & (r == 5)]] == "new")
    assert (quintile_scores(orders)[orders == 1] == 2).all()
