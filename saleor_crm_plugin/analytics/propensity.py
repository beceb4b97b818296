"""Response propensity: the calibrated probability that a customer buys in the next period, and why (numpy/sklearn).

Inputs are known at the *cut* (the moment of scoring); the label of a
training customer is "bought at least once in the ``horizon_weeks`` after
the cut". In production the nightly job trains on an earlier cut (history
up to now − horizon, labels from the horizon since) and scores today's
history with the model it gets (``score``).

* **Raw inputs** (``PurchaseHistory``): weeks since the last purchase day,
  repeat purchase days ``x``, mean value per purchase day, weeks since the
  first purchase ``T``, the gap between the last two purchase days, and any
  named extra columns the caller passes (mail opens, clicks, consent age…;
  finite numbers, aligned with ``customer``).
* **Model columns** are derived from them: the raw ones, the mean gap between
  purchase days, and BG/NBD's expected purchases in the horizon and P(alive)
  from a ``clv.BetaGeo`` fitted on the training customers only. One-time
  buyers have no gap: both gaps are their tenure (no second purchase within
  ``T`` weeks).
* **Models**: logistic regression (on sign·log1p, standardized) and
  HistGradientBoostingClassifier, each wrapped in CalibratedClassifierCV over
  3 shuffled inner folds (sigmoid for the logistic model; isotonic for the
  trees from 2,000 training customers, sigmoid below). ``method="auto"``
  keeps the one with the lower cross-fitted log loss; the two-way choice makes
  the winner's reported metrics very slightly optimistic.
* **Cross-fitting**: customers are split into ``folds`` stratified folds; each
  is scored by a model (BG/NBD included) trained on the other folds only.
  ``PropensityResult.fold[i]`` names the fold model that scored customer
  ``i``; its ``train_index`` never contains ``i``. The metrics and the
  training customers' probabilities are these out-of-fold ones. A final
  model on all customers serves ``score``.
* **Reasons**: for each raw input, the change in the model's log-odds (before
  calibration) when that input alone is set to the training median, every
  derived column (gaps, BG/NBD) recomputed: a what-if attribution that works
  for both models (for the logistic model without BG/NBD it is exactly
  coef × (value − median)). Positive: the input raises the propensity.
* **Fallback**: fewer than ``MIN_CUSTOMERS`` customers or fewer than
  ``MIN_POSITIVES`` buyers (or non-buyers) cannot train and check a model.
  The prior is BG/NBD's P(at least one purchase in the horizon) when it fits
  (method ``"bgnbd_prior"``), else the shop's base rate (``"base_rate"``),
  always with confidence ``"low"`` and no reasons.
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from .clv import BetaGeo, FitError
from .summary import summarize

MIN_CUSTOMERS = 200
MIN_POSITIVES = 20  # buyers, and as many non-buyers
FOLDS = 5
ISOTONIC_FROM = 2000  # training customers; sigmoid calibration below
TOP_REASONS = 3
CONFIDENCE_AUC = (("high", 0.75), ("medium", 0.65))  # the least cross-fitted ROC AUC for each confidence
RAW = ("recency_weeks", "frequency", "monetary", "tenure_weeks", "last_gap_weeks")
DERIVED = ("mean_gap_weeks", "bgnbd_expected", "bgnbd_p_alive")
METHODS = ("auto", "logistic", "boosting")


def _one_thread():
    """One OpenMP and BLAS thread: on 2 cores a second one gained nothing for 23,570 customers, and on busy cores
    its spinning made a 3,000-customer fit ten times slower (the nightly job shares its worker)."""
    return threadpool_limits(1)


@dataclass
class PurchaseHistory:
    """Each customer's purchase history at the cut; every array aligned with ``customer``.

    Build it with ``purchase_history``; add the CRM's own columns with
    ``dataclasses.replace(history, extra={...})`` (validated again).
    """

    customer: np.ndarray
    recency_weeks: np.ndarray  # since the last purchase day
    frequency: np.ndarray  # repeat purchase days (BG/NBD's x)
    monetary: np.ndarray  # mean value per purchase day
    tenure_weeks: np.ndarray  # since the first purchase day (BG/NBD's T)
    last_gap_weeks: np.ndarray  # between the last two purchase days; tenure for one-time buyers
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.customer = np.asarray(self.customer)
        n = len(self.customer)
        for name in RAW:
            values = np.asarray(getattr(self, name), float)
            _check_column(name, values, n)
            if name != "monetary" and np.any(values < 0):  # refunds may leave a negative spend
                raise ValueError(f"{name} must not be negative")
            setattr(self, name, values)
        if np.any(self.recency_weeks > self.tenure_weeks + 1e-9):
            raise ValueError("recency_weeks cannot exceed tenure_weeks")
        extra = {}
        for name, values in dict(self.extra).items():
            if not isinstance(name, str) or not name or name in RAW + DERIVED:
                raise ValueError(f"extra column name {name!r} is empty, not a string or taken")
            extra[name] = np.asarray(values, float)
            _check_column(f"extra column {name!r}", extra[name], n)
        self.extra = extra

    def raw(self) -> np.ndarray:
        return np.column_stack([getattr(self, name) for name in RAW] + list(self.extra.values()))

    @property
    def names(self) -> tuple:
        return RAW + tuple(self.extra)


def _check_column(name: str, values: np.ndarray, n: int) -> None:
    if values.ndim != 1 or len(values) != n:
        raise ValueError(f"{name} has shape {values.shape}, expected ({n},): one value per customer")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} has NaN or infinite values: fill what is missing with a value that means absent")


def purchase_history(customer, day, value, end_day: float, extra: dict | None = None) -> PurchaseHistory:
    """The history at ``end_day`` from transactions (as ``summary.summarize``; later rows ignored).

    ``extra`` arrays must be aligned with the result's ``customer`` (sorted keys).
    """
    summary = summarize(customer, day, value, end_day=end_day)
    keep = np.floor(np.asarray(day, float)) <= end_day
    pairs = np.unique(np.column_stack([np.asarray(customer, np.int64)[keep],
                                       np.floor(np.asarray(day, float)[keep]).astype(np.int64)]), axis=0)
    last = np.searchsorted(pairs[:, 0], summary.customer, side="right") - 1
    previous_day = pairs[np.maximum(last - 1, 0), 1]
    last_gap = np.where(summary.x > 0, (pairs[last, 1] - previous_day) / 7.0, summary.T)
    return PurchaseHistory(summary.customer, summary.T - summary.t_x, summary.x,
                           summary.monetary_total / (summary.x + 1), summary.T, last_gap, extra or {})


def _fit_bgnbd(raw: np.ndarray) -> BetaGeo | None:
    x, T = raw[:, 1], raw[:, 3]
    try:
        bg = BetaGeo().fit(x, np.where(x > 0, T - raw[:, 0], 0.0), T)
    except FitError:
        return None
    return bg if np.all(np.isfinite(bg.params_)) and bg.a_ + bg.b_ > 1 and abs(bg.a_ - 1) > 1e-6 else None


def _design(raw: np.ndarray, bg: BetaGeo | None, horizon_weeks: float) -> np.ndarray:
    """Model columns from raw inputs: the raw ones, the mean gap and BG/NBD's outputs (zeros without a fit)."""
    recency, x, T = raw[:, 0], raw[:, 1], raw[:, 3]
    t_x = np.where(x > 0, np.clip(T - recency, 0.0, T), 0.0)
    mean_gap = np.where(x > 0, t_x / np.maximum(x, 1), T)
    if bg is None:
        expected = alive = np.zeros(len(raw))
    else:
        expected = bg.expected_purchases(horizon_weeks, x, t_x, T)
        alive = bg.probability_alive(x, t_x, T)
    return np.column_stack([raw, mean_gap, expected, alive])


