"""The acceptance rules turn values and intervals into the verdicts the README promises."""
import numpy as np
import pytest

from harness.claim import (INCONCLUSIVE, REFUTED, REPRODUCED, All, AtLeast, AtMost, Between, Claim,
                           Close, Exact, Tier, cases)


def test_exact_compares_numpy_and_nested_values_as_plain_python():
    rule = Exact({"layers": [0, 7850], "shape": (None, 10)})
    assert rule.verdict({"layers": np.array([0, 7850]), "shape": [None, np.int64(10)]}) == REPRODUCED
    assert rule.verdict({"layers": [0, 7851], "shape": (None, 10)}) == REFUTED


def test_close_uses_the_stated_tolerance():
    rule = Close([0.00899964, 0.9999595], atol=1e-7)
    assert rule.verdict([0.0089996355, 0.99995947]) == REPRODUCED
    assert rule.verdict([0.0089998, 0.9999595]) == REFUTED


@pytest.mark.parametrize("interval, verdict", [
    ((0.991, 0.995), REPRODUCED), ((0.985, 0.995), INCONCLUSIVE), ((0.980, 0.989), REFUTED),
    ((0.99, 0.99), REPRODUCED),
])
def test_at_least_with_an_interval(interval, verdict):
    assert AtLeast(0.99).verdict(0.99, interval) == verdict


@pytest.mark.parametrize("interval, verdict", [
    ((-0.02, -0.01), REPRODUCED), ((-0.01, 0.01), INCONCLUSIVE), ((0.001, 0.01), REFUTED),
])
def test_at_most_with_an_interval(interval, verdict):
    assert AtMost(0.0).verdict(-0.01, interval) == verdict


def test_without_an_interval_the_value_decides():
    assert AtLeast(2.0).verdict(2.0) == REPRODUCED
    assert AtLeast(2.0).verdict(1.99) == REFUTED
    assert AtMost(2.0).verdict(2.01) == REFUTED


@pytest.mark.parametrize("interval, verdict", [
    ((0.6, 1.5), REPRODUCED), ((0.3, 1.5), INCONCLUSIVE), ((3.0, 9.0), REFUTED), ((0.01, 0.4), REFUTED),
])
def test_between_needs_the_whole_interval_inside_the_band(interval, verdict):
    assert Between(0.5, 2.0).verdict(1.0, interval) == verdict


def test_all_is_refuted_by_any_part_and_reproduced_only_by_every_part():
    rule = All({"sigmoid": AtMost(0.1), "relu": AtLeast(0.1)})
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.5}) == REPRODUCED
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.05}) == REFUTED
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.5},
                        {"sigmoid": (0.005, 0.02), "relu": (0.05, 0.9)}) == INCONCLUSIVE
    assert str(rule) == "sigmoid <= 0.1; relu >= 0.1"


def test_cases_gives_one_marked_param_per_claim_and_tier():
    claim = Claim("x", "000", "1", "1", "q", "r",
                  {"fast": Tier(Exact(1)), "full": Tier(Exact(1), seeds=(0, 1, 2), config={"epochs": 3})})
    params = cases([claim])
    assert [p.id for p in params] == ["x-fast", "x-full"]
    assert [m.name for p in params for m in p.marks] == ["fast", "full"]
    full = params[1].values[0]
    assert (full.seeds, full.config, full.rule) == ((0, 1, 2), {"epochs": 3}, Exact(1))
    assert claim.citation == "000_246e87af60bdcab5.txt §1, line 1"
    other = Claim("y", "001", "2", "2", "q", "r", {"fast": Tier(Exact(2))})
    assert [p.id for p in cases([claim, other], "y")] == ["y-fast"]
    with pytest.raises(AssertionError, match="no such claims"):
        cases([claim], "z")
