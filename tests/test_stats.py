"""Bootstrap intervals: exact small cases, reproducibility, agreement with scipy, coverage, pairing."""
import json

import numpy as np
import pytest
import scipy.stats

from harness.stats import Interval, bootstrap_ci, paired_difference_ci, paired_ratio_ci


def test_constant_samples_give_a_zero_width_interval_at_the_constant():
    ci = bootstrap_ci([0.7, 0.7, 0.7, 0.7], n_resamples=500)
    # every resample is the same multiset, so every resampled mean equals the point exactly
    assert ci.low == ci.point == ci.high
    assert ci.point == pytest.approx(0.7, abs=1e-15)
    assert ci.n_resamples == 500 and ci.confidence == 0.95 and ci.method == "percentile bootstrap"


def test_same_seed_same_interval_other_seed_close_but_not_identical():
    x = np.random.default_rng(3).normal(size=10)
    assert bootstrap_ci(x, seed=1) == bootstrap_ci(x, seed=1)
    a, b = bootstrap_ci(x, seed=1), bootstrap_ci(x, seed=2)
    assert (a.low, a.high) != (b.low, b.high)
    assert a.point == b.point
    assert abs(a.low - b.low) < 0.05 * x.std() and abs(a.high - b.high) < 0.05 * x.std()


def test_two_samples_zero_and_one():
    # the resampled mean of [0, 1] is 0 w.p. 1/4, 0.5 w.p. 1/2, 1 w.p. 1/4. With 20,000
    # resamples ~5,000 are 0 and ~5,000 are 1, so the 2.5th and 97.5th percentiles (np.percentile
    # interpolates between order statistics ~500 and ~19,500) are exactly 0 and 1, and the 30th and
    # 70th (order statistics ~6,000 and ~14,000) both fall among the 0.5s.
    ci = bootstrap_ci([0.0, 1.0], n_resamples=20_000)
    assert (ci.point, ci.low, ci.high) == (0.5, 0.0, 1.0)
    ci = bootstrap_ci([0.0, 1.0], confidence=0.4, n_resamples=20_000)
    assert (ci.low, ci.high) == (0.5, 0.5)


def test_three_seeds_give_the_range_of_the_seed_values():
    # as the module says: the resample (min, min, min) has probability 1/27 > 2.5%
    ci = bootstrap_ci([0.91, 0.95, 0.93])
    assert (ci.low, ci.high) == pytest.approx((0.91, 0.95), abs=1e-15)  # mean of 3 equal floats may round


def test_single_sample_has_no_interval():
    ci = bootstrap_ci([0.42])
    assert (ci.point, ci.low, ci.high, ci.n_resamples) == (0.42, 0.42, 0.42, 0)
    assert ci.method == "n=1: no interval"
    assert paired_ratio_ci([3.0], [1.5]).to_dict()["low"] == 2.0


def test_agrees_with_scipy_percentile_bootstrap():
    x = np.random.default_rng(7).normal(loc=1.0, scale=2.0, size=30)
    ours = bootstrap_ci(x, n_resamples=20_000, seed=0)
    theirs = scipy.stats.bootstrap((x,), np.mean, method="percentile", n_resamples=20_000,
                                   confidence_level=0.95, rng=np.random.default_rng(1))
    tol = 0.02 * x.std(ddof=1)
    assert ours.low == pytest.approx(theirs.confidence_interval.low, abs=tol)
    assert ours.high == pytest.approx(theirs.confidence_interval.high, abs=tol)


def test_coverage_of_the_mean_of_twenty_normal_samples():
    rng = np.random.default_rng(11)
    hits = [bootstrap_ci(rng.normal(size=20), n_resamples=2000, seed=i).straddles(0.0) for i in range(200)]
    # the percentile bootstrap undercovers a little at n=20 (about 92-93% for the mean)
    assert 0.85 <= np.mean(hits) <= 0.99


