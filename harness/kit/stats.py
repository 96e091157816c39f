"""Confidence intervals over training seeds, from ``scipy.stats``.

One value per seed (shape (n,)), n >= 2: one run has no interval ("single run").

- ``mean_ci(x)``: Student-t interval of the mean (``scipy.stats.ttest_1samp``).
- ``paired_difference_ci(a, b)``: the same on a[i] - b[i], runs i sharing seed i.
- ``paired_ratio_ci(a, b)``: Fieller's interval of mean(a) / mean(b) for paired
  runs: the ratios r for which the Student-t test of mean(a - r*b) = 0 does not
  reject. Exact under normal errors, like the t interval; unbounded (low = -inf or
  high = inf) when mean(b) is not clearly away from 0.
- ``bootstrap_ci(samples, statistic)``: BCa bootstrap (``scipy.stats.bootstrap``,
  ``paired=True`` for several arrays) for a statistic that is not a mean. Its
  coverage falls short of nominal with few seeds (tests/test_stats.py measures it),
  so it refuses n < 10.
- ``proportion_ci(k, n)``: Clopper-Pearson interval of a proportion
  (``scipy.stats.binomtest``), e.g. k correct of n test images.

The coverage of the first three is simulated at n = 3, 5 and 10 in
tests/test_stats.py and must be within two points of nominal.

Claims do not call these themselves: a measuring function hands the harness an
``Estimate`` (``mean(x)``, ``paired_difference(a, b)``, ``paired_ratio(a, b)``: the
per-seed values and the statistic to read on them), and harness/engine/judging.py checks one
value per measured seed and computes the interval at the confidence the claim's rule
needs. One seed: the point estimate, a single run, no interval.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_BOOTSTRAP_N = 10


@dataclass(frozen=True)
class Interval:
    """A point estimate and its two-sided confidence interval, in the samples' units.
    n: how many values (seeds) it rests on; method: how it was computed."""
    point: float
    low: float
    high: float
    confidence: float
    n: int
    method: str

    def to_dict(self) -> dict:
        """JSON-ready (an unbounded end is the string "inf" / "-inf")."""
        def f(x):
            return float(x) if math.isfinite(x) else str(float(x))
        return {"point": f(self.point), "low": f(self.low), "high": f(self.high),
                "confidence": float(self.confidence), "n": int(self.n), "method": self.method}


def _values(confidence, **arrays) -> list:
    """-> the arrays as float, each 1-D, finite, of one common length n >= 2."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    out = [np.asarray(x, dtype=float) for x in arrays.values()]
    for name, x in zip(arrays, out):
        if x.ndim != 1:
            raise ValueError(f"{name} must be 1-D (one value per seed), got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} contains NaN or inf: {x.tolist()}")
        if x.size < 2:
            raise ValueError(f"{name} has {x.size} value(s): one run has no interval (report it as a single run)")
    if len({x.size for x in out}) > 1:
        raise ValueError(f"{' and '.join(arrays)} must be paired by seed (same length), "
                         f"got lengths {[x.size for x in out]}")
    return out


def mean_ci(samples, *, confidence: float = 0.95) -> Interval:
    """Student-t interval of the mean of ``samples`` (n,). Zero spread: zero width."""
    (x,) = _values(confidence, samples=samples)
    if np.ptp(x) == 0:
        return Interval(x[0], x[0], x[0], confidence, x.size, "Student t (no spread)")
    ci = stats.ttest_1samp(x, 0.0).confidence_interval(confidence)
    return Interval(float(x.mean()), float(ci.low), float(ci.high), confidence, x.size, "Student t")


def paired_difference_ci(a, b, *, confidence: float = 0.95) -> Interval:
    """Student-t interval of mean(a - b), a[i] and b[i] from seed i (shape (n,) each)."""
    a, b = _values(confidence, a=a, b=b)
    iv = mean_ci(a - b, confidence=confidence)
    return Interval(iv.point, iv.low, iv.high, confidence, iv.n, "paired Student t, mean difference")


