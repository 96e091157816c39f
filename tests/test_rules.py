"""The acceptance rules turn values and intervals into verdicts; a case's confidence."""
import math

import numpy as np
import pytest

from harness.engine.claim import (EXCLUDED, INCONCLUSIVE, REFUTED, REPRODUCED, All, AtLeast, AtMost, Between, Case,
                           Claim, Close, Exact, Excluded, Measured, RefuteOnly, ReproduceOnly, Tier, cases, claim_test,
                           plain)


def test_exact_compares_numpy_and_nested_values_as_plain_python():
    rule = Exact({"layers": [0, 7850], "shape": (None, 10)})
    assert rule.verdict({"layers": np.array([0, 7850]), "shape": [None, np.int64(10)]}) == REPRODUCED
    assert rule.verdict({"layers": [0, 7851], "shape": (None, 10)}) == REFUTED
    assert Exact(7850).verdict(np.int64(7850)) == REPRODUCED
    assert Exact(7850).verdict(7850.5) == REFUTED
    assert Exact("relu").verdict("relu", (0.0, 1.0)) == REPRODUCED  # an interval does not matter
    assert str(Exact(7850)) == "== 7850"


def test_close_uses_the_stated_tolerance():
    rule = Close([0.00899964, 0.9999595], atol=1e-7)
    assert rule.verdict([0.0089996355, 0.99995947]) == REPRODUCED
    assert rule.verdict([0.0089998, 0.9999595]) == REFUTED
    relative = Close([10.0, 10.0, 10.0], rtol=1e-3)
    assert relative.verdict([9.9901, 10.0099, 10.0]) == REPRODUCED   # |x - 10| <= 0.01
    assert relative.verdict([9.9899, 10.0, 10.0]) == REFUTED
    with pytest.raises(ValueError):
        Close([1.0, 2.0], rtol=1e-3).verdict([1.0, 2.0, 3.0])  # a shape mismatch is an error, not a verdict
    assert str(relative) == "≈ [10.0, 10.0, 10.0] (rtol 0.001, atol 0)"


@pytest.mark.parametrize("interval, verdict", [
    ((0.991, 0.995), REPRODUCED), ((0.985, 0.995), INCONCLUSIVE), ((0.980, 0.989), REFUTED),
    ((0.99, 0.99), REPRODUCED), ((0.99, 1.0), REPRODUCED), ((0.98, 0.99), INCONCLUSIVE),
    ((-math.inf, math.inf), INCONCLUSIVE),
])
def test_at_least_with_an_interval(interval, verdict):
    # the point value does not matter once there is an interval
    assert AtLeast(0.99).verdict(0.5, interval) == verdict


@pytest.mark.parametrize("interval, verdict", [
    ((-0.02, -0.01), REPRODUCED), ((-0.01, 0.01), INCONCLUSIVE), ((0.001, 0.01), REFUTED),
    ((-0.01, 0.0), REPRODUCED), ((0.0, 0.01), INCONCLUSIVE), ((-math.inf, math.inf), INCONCLUSIVE),
])
def test_at_most_with_an_interval(interval, verdict):
    assert AtMost(0.0).verdict(5.0, interval) == verdict


def test_without_an_interval_the_value_decides():
    assert AtLeast(2.0).verdict(2.0) == REPRODUCED
    assert AtLeast(2.0).verdict(1.99) == REFUTED
    assert AtMost(2.0).verdict(2.0) == REPRODUCED
    assert AtMost(2.0).verdict(2.01) == REFUTED
    assert Between(0.5, 2.0).verdict(0.5) == REPRODUCED
    assert Between(0.5, 2.0).verdict(2.0) == REPRODUCED
    assert Between(0.5, 2.0).verdict(2.01) == REFUTED
    assert Between(0.5, 2.0).verdict(0.49) == REFUTED
    assert (str(AtLeast(0.99)), str(AtMost(0.9)), str(Between(0.5, 2.0))) == (">= 0.99", "<= 0.9", "in [0.5, 2]")


@pytest.mark.parametrize("interval, verdict", [
    ((0.6, 1.5), REPRODUCED), ((0.5, 2.0), REPRODUCED), ((0.3, 1.5), INCONCLUSIVE), ((1.5, 2.5), INCONCLUSIVE),
    ((0.3, 2.5), INCONCLUSIVE), ((3.0, 9.0), REFUTED), ((0.01, 0.4), REFUTED),
])
def test_between_needs_the_whole_interval_inside_the_band(interval, verdict):
    assert Between(0.5, 2.0).verdict(1.0, interval) == verdict