def _signed_log(values):
    return np.sign(values) * np.log1p(np.abs(values))


def _estimator(kind: str, seed: int):
    if kind == "logistic":
        return make_pipeline(FunctionTransformer(_signed_log), StandardScaler(), LogisticRegression(max_iter=1000))
    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=7, min_samples_leaf=100,
                                          l2_regularization=1.0, early_stopping=False, random_state=seed)


@dataclass
class FittedModel:
    """One calibrated classifier with its own BG/NBD, and the training rows it saw (indices into the fit's input)."""

    kind: str
    bg: BetaGeo | None
    classifier: CalibratedClassifierCV
    reference: np.ndarray  # training medians of the raw inputs, the baseline of the reasons
    train_index: np.ndarray
    horizon_weeks: float

    def probability(self, raw: np.ndarray) -> np.ndarray:
        return self.classifier.predict_proba(_design(raw, self.bg, self.horizon_weeks))[:, 1]

    def log_odds(self, raw: np.ndarray) -> np.ndarray:
        """The uncalibrated score, averaged over the calibration folds' estimators (smooth, unlike isotonic)."""
        design = _design(raw, self.bg, self.horizon_weeks)
        return np.mean([c.estimator.decision_function(design) for c in self.classifier.calibrated_classifiers_], 0)

    def contributions(self, raw: np.ndarray) -> np.ndarray:
        """(customers × raw inputs): log-odds now minus log-odds with that input alone set to the median."""
        now = self.log_odds(raw)
        out = np.empty(raw.shape)
        for j in range(raw.shape[1]):
            moved = raw.copy()
            moved[:, j] = self.reference[j]
            if j == 0:  # recency cannot exceed tenure
                moved[:, 0] = np.minimum(moved[:, 0], moved[:, 3])
            elif j == 3:
                moved[:, 3] = np.maximum(moved[:, 3], moved[:, 0])
            out[:, j] = now - self.log_odds(moved)
        return out