def paired_ratio_ci(a, b, *, confidence: float = 0.95) -> Interval:
    """Fieller interval of mean(a) / mean(b), a[i] and b[i] from seed i (shape (n,) each).

    The set of r with t(r)**2 <= q, t(r) the one-sample t statistic of a - r*b and
    q = t_{n-1}(1 - alpha/2)**2, is a quadratic inequality in r. When mean(b) is
    not significant at this level the set is unbounded and so is the interval."""
    a, b = _values(confidence, a=a, b=b)
    n = a.size
    point = a.mean() / b.mean()
    q = stats.t.ppf((1 + confidence) / 2, n - 1) ** 2
    ma, mb = a.mean(), b.mean()
    saa, sbb = np.var(a, ddof=1) / n, np.var(b, ddof=1) / n
    sab = np.cov(a, b, ddof=1)[0, 1] / n
    # (ma - r mb)^2 - q (saa - 2 r sab + r^2 sbb) <= 0  ->  A r^2 + B r + C <= 0
    A, B, C = mb ** 2 - q * sbb, -2 * (ma * mb - q * sab), ma ** 2 - q * saa
    method = "paired Fieller (Student t), ratio of means"
    if saa == 0 and sbb == 0:
        return Interval(point, point, point, confidence, n, method + " (no spread)")
    disc = B * B - 4 * A * C
    if A <= 0:  # mean(b) not away from zero: the set is unbounded
        return Interval(point, -math.inf, math.inf, confidence, n, method + " (unbounded)")
    root = math.sqrt(max(disc, 0.0))
    return Interval(point, (-B - root) / (2 * A), (-B + root) / (2 * A), confidence, n, method)


def bootstrap_ci(samples, statistic, *, confidence: float = 0.95, paired: bool = False,
                 n_resamples: int = 9999, seed: int = 0) -> Interval:
    """BCa bootstrap interval of ``statistic`` (``scipy.stats.bootstrap``).

    samples: one array (n,) or, with ``paired=True``, a tuple of arrays (n,) from the
    same seeds; ``statistic(*arrays, axis=-1)``. n >= 10: below that BCa undercovers."""
    arrays = samples if paired else (samples,)
    xs = _values(confidence, **{f"samples[{i}]": x for i, x in enumerate(arrays)})
    if xs[0].size < MIN_BOOTSTRAP_N:
        raise ValueError(f"the BCa bootstrap needs n >= {MIN_BOOTSTRAP_N} values, got {xs[0].size}: "
                         "use a Student-t interval of a mean instead")
    res = stats.bootstrap(tuple(xs), statistic, confidence_level=confidence, method="BCa", paired=paired,
                          vectorized=True, n_resamples=n_resamples, rng=np.random.default_rng(seed))
    return Interval(float(statistic(*xs, axis=-1)), float(res.confidence_interval.low),
                    float(res.confidence_interval.high), confidence, xs[0].size, "BCa bootstrap")


@dataclass(frozen=True)
class Estimate:
    """A statistic of per-seed values, to be read at the rule's confidence by the harness.
    arrays: one (mean) or two (paired) sequences, one value per measured seed each."""
    statistic: str  # "mean", "paired difference" or "paired ratio"
    arrays: tuple

    @property
    def n(self) -> int:
        """How many seeds the values come from."""
        return len(self.arrays[0])

    @property
    def point(self) -> float:
        a = np.asarray(self.arrays[0], dtype=float)
        if self.statistic == "mean":
            return float(a.mean())
        b = np.asarray(self.arrays[1], dtype=float)
        return float((a - b).mean()) if self.statistic == "paired difference" else float(a.mean() / b.mean())

    def interval(self, confidence: float) -> Interval:
        """The interval at ``confidence`` (n >= 2)."""
        read = {"mean": mean_ci, "paired difference": paired_difference_ci, "paired ratio": paired_ratio_ci}
        return read[self.statistic](*self.arrays, confidence=confidence)


def mean(x) -> Estimate:
    """The mean of per-seed values x (n,): Student t."""
    return Estimate("mean", (list(x),))


def paired_difference(a, b) -> Estimate:
    """mean(a - b) of paired per-seed values: Student t on the differences."""
    return Estimate("paired difference", (list(a), list(b)))


def paired_ratio(a, b) -> Estimate:
    """mean(a) / mean(b) of paired per-seed values: Fieller."""
    return Estimate("paired ratio", (list(a), list(b)))


def proportion_ci(k: int, n: int, *, confidence: float = 0.95) -> Interval:
    """Clopper-Pearson interval of the proportion k / n (k successes of n trials)."""
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence, method="exact")
    return Interval(k / n, float(ci.low), float(ci.high), confidence, int(n), "Clopper-Pearson")
