"""harness/engine/power.py: the power of n seeds, by resampling a pilot and judging each draw."""
import math

import numpy as np
from scipy import stats as scipy_stats

from harness.kit import stats
from harness.engine import power
from harness.engine.claim import All, AtLeast, Case, Claim, Exact, Measured, Tier

DRAWS = 500  # judge() reads scipy's t test, milliseconds a draw: fewer draws than a pilot's


def case(rule, seeds=(0, 1, 2)):
    return Case(Claim("c", "001", "1", "1", "q", "r", {"fast": Tier(rule, seeds=seeds)}), "fast")


def normal_pilot(mu, size=1000):
    """``size`` evenly spaced quantiles of N(mu, 1): a pilot that is its population."""
    return list(scipy_stats.norm.ppf((np.arange(size) + 0.5) / size, loc=mu))


def test_power_of_a_mean_matches_the_noncentral_t():
    """AtLeast(0) on a Student-t interval of n values from N(0.8, 1): decisive when the lower end
    is >= 0, i.e. t > t_(n-1)(0.975), whose probability is the noncentral t's tail (refuting,
    the upper end below 0, is negligible here)."""
    n, mu = 5, 0.8
    got = power.power(case(AtLeast(0.0)), Measured(estimate=stats.mean(normal_pilot(mu))), n, DRAWS)
    expected = scipy_stats.nct.sf(scipy_stats.t.ppf(0.975, n - 1), n - 1, mu * math.sqrt(n))
    assert abs(got - expected) < 3 * math.sqrt(expected * (1 - expected) / DRAWS), (got, expected)


def test_a_value_on_the_threshold_is_rarely_decisive_and_a_far_one_always():
    on = Measured(estimate=stats.mean(normal_pilot(0.0)))
    far = Measured(estimate=stats.mean(normal_pilot(10.0)))
    assert power.power(case(AtLeast(0.0)), on, 5, DRAWS) < 0.1  # about 5%: the interval misses 0 either way
    assert power.power(case(AtLeast(0.0)), far, 3, DRAWS) == 1.0


def test_paired_values_are_drawn_together():
    """a = b + 1 seed by seed: every draw's differences are all 1, so the interval has no width
    and the verdict is decisive; drawing a and b apart would give them spread."""
    b = [float(i) for i in range(30)]
    pilot = Measured(estimate=stats.paired_difference([x + 1 for x in b], b))
    assert power.power(case(AtLeast(0.5)), pilot, 2, DRAWS) == 1.0


def test_all_parts_are_judged_on_the_same_draw_with_the_other_values_kept():
    rule = All({"a": AtLeast(0.0), "b": AtLeast(0.0), "shape": Exact([3, 4])})
    pilot = {"a": stats.mean(normal_pilot(100.0, 30)), "b": stats.mean(normal_pilot(100.0, 30))}
    assert power.power(case(rule), Measured({"shape": [3, 4]}, estimate=pilot), 3, DRAWS) == 1.0
    assert power.power(case(rule), Measured({"shape": [3, 5]}, estimate=pilot), 3, DRAWS) == 1.0  # refuted
    drawn = power.resampled(Measured({"shape": [3, 4]}, estimate=pilot), [0, 0, 29])
    assert drawn.value == {"shape": [3, 4]} and drawn.estimate["a"].arrays == ([pilot["a"].arrays[0][i]
                                                                               for i in (0, 0, 29)],)


def test_smallest_n_is_the_first_to_reach_the_target_and_the_same_every_time():
    pilot = Measured(estimate=stats.mean(normal_pilot(3.0)))
    n, powers = power.smallest_n(case(AtLeast(0.0)), pilot, draws=DRAWS)
    assert list(powers) == list(range(2, n + 1)) and powers[n] >= power.TARGET > powers[n - 1]
    assert power.smallest_n(case(AtLeast(0.0)), pilot, draws=DRAWS) == (n, powers)
    on = Measured(estimate=stats.mean(normal_pilot(0.0)))
    assert power.smallest_n(case(AtLeast(0.0)), on, ns=[2], draws=DRAWS)[0] is None