def _fit_model(kind, raw, labels, index, horizon_weeks, seed) -> FittedModel:
    bg = _fit_bgnbd(raw[index])
    y = labels[index]
    # The logistic score is already a log-odds: Platt's rescaling fits it (isotonic lost log loss on CDNOW).
    calibration = "isotonic" if kind == "boosting" and len(index) >= ISOTONIC_FROM else "sigmoid"
    # Shuffled inner folds: in customer order they would be cohorts (ids often follow the first purchase date),
    # each calibrated on customers unlike those its estimator was trained on.
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    classifier = CalibratedClassifierCV(_estimator(kind, seed), method=calibration, cv=inner)
    classifier.fit(_design(raw[index], bg, horizon_weeks), y)
    return FittedModel(kind, bg, classifier, np.median(raw[index], axis=0), np.sort(index), horizon_weeks)


def ranking_metrics(labels, scores) -> dict:
    """ROC AUC, average precision and top-decile lift (buyers among the top 10 % ÷ the base rate).

    Customers tied at the decile's edge fill its remaining places at their
    group's buyer rate (in customer order they would be cut by id, which may
    follow the first purchase date).
    """
    labels, scores = np.asarray(labels, bool), np.asarray(scores, float)
    places = max(1, int(round(len(scores) * 0.1)))
    edge = np.sort(scores)[::-1][places - 1]
    above, tied = scores > edge, scores == edge
    buyers = labels[above].sum() + (places - above.sum()) * labels[tied].mean()
    return {"auc": float(roc_auc_score(labels, scores)),
            "average_precision": float(average_precision_score(labels, scores)),
            "top_decile_lift": float(buyers / places / labels.mean())}


