"""Lift of a mailing over a random holdout: per-recipient means, their difference and ratio, 95% intervals.

Pure arithmetic on sufficient statistics (count, sum, sum of squares of a
per-recipient outcome in each group), so the caller aggregates in SQL and
nothing here reads a table.

* **Difference** of means (mailed − holdout) with Welch's standard error
  ``sqrt(s²₁/n₁ + s²₀/n₀)`` and a normal 95% interval: the outcome is a
  count or an amount per recipient, and the groups are hundreds or more,
  where the central limit theorem holds well (the tests check the coverage
  by simulation with a known effect).
* **Relative lift** (mailed / holdout − 1) with the delta-method interval on
  the log of the ratio, ``exp(log r ± z·sqrt(s²₁/(n₁m₁²) + s²₀/(n₀m₀²))) − 1``;
  undefined (None) when either group has a mean of zero.
* **Too small to tell**: fewer than ``MIN_GROUP`` recipients in either group,
  fewer than ``MIN_EVENTS`` recipients with any outcome in both groups together,
  or an interval of the difference wider than twice the holdout's mean (it
  could not tell doubling from nothing). Otherwise the verdict is
  ``positive`` or ``negative`` when the interval excludes zero, else
  ``no_clear_effect``.
"""

from dataclasses import dataclass
from math import exp, log, sqrt

from scipy.stats import norm

Z95 = float(norm.ppf(0.975))
MIN_GROUP = 100
MIN_EVENTS = 10

VERDICTS = ("too_small", "positive", "negative", "no_clear_effect")


@dataclass(frozen=True)
class GroupStats:
    """A per-recipient outcome in one group: recipients, how many had a non-zero outcome, sum and sum of squares."""

    n: int
    nonzero: int
    total: float
    squares: float

    def __post_init__(self):
        if self.n < 0 or self.nonzero < 0 or self.nonzero > self.n or self.squares < 0:
            raise ValueError(f"inconsistent group statistics: {self}")

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        """The sample variance (n − 1); 0 below two recipients."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.squares - self.total * self.total / self.n) / (self.n - 1))


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    mailed_mean: float
    holdout_mean: float
    difference: Interval | None  # None when a group is empty
    relative: Interval | None  # None when a mean is zero
    verdict: str


def compare(mailed: GroupStats, holdout: GroupStats, *, z: float = Z95, min_group: int = MIN_GROUP,
            min_events: int = MIN_EVENTS) -> Comparison:
    """The difference and relative lift of the per-recipient mean of ``mailed`` over ``holdout``."""
    if mailed.n == 0 or holdout.n == 0:
        return Comparison(mailed.mean, holdout.mean, None, None, "too_small")
    m1, m0 = mailed.mean, holdout.mean
    se = sqrt(mailed.variance / mailed.n + holdout.variance / holdout.n)
    difference = Interval(m1 - m0, m1 - m0 - z * se, m1 - m0 + z * se)
    relative = None
    if m1 > 0 and m0 > 0:
        se_log = sqrt(mailed.variance / (mailed.n * m1 * m1) + holdout.variance / (holdout.n * m0 * m0))
        ratio = log(m1 / m0)
        relative = Interval(exp(ratio) - 1, exp(ratio - z * se_log) - 1, exp(ratio + z * se_log) - 1)
    too_small = (min(mailed.n, holdout.n) < min_group or mailed.nonzero + holdout.nonzero < min_events
                 or difference.high - difference.low > 2 * m0)
    if too_small:
        verdict = "too_small"
    elif difference.low > 0:
        verdict = "positive"
    elif difference.high < 0:
        verdict = "negative"
    else:
        verdict = "no_clear_effect"
    return Comparison(m1, m0, difference, relative, verdict)