def test_statistic_without_axis_is_applied_row_by_row():
    x = np.random.default_rng(5).normal(size=9)
    looped = bootstrap_ci(x, lambda v: np.median(v), n_resamples=1000)
    vectorised = bootstrap_ci(x, np.median, n_resamples=1000)
    assert (looped.point, looped.low, looped.high) == (vectorised.point, vectorised.low, vectorised.high)


def test_paired_ratio_of_exactly_proportional_runs():
    b = np.array([1.3, 4.0, 2.2, 7.5])
    ci = paired_ratio_ci(2 * b, b)
    assert (ci.point, ci.low, ci.high) == (2.0, 2.0, 2.0)


def test_pairing_removes_the_shared_per_seed_variation():
    rng = np.random.default_rng(0)
    b = np.exp(rng.normal(scale=1.0, size=8))          # large seed-to-seed variation
    a = 3.0 * b * (1 + 0.01 * rng.normal(size=8))      # same seeds, ratio 3 up to 1% noise
    paired = paired_ratio_ci(a, b, seed=0)
    ia, ib = (np.random.default_rng(s).integers(0, 8, size=(10_000, 8)) for s in (1, 2))
    unpaired = np.percentile(a[ia].mean(axis=1) / b[ib].mean(axis=1), [2.5, 97.5])
    assert 2.9 < paired.low <= paired.point <= paired.high < 3.1
    assert paired.high - paired.low < 0.05 * (unpaired[1] - unpaired[0])
    assert paired.method == "paired percentile bootstrap, ratio of means"


def test_paired_difference_hand_case():
    a, b = np.array([5.0, 7.0]), np.array([4.0, 5.0])
    # differences [1, 2]: resampled mean difference is 1, 1.5 or 2 w.p. 1/4, 1/2, 1/4
    ci = paired_difference_ci(a, b, n_resamples=20_000)
    assert (ci.point, ci.low, ci.high) == (1.5, 1.0, 2.0)
    assert paired_difference_ci(a, b, confidence=0.4).low == 1.5
    # a constant offset over seeds with very different levels: a zero-width interval
    base = np.array([10.0, 200.0, 3000.0])
    ci = paired_difference_ci(base + 0.5, base)
    assert (ci.low, ci.high) == (0.5, 0.5)


def test_paired_difference_is_the_bootstrap_of_the_differences():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=6), rng.normal(size=6)
    d, p = bootstrap_ci(a - b, seed=4), paired_difference_ci(a, b, seed=4)
    assert (d.point, d.low, d.high) == (p.point, p.low, p.high)


def test_interval_to_dict_is_json_ready_and_straddles_is_strict():
    ci = Interval(np.float64(1.5), np.float32(1.0), 2, 0.95, np.int64(100), "m")
    d = ci.to_dict()
    assert json.loads(json.dumps(d)) == {"point": 1.5, "low": 1.0, "high": 2.0, "confidence": 0.95,
                                         "n_resamples": 100, "method": "m"}
    assert ci.straddles(1.5) and not ci.straddles(1.0) and not ci.straddles(2.0) and not ci.straddles(3.0)
    assert not Interval(1.0, 1.0, 1.0, 0.95, 0, "n=1: no interval").straddles(1.0)


@pytest.mark.parametrize("call", [
    lambda: bootstrap_ci([1.0, np.nan, 2.0]),
    lambda: bootstrap_ci([]),
    lambda: bootstrap_ci([[1.0, 2.0], [3.0, 4.0]]),
    lambda: bootstrap_ci([1.0, 2.0], confidence=95),
    lambda: bootstrap_ci([1.0, 2.0], lambda v, axis=None: np.mean(v)),  # ignores axis: one value
    lambda: paired_ratio_ci([1.0, 2.0], [1.0, 2.0, 3.0]),
    lambda: paired_ratio_ci([1.0, 2.0], [-1.0, 2.0]),
    lambda: paired_difference_ci([1.0, np.inf], [1.0, 2.0]),
])
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()
