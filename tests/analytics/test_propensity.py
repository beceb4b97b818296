"""Response propensity: calibration on CDNOW master, cross-fitting, reasons, the small-shop fallback, inputs."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from saleor_crm_plugin.analytics.clv import BetaGeo
from saleor_crm_plugin.analytics.propensity import (MIN_CUSTOMERS, MIN_POSITIVES, PurchaseHistory,
                                                    calibration_table, fit_propensity, purchase_history, score)
from crm_host.cdnow import CALIBRATION_END, HOLDOUT_DAYS, read_cdnow

HORIZON = HOLDOUT_DAYS / 7.0


@pytest.fixture(scope="module")
def cdnow():
    """CDNOW master at 1997-09-30 (week 39) and who bought in the next 39 weeks."""
    customers, days, values = read_cdnow("CDNOW_master.txt")
    history = purchase_history(customers, days, values, end_day=CALIBRATION_END)
    later = (days > CALIBRATION_END) & (days <= CALIBRATION_END + HOLDOUT_DAYS)
    return history, np.isin(history.customer, np.unique(customers[later]))


@pytest.fixture(scope="module")
def cdnow_logistic(cdnow):
    history, bought = cdnow
    return fit_propensity(history, bought, HORIZON, method="logistic")


def simulated_shop(n: int, seed: int = 0, signal: float = 1.0):
    """Customers whose chance to buy falls with the weeks since their last purchase and grows with their orders."""
    rng = np.random.default_rng(seed)
    tenure = rng.uniform(5, 52, n)
    frequency = rng.poisson(rng.gamma(0.6, 1 / 8, n) * tenure).astype(float)
    recency = np.where(frequency > 0, tenure * rng.beta(1, 2, n), tenure)
    last_gap = np.where(frequency > 0, np.minimum(rng.exponential(6, n), tenure - recency), tenure)
    history = PurchaseHistory(np.arange(n), recency, frequency, rng.gamma(2, 20, n), tenure, last_gap)
    log_odds = signal * (0.5 - 0.12 * recency + 0.8 * np.log1p(frequency))
    return history, rng.random(n) < 1 / (1 + np.exp(-log_odds))


def test_probabilities_are_calibrated_per_decile_on_cdnow(cdnow, cdnow_logistic):
    # given
    history, bought = cdnow
    # when: the cross-fitted probabilities of the 23,570 customers
    table = calibration_table(bought, cdnow_logistic.probability)
    # then: predicted and observed shares agree in every decile, and the model ranks better than recency alone
    assert np.all(np.abs(table[:, 0] - table[:, 1]) < 0.03), table
    assert cdnow_logistic.probability.mean() == pytest.approx(bought.mean(), abs=0.005)
    assert cdnow_logistic.metrics["auc"] > roc_auc_score(bought, -history.recency_weeks) + 0.005
    assert cdnow_logistic.confidence == "high" and cdnow_logistic.method == "logistic"


def test_no_customer_is_scored_by_a_model_that_saw_it(cdnow, cdnow_logistic):
    history, result = cdnow[0], cdnow_logistic
    n = len(result.probability)
    assert len(result.fold_models) == result.metrics["folds"] == 5
    for k, model in enumerate(result.fold_models):
        scored = np.flatnonzero(result.fold == k)
        assert len(scored) > 0 and not np.isin(scored, model.train_index).any()
        assert len(scored) + len(model.train_index) == n  # trained on everyone else
    # the model that scored each customer reproduces its out-of-fold probability
    first = np.flatnonzero(result.fold == 2)[:50]
    assert result.fold_models[2].probability(history.raw()[first]) == pytest.approx(result.probability[first])


def test_cross_fitting_does_not_reward_memorising_noise():
    # given: labels with no relation to anything, and a per-customer noise column a tree can memorise
    history, _ = simulated_shop(1200, seed=4)
    rng = np.random.default_rng(9)
    noisy = replace(history, extra={"noise": rng.random(1200)})
    labels = rng.random(1200) < 0.4
    # when
    result = fit_propensity(noisy, labels, 13.0, method="boosting", folds=3, seed=1)
    # then: out of fold the model knows nothing and says so, though each fold model looks skilled on its own
    # training rows (its score before calibration)
    assert abs(result.metrics["auc"] - 0.5) < 0.06 and result.confidence == "low"
    for model in result.fold_models:
        seen = model.train_index
        assert roc_auc_score(labels[seen], model.log_odds(noisy.raw()[seen])) > result.metrics["auc"] + 0.15


@pytest.mark.parametrize("method", ["logistic", "boosting"])
def test_reasons_name_what_sets_a_constructed_customer_apart(method):
    # given: a model trained on a simulated shop
    history, labels = simulated_shop(2000, seed=2)
    result = fit_propensity(history, labels, 13.0, method=method, folds=3, seed=0)
    median = np.median(history.raw(), axis=0)
    # when: a customer who bought days ago, one silent for most of a year, one with many repeat orders
    recency, frequency, monetary, tenure, last_gap = median
    constructed = PurchaseHistory(np.arange(3), [0.3, tenure - 1, recency], [frequency, frequency, 30],
                                  [monetary] * 3, [tenure] * 3, [last_gap] * 3)
    scores = score(result.model, constructed)
    # then
    recent, silent, frequent = (dict(scores.reasons(i)) for i in range(3))
    assert recent.get("recency_weeks", 0) > 0 and max(recent, key=lambda k: abs(recent[k])) == "recency_weeks"
    assert silent.get("recency_weeks", 0) < 0
    assert frequent.get("frequency", 0) > 0
    assert scores.probability[0] > scores.probability[1]
    # and the training customers' reasons come from their own fold's model
    assert result.reason_names.shape == (2000, 3) and set(result.reason_names[:, 0]) <= set(history.names)


def test_linear_reasons_are_coefficient_times_distance_from_the_median():
    # given: a logistic model; monetary enters no derived column (gaps and BG/NBD use recency, frequency, tenure)
    history, labels = simulated_shop(1000, seed=5)
    final = fit_propensity(history, labels, 13.0, method="logistic", folds=3).model.final
    # when
    contributions = final.contributions(history.raw()[:20])[:, 2]
    # then: the mean over the calibration folds' models of coef × (scaled value − scaled median)
    expected = np.zeros(20)
    for calibrated in final.classifier.calibrated_classifiers_:
        _, scaler, logistic = calibrated.estimator
        def transformed(v):
            return np.sign(v) * np.log1p(np.abs(v)) / scaler.scale_[2]
        expected += logistic.coef_[0, 2] * (transformed(history.monetary[:20]) - transformed(final.reference[2]))
    assert contributions == pytest.approx(expected / len(final.classifier.calibrated_classifiers_))


def test_a_tiny_shop_gets_the_bgnbd_prior_with_low_confidence():
    # given: 60 customers, fewer than MIN_CUSTOMERS
    history, labels = simulated_shop(60, seed=3)
    # when
    result = fit_propensity(history, labels, 13.0)
    # then: BG/NBD's P(a purchase in 13 weeks), unsupervised, flagged, no reasons claimed
    assert len(labels) < MIN_CUSTOMERS and result.method == "bgnbd_prior" and result.confidence == "low"
    x, T = history.frequency, history.tenure_weeks
    t_x = np.where(x > 0, T - history.recency_weeks, 0)
    bg = BetaGeo().fit(x, t_x, T)
    assert result.probability == pytest.approx(1 - bg.probability_no_purchase(13.0, x, t_x, T), rel=1e-4)
    assert np.all(result.fold == -1) and result.reasons(0) == []
    later = score(result.model, history)
    assert later.method == "bgnbd_prior" and later.confidence == "low" and later.reasons(0) == []


def test_too_few_buyers_or_no_repeat_purchases_fall_back_to_the_base_rate():
    # given: enough customers but fewer than MIN_POSITIVES buyers, and nobody with a repeat purchase
    n = 400
    tenure = np.linspace(2, 40, n)
    history = PurchaseHistory(np.arange(n), tenure, np.zeros(n), np.full(n, 20.0), tenure, tenure)
    labels = np.arange(n) < MIN_POSITIVES - 1
    # when
    result = fit_propensity(history, labels, 13.0)
    # then
    assert result.method == "base_rate" and result.confidence == "low"
    assert np.all(result.probability == labels.mean())
    assert result.metrics["min_positives"] == MIN_POSITIVES


def test_a_fixed_seed_gives_the_same_result():
    history, labels = simulated_shop(500, seed=6)
    first, second = (fit_propensity(history, labels, 13.0, method="boosting", folds=3, seed=7) for _ in range(2))
    assert np.array_equal(first.probability, second.probability) and np.array_equal(first.fold, second.fold)
    assert np.array_equal(first.reason_names, second.reason_names)
    assert np.array_equal(first.reason_values, second.reason_values)
    other = fit_propensity(history, labels, 13.0, method="logistic", folds=3, seed=8)
    assert not np.array_equal(first.fold, other.fold)


def test_purchase_history_from_transactions():
    # given: customer 1 buys on days 0, 14 and 35 (twice), customer 2 once on day 49; the cut is day 63
    history = purchase_history([1, 1, 1, 1, 2, 1], [0, 14, 35, 35, 49, 70], [10, 20, 15, 15, 40, 99], end_day=63)
    # then: the day-70 purchase is after the cut; same-day purchases are one purchase day
    assert history.customer.tolist() == [1, 2]
    assert history.frequency.tolist() == [2, 0] and history.monetary.tolist() == [20, 40]
    assert history.recency_weeks.tolist() == [4, 2] and history.tenure_weeks.tolist() == [9, 2]
    assert history.last_gap_weeks.tolist() == [3, 2]  # a one-time buyer's gap is their tenure
    with_mail = replace(history, extra={"mail_opens_90d": [3, 0]})
    assert with_mail.names[-1] == "mail_opens_90d" and with_mail.raw().shape == (2, 6)


@pytest.mark.parametrize("change, message", [
    (lambda h, y: (replace(h, recency_weeks=np.where(np.arange(len(y)) == 3, np.nan, h.recency_weeks)), y), "NaN"),
    (lambda h, y: (h, y[:-1]), "one per customer"),
    (lambda h, y: (replace(h, extra={"opens": np.zeros(len(y) - 1)}), y), "one value per customer"),
    (lambda h, y: (replace(h, extra={"opens": np.full(len(y), np.inf)}), y), "NaN"),
    (lambda h, y: (h, np.where(y, 2, 0)), "0/1"),
    (lambda h, y: (h, np.where(np.arange(len(y)) == 0, np.nan, y.astype(float))), "NaN"),
])
def test_bad_inputs_raise_a_clear_value_error(change, message):
    history, labels = simulated_shop(300, seed=1)
    with pytest.raises(ValueError, match=message):
        fit_propensity(*change(history, labels), 13.0)


def test_bad_horizon_method_and_columns_raise():
    history, labels = simulated_shop(300, seed=1)
    with pytest.raises(ValueError, match="horizon"):
        fit_propensity(history, labels, 0.0)
    with pytest.raises(ValueError, match="method"):
        fit_propensity(history, labels, 13.0, method="forest")
    result = fit_propensity(history, labels, 13.0, method="logistic", folds=3)
    with pytest.raises(ValueError, match="columns"):
        score(result.model, replace(history, extra={"opens": np.zeros(300)}))
