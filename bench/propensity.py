"""Response propensity on CDNOW master: who buys in the next 39 weeks, against simple rankings.

    python bench/propensity.py [--resamples 1000] [--seed 0]

Protocol (issue 14), also in docs/benchmarks.md:

* Data: ``CDNOW_master.txt`` from the PyPI package ``lifetimes`` (23,570
  customers, all first buying in 1997-Q1). The cut is 1997-09-30 (week 39,
  ``crm_host.cdnow.CALIBRATION_END``): every input is computed from
  purchases up to the cut only; the label is "at least one purchase in the
  next 39 weeks" (273 days, to 1998-06-30).
* Out of sample by **cross-fitting over customers**: 5 stratified folds
  (seed 0); each customer is scored by a model — BG/NBD inputs included —
  fitted on the other four folds only (``fit_propensity``). A temporal split
  with the same 39-week horizon is not possible: the data end 78 weeks after
  the first purchases, and an earlier cut would leave no history.
* Baselines, each a ranking from the same pre-cut history, no labels used:
  recency alone (most recent first); the project's RFM scores
  (``rfm.rfm_scores``) as R + F + M and as the R, F, M cell read
  lexicographically; BG/NBD fitted on all customers' pre-cut history:
  expected purchases in 39 weeks and P(at least one purchase).
* Reported: ROC AUC, average precision, top-decile lift (buyers among the
  top 10 % ÷ the base rate) per ranking; the paired bootstrap (1,000
  resamples of customers, the predictions held fixed) 95 % interval of the
  AUC difference of the product's model minus the best baseline by AUC.
  Target: the interval lies above 0. Also the calibration per decile and
  the fit and score times.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm_host.cdnow import CALIBRATION_END, HOLDOUT_DAYS, read_cdnow  # noqa: E402
from saleor_crm_plugin.analytics.clv import BetaGeo  # noqa: E402
from saleor_crm_plugin.analytics.propensity import (calibration_table, fit_propensity, purchase_history,  # noqa: E402
                                                    ranking_metrics, score)
from saleor_crm_plugin.analytics.rfm import rfm_scores  # noqa: E402
from saleor_crm_plugin.analytics.summary import summarize  # noqa: E402


def weighted_auc(labels: np.ndarray, inverse: np.ndarray, groups: int, weights: np.ndarray) -> float:
    """ROC AUC with per-customer weights (bootstrap counts); ``inverse`` maps customers to sorted distinct scores."""
    positive = np.bincount(inverse, weights * labels, groups)
    negative = np.bincount(inverse, weights * (1 - labels), groups)
    below = np.cumsum(negative) - negative
    return float(np.sum(positive * (below + 0.5 * negative)) / (positive.sum() * negative.sum()))


def bootstrap_difference(labels, ours, theirs, resamples: int, seed: int):
    """Paired bootstrap over customers: (2.5 %, 97.5 %) of AUC(ours) − AUC(theirs)."""
    labels = labels.astype(float)
    rng = np.random.default_rng(seed)
    prepared = []
    for scores in (ours, theirs):
        distinct, inverse = np.unique(scores, return_inverse=True)
        prepared.append((inverse, len(distinct)))
    differences = np.empty(resamples)
    for b in range(resamples):
        weights = np.bincount(rng.integers(0, len(labels), len(labels)), minlength=len(labels)).astype(float)
        a, c = (weighted_auc(labels, inverse, groups, weights) for inverse, groups in prepared)
        differences[b] = a - c
    return np.percentile(differences, [2.5, 97.5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    customers, days, values = read_cdnow("CDNOW_master.txt")
    history = purchase_history(customers, days, values, end_day=CALIBRATION_END)
    later = (days > CALIBRATION_END) & (days <= CALIBRATION_END + HOLDOUT_DAYS)
    bought = np.isin(history.customer, np.unique(customers[later]))
    horizon = HOLDOUT_DAYS / 7.0
    print(f"CDNOW master: {len(bought):,} customers, cut 1997-09-30 (week 39), label: a purchase in the next "
          f"{HOLDOUT_DAYS} days; base rate {bought.mean():.4f}", flush=True)

    summary = summarize(customers, days, values, end_day=CALIBRATION_END)
    assert np.array_equal(summary.customer, history.customer)
    r, f, m, _ = rfm_scores((summary.T - summary.t_x) * 7.0, summary.orders, summary.monetary_total)
    bg = BetaGeo().fit(summary.x, summary.t_x, summary.T)
    baselines = {
        "recency alone": -history.recency_weeks,
        "RFM score R+F+M": (r + f + m).astype(float),
        "RFM cell (R,F,M)": 100.0 * r + 10.0 * f + m,
        "BG/NBD expected purchases": bg.expected_purchases(horizon, summary.x, summary.t_x, summary.T),
        "BG/NBD P(purchase)": 1 - bg.probability_no_purchase(horizon, summary.x, summary.t_x, summary.T),
    }

    start = time.perf_counter()
    result = fit_propensity(history, bought, horizon, seed=args.seed)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    scores = score(result.model, history)
    score_seconds = time.perf_counter() - start

    rows = {name: ranking_metrics(bought, values) for name, values in baselines.items()}
    for kind, metrics in result.metrics["candidates"].items():
        rows[f"propensity, {kind} (cross-fitted)"] = metrics
    product = f"propensity, {result.method} (cross-fitted)"
    print("\n| ranking | ROC AUC | average precision | top-decile lift |\n|---|---|---|---|")
    for name, metrics in rows.items():
        mark = " ← product (chosen by log loss)" if name == product else ""
        print(f"| {name}{mark} | {metrics['auc']:.4f} | {metrics['average_precision']:.4f} | "
              f"{metrics['top_decile_lift']:.3f} |")

    best = max(baselines, key=lambda name: rows[name]["auc"])
    low, high = bootstrap_difference(bought, result.probability, baselines[best], args.resamples, args.seed)
    difference = rows[product]["auc"] - rows[best]["auc"]
    met = low > 0
    print(f"\nAUC difference, product − best baseline ({best}): {difference:+.4f}, paired bootstrap 95 % interval "
          f"[{low:+.4f}, {high:+.4f}] ({args.resamples:,} resamples) → target (interval above 0) "
          f"{'MET' if met else 'NOT MET'}")
    print(f"method {result.method}, confidence {result.confidence}; cross-fitted log loss "
          f"{result.metrics['log_loss']:.4f}, Brier {result.metrics['brier']:.4f}")
    print("\ncalibration (cross-fitted), deciles of the predicted probability: mean predicted / observed")
    print("  " + "  ".join(f"{p:.3f}/{o:.3f}" for p, o, _ in calibration_table(bought, result.probability)))
    reasons = {}
    for row in scores.reason_names:
        reasons[row[0]] = reasons.get(row[0], 0) + 1
    print("first reason (final model, all customers): " + ", ".join(f"{k} {v:,}" for k, v in
                                                                    sorted(reasons.items(), key=lambda kv: -kv[1])))
    print(f"\nfit_propensity (5 folds × 2 candidates + final model, reasons): {fit_seconds:.2f} s; "
          f"score {len(bought):,} customers with reasons: {score_seconds:.2f} s")


if __name__ == "__main__":
    main()