def calibration_table(labels, probability, bins: int = 10) -> np.ndarray:
    """Rows (mean predicted, observed share, customers) per equal-count bin of the predicted probability.

    Ties are broken at random (seeded): in customer order, a bin boundary
    inside a block of equal predictions would sort by whatever the order
    correlates with (in CDNOW, the id with the first purchase date).
    """
    labels, probability = np.asarray(labels, float), np.asarray(probability, float)
    order = np.lexsort((np.random.default_rng(0).random(len(probability)), probability))
    return np.array([(probability[part].mean(), labels[part].mean(), len(part))
                     for part in np.array_split(order, bins) if len(part)])


@dataclass
class PropensityScores:
    """Per customer: probability of buying in the horizon and the top reasons (names, log-odds contributions)."""

    probability: np.ndarray
    reason_names: np.ndarray  # (customers, k) str; empty strings when no reason is claimed
    reason_values: np.ndarray  # (customers, k) log-odds; positive raises the propensity
    method: str
    confidence: str

    def reasons(self, i: int) -> list[tuple[str, float]]:
        return [(str(n), float(v)) for n, v in zip(self.reason_names[i], self.reason_values[i]) if n]


@dataclass
class PropensityModel:
    """What ``score`` needs; ``final`` is None for the fallbacks."""

    method: str  # "logistic", "boosting", "bgnbd_prior", "base_rate"
    confidence: str
    horizon_weeks: float
    names: tuple
    final: FittedModel | None
    prior_bg: BetaGeo | None
    base_rate: float


@dataclass
class PropensityResult:
    """Training output: out-of-fold probabilities and reasons for the training customers, metrics, the model."""

    method: str
    confidence: str
    metrics: dict
    probability: np.ndarray  # cross-fitted (out-of-fold)
    reason_names: np.ndarray
    reason_values: np.ndarray
    fold: np.ndarray  # index into fold_models of the model that scored each customer; −1 for the fallbacks
    fold_models: list
    model: PropensityModel

    def reasons(self, i: int) -> list[tuple[str, float]]:
        return [(str(n), float(v)) for n, v in zip(self.reason_names[i], self.reason_values[i]) if n]


def _top(contributions: np.ndarray, names: tuple, k: int):
    k = min(k, contributions.shape[1])
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    return np.asarray(names)[order], np.take_along_axis(contributions, order, axis=1)


def _no_reasons(n: int, k: int):
    return np.full((n, k), "", dtype=object), np.zeros((n, k))


