"""Bootstrap confidence intervals over training seeds.

Percentile bootstrap: the n per-seed values are resampled with replacement
``n_resamples`` times, the statistic is computed on each resample, and the
``(1 - confidence)/2`` and ``(1 + confidence)/2`` quantiles of those resampled
statistics (``np.percentile``, default linear interpolation) are the interval.
Seeded with ``np.random.default_rng(seed)``: same inputs and seed, same interval.

Paired: when ``a[i]`` and ``b[i]`` come from the same seed (same initialisation,
same data order), the seed indices are resampled jointly, so the variation the
two runs share cancels in the ratio or difference. Resampling ``a`` and ``b``
independently would count that shared variation as noise and widen the interval.

Few seeds: with 3-5 seeds the bootstrap distribution has few distinct values and
its percentile interval is narrow, approximately the range of the seed values
(with 3 seeds the 95% interval of the mean is exactly [min, max]: the resample
that repeats the smallest value has probability 1/27 > 2.5%). It cannot know
about values the seeds did not reach, so it is reported together with the
per-seed values (``judge(samples=...)``) and never alone.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A point estimate and its confidence interval, in the units of the samples."""
    point: float
    low: float
    high: float
    confidence: float
    n_resamples: int
    method: str

    def to_dict(self) -> dict:
        """Plain float/int/str fields, JSON-ready."""
        return {"point": float(self.point), "low": float(self.low), "high": float(self.high),
                "confidence": float(self.confidence), "n_resamples": int(self.n_resamples),
                "method": str(self.method)}

    def straddles(self, x: float) -> bool:
        """True if ``low < x < high`` strictly: x is inside and the interval cannot
        tell which side of x the statistic lies. An endpoint equal to x, or a
        zero-width interval, does not straddle. (The verdict rules in
        ``harness.claim`` decide their own boundary cases.)"""
        return bool(self.low < x < self.high)


def _validate(confidence, n_resamples, **arrays) -> list:
    """-> the arrays as float, each 1-D of the same length n >= 1 (one value per seed)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    out = [np.asarray(x, dtype=float) for x in arrays.values()]
    for name, x in zip(arrays, out):
        if x.ndim != 1 or x.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array (one value per seed), got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} contains NaN or inf: {x.tolist()}")
    if len({x.size for x in out}) > 1:
        raise ValueError(f"{' and '.join(arrays)} must be paired by seed (same length), "
                         f"got lengths {[x.size for x in out]}")
    return out


def _bootstrap(point, n, resampled, confidence, n_resamples, seed, method) -> Interval:
    """resampled: seed-index matrix (n_resamples, n) -> statistic per row (n_resamples,)."""
    if n == 1:
        return Interval(float(point), float(point), float(point), float(confidence), 0, "n=1: no interval")
    stats = np.asarray(resampled(np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))), float)
    if stats.shape != (n_resamples,):
        raise ValueError(f"the statistic gave shape {stats.shape} over resamples, expected ({n_resamples},)")
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(stats, [tail, 100 - tail])
    return Interval(float(point), float(low), float(high), float(confidence), int(n_resamples), method)


def _takes_axis(f) -> bool:
    try:
        return "axis" in inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False


def bootstrap_ci(samples, statistic=np.mean, *, confidence=0.95, n_resamples=10_000, seed=0) -> Interval:
    """Percentile-bootstrap interval of ``statistic`` over 1-D ``samples`` (shape (n,),
    e.g. one value per training seed). point = statistic(samples). ``statistic`` is
    applied along axis=1 of the (n_resamples, n) resample matrix if it takes ``axis``,
    else row by row. With n=1: zero-width interval, n_resamples 0."""
    (x,) = _validate(confidence, n_resamples, samples=samples)
    vectorised = _takes_axis(statistic)

    def resampled(idx):
        return statistic(x[idx], axis=1) if vectorised else [statistic(row) for row in x[idx]]
    return _bootstrap(statistic(x), x.size, resampled, confidence, n_resamples, seed, "percentile bootstrap")


def paired_ratio_ci(a, b, *, confidence=0.95, n_resamples=10_000, seed=0) -> Interval:
    """Interval of mean(a) / mean(b), a[i] and b[i] from seed i (shape (n,) each),
    by resampling seed indices jointly. b must be all > 0 or all < 0, so that no
    resampled mean(b) is zero. point = mean(a) / mean(b)."""
    a, b = _validate(confidence, n_resamples, a=a, b=b)
    if not (np.all(b > 0) or np.all(b < 0)):
        raise ValueError(f"b must be all positive or all negative for a ratio of means, got {b.tolist()}")
    return _bootstrap(a.mean() / b.mean(), a.size, lambda idx: a[idx].mean(axis=1) / b[idx].mean(axis=1),
                      confidence, n_resamples, seed, "paired percentile bootstrap, ratio of means")


def paired_difference_ci(a, b, *, confidence=0.95, n_resamples=10_000, seed=0) -> Interval:
    """Interval of mean(a - b), a[i] and b[i] from seed i (shape (n,) each), by
    resampling seed indices jointly; the same interval as ``bootstrap_ci(a - b)``."""
    a, b = _validate(confidence, n_resamples, a=a, b=b)
    d = a - b
    return _bootstrap(d.mean(), d.size, lambda idx: d[idx].mean(axis=1),
                      confidence, n_resamples, seed, "paired percentile bootstrap, mean difference")
