import numpy as np
import pytest

from saleor_crm_plugin.analytics.rfm import GROUPS, RULES, quintile_scores, rfm_scores


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
    r, f, m, group = rfm_scores(days, orders, revenue)
    # R from days (1→5, 2→4, 5→3, 200→2, 300→1); F: the two one-order customers tie at rank 1.5 → 2
    assert r.tolist() == [5, 4, 2, 1, 3] and f.tolist() == [5, 2, 4, 2, 3]
    assert [GROUPS[g] for g in group] == ["champions", "potential_loyalist", "at_risk", "hibernating",
                                          "needs_attention"]
    assert m.tolist() == [5, 2, 4, 1, 3]