def _check_fit_inputs(history, labels, horizon_weeks, folds, method, top):
    if not isinstance(history, PurchaseHistory):
        raise ValueError("history must be a PurchaseHistory (see purchase_history)")
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(history.customer):
        raise ValueError(f"labels has shape {labels.shape}, expected ({len(history.customer)},): one per customer")
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("labels have NaN or infinite values")
    if not np.all(np.isin(labels, (0, 1))):
        raise ValueError("labels must be 0/1 or booleans: bought in the horizon or not")
    if len(labels) == 0:
        raise ValueError("no customers to fit on")
    if not (np.isfinite(horizon_weeks) and horizon_weeks > 0):
        raise ValueError(f"horizon_weeks must be positive, not {horizon_weeks!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if int(folds) < 2 or int(top) < 1:
        raise ValueError("folds must be at least 2 and top at least 1")
    return labels.astype(bool)


def fit_propensity(history: PurchaseHistory, labels, horizon_weeks: float, *, method: str = "auto",
                   folds: int = FOLDS, seed: int = 0, top: int = TOP_REASONS) -> PropensityResult:
    """Train on ``history`` (at an earlier cut) and ``labels`` (bought within ``horizon_weeks`` after it).

    Returns out-of-fold probabilities and reasons for these customers, the
    cross-fitted metrics and the model for ``score``. Deterministic for a
    given ``seed``. Raises ValueError on bad inputs.
    """
    y = _check_fit_inputs(history, labels, horizon_weeks, folds, method, top)
    with _one_thread():
        return _fit(history, y, horizon_weeks, method, int(folds), seed, top)


def _fit(history, y, horizon_weeks, method, folds, seed, top) -> PropensityResult:
    raw, n, positives = history.raw(), len(y), int(y.sum())
    if n < MIN_CUSTOMERS or min(positives, n - positives) < MIN_POSITIVES:
        return _fallback(history, y, horizon_weeks, top)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(raw, y))
    fold = np.empty(n, np.int64)
    for k, (_, test) in enumerate(splits):
        fold[test] = k
    candidates, runs = {}, {}
    for kind in (("logistic", "boosting") if method == "auto" else (method,)):
        models = [_fit_model(kind, raw, y, train, horizon_weeks, seed) for train, _ in splits]
        probability = np.empty(n)
        for k, (_, test) in enumerate(splits):
            probability[test] = models[k].probability(raw[test])
        runs[kind] = (models, probability)
        candidates[kind] = {**ranking_metrics(y, probability), "log_loss": float(log_loss(y, probability)),
                            "brier": float(brier_score_loss(y, probability))}
    kind = min(candidates, key=lambda name: candidates[name]["log_loss"])
    models, probability = runs[kind]
    contributions = np.empty(raw.shape)
    for k, (_, test) in enumerate(splits):
        contributions[test] = models[k].contributions(raw[test])
    names, values = _top(contributions, history.names, top)
    metrics = {**candidates[kind], "customers": n, "positives": positives, "base_rate": positives / n,
               "folds": folds, "candidates": candidates}
    confidence = next((label for label, auc in CONFIDENCE_AUC if metrics["auc"] >= auc), "low")
    final = _fit_model(kind, raw, y, np.arange(n), horizon_weeks, seed)
    model = PropensityModel(kind, confidence, float(horizon_weeks), history.names, final, None, positives / n)
    return PropensityResult(kind, confidence, metrics, probability, names, values, fold, models, model)


def _fallback(history, y, horizon_weeks, top) -> PropensityResult:
    raw, n = history.raw(), len(y)
    bg = _fit_bgnbd(raw)
    model = PropensityModel("bgnbd_prior" if bg else "base_rate", "low", float(horizon_weeks), history.names,
                            None, bg, float(y.mean()))
    probability = _prior(model, raw)
    metrics = {"customers": n, "positives": int(y.sum()), "base_rate": float(y.mean()),
               "min_customers": MIN_CUSTOMERS, "min_positives": MIN_POSITIVES}
    if bg is not None and 0 < y.sum() < n:
        metrics["auc"] = float(roc_auc_score(y, probability))  # the prior never saw the labels
    names, values = _no_reasons(n, top)
    return PropensityResult(model.method, "low", metrics, probability, names, values, np.full(n, -1), [], model)


def _prior(model: PropensityModel, raw: np.ndarray) -> np.ndarray:
    if model.prior_bg is None:
        return np.full(len(raw), model.base_rate)
    x, T = raw[:, 1], raw[:, 3]
    silent = model.prior_bg.probability_no_purchase(model.horizon_weeks, x, np.where(x > 0, T - raw[:, 0], 0.0), T)
    return np.clip(1.0 - silent, 0.0, 1.0)


def score(model: PropensityModel, history: PurchaseHistory, *, top: int = TOP_REASONS) -> PropensityScores:
    """Probability of buying within the model's horizon after ``history``'s cut, with the top reasons."""
    if not isinstance(history, PurchaseHistory):
        raise ValueError("history must be a PurchaseHistory (see purchase_history)")
    if history.names != model.names:
        raise ValueError(f"history has columns {history.names}, the model was trained on {model.names}")
    raw = history.raw()
    if model.final is None:
        return PropensityScores(_prior(model, raw), *_no_reasons(len(raw), top), model.method, model.confidence)
    with _one_thread():
        names, values = _top(model.final.contributions(raw), model.names, top)
        probability = model.final.probability(raw)
    return PropensityScores(probability, names, values, model.method, model.confidence)