def test_all_is_refuted_by_any_part_and_reproduced_only_by_every_part():
    rule = All({"sigmoid": AtMost(0.1), "relu": AtLeast(0.1)})
    assert rule.parts == 2
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.5}) == REPRODUCED
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.05}) == REFUTED
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.5},
                        {"sigmoid": (0.005, 0.02), "relu": (0.05, 0.9)}) == INCONCLUSIVE
    # refuted wins over inconclusive
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.5},
                        {"sigmoid": (0.2, 0.3), "relu": (0.05, 0.9)}) == REFUTED
    # a part without an interval is read on its value
    assert rule.verdict({"sigmoid": 0.01, "relu": 0.5}, {"relu": (0.2, 0.9)}) == REPRODUCED
    assert rule.verdict({"sigmoid": 0.5, "relu": 0.5}, {"relu": (0.2, 0.9)}) == REFUTED
    assert str(rule) == "sigmoid <= 0.1; relu >= 0.1"
    assert All({"a": Exact(1), "b": Close(2.0, atol=0.1), "c": Between(0, 1)}).parts == 3


@pytest.mark.parametrize("interval, refute_only, reproduce_only", [
    ((0.2, 0.4), INCONCLUSIVE, REPRODUCED), ((0.4, 0.6), INCONCLUSIVE, INCONCLUSIVE),
    ((0.6, 0.9), REFUTED, INCONCLUSIVE),
])
def test_one_sided_budgets_keep_only_the_verdict_they_can_give(interval, refute_only, reproduce_only):
    assert RefuteOnly(AtMost(0.5)).verdict(0.3, interval) == refute_only
    assert ReproduceOnly(AtMost(0.5)).verdict(0.3, interval) == reproduce_only
    assert str(ReproduceOnly(AtMost(0.5))) == "<= 0.5 (this budget can only reproduce)"


def test_excluded_is_excluded_whatever_the_value():
    assert Excluded().verdict(None) == EXCLUDED
    assert Excluded().verdict(3.0, (0.0, 1.0)) == EXCLUDED
    assert str(Excluded()) == "not tested"


def claim(rule, **tiers):
    return Claim("x", "000", "1", "1", "q", "r", {"fast": Tier(rule), **tiers}, measure=lambda case: Measured(1))


@pytest.mark.parametrize("rule, confidence", [
    (AtLeast(0.99), 0.95), (Exact(1), 0.95), (Between(0, 1), 0.95), (Excluded(), 0.95),
    (All({"a": AtLeast(1)}), 0.95),
    (All({"a": AtLeast(1), "b": AtMost(2)}), 0.975),
    (All({"a": AtLeast(1), "b": AtMost(2), "c": Between(0, 1)}), 1 - 0.05 / 3),
    (All({k: AtLeast(0) for k in "abcde"}), 0.99),
])
def test_case_confidence_is_95_percent_or_bonferroni_for_all(rule, confidence):
    assert Case(claim(rule), "fast").confidence == pytest.approx(confidence, abs=1e-15)


def test_cases_gives_one_marked_param_per_claim_and_tier():
    mark = pytest.mark.exact_numerics("why")
    c = Claim("x", "000", "1", "1", "q", "r",
              {"fast": Tier(Exact(1)), "full": Tier(AtLeast(1), seeds=(0, 1, 2), config={"epochs": 3},
                                                    drop="seeds whose loss became NaN")},
              measure=lambda case: Measured(1), marks=(mark,))
    params = cases([c])
    assert [p.id for p in params] == ["x-fast", "x-full"]
    assert [[m.name for m in p.marks] for p in params] == [["fast", "exact_numerics"], ["full", "exact_numerics"]]
    full = params[1].values[0]
    assert (full.id, full.seeds, full.config, full.rule) == ("x-full", (0, 1, 2), {"epochs": 3}, AtLeast(1))
    assert full.claim.tiers["full"].drop == "seeds whose loss became NaN"
    assert c.citation == "000_246e87af60bdcab5.txt §1, line 1"
    with pytest.raises(AssertionError, match="claim ids used twice: \\['x'\\]"):
        cases([c, c])


def test_claim_test_needs_a_measuring_function_unless_excluded():
    no_measure = Claim("y", "001", "2", "2", "q", "r", {"fast": Tier(AtLeast(1))})
    with pytest.raises(AssertionError, match="without a measuring function: \\['y'\\]"):
        claim_test([no_measure])
    excluded = Claim("z", "001", "2", "2", "q", "r", {"fast": Tier(Excluded())})
    test = claim_test([excluded])
    assert [p.id for p in test.pytestmark[0].args[1]] == ["z-fast"]


def test_plain_makes_values_json_ready():
    assert plain({"a": np.float32(0.5), 1: (np.int64(2), np.array([1, 2]))}) == {"a": 0.5, "1": [2, [1, 2]]}
    assert plain(float("nan")) == "nan" and plain(float("-inf")) == "-inf"
