"""harness/judging.py: (case, measurement) -> judgement, without pytest or files."""
import math

import pytest

from harness import stats
from harness.claim import All, AtLeast, Case, Claim, Exact, Excluded, Measured, Tier
from harness.judging import MisusedMeasurement, drift_tolerance, judge

SAMPLES = [1.2, 1.4, 1.3]


def case(rule=AtLeast(1.0), **tier):
    return Case(Claim("c", "001", "1", "1", "q", "r", {"fast": Tier(rule, seeds=(0, 1, 2, 3), **tier)}), "fast")


def mean(samples=SAMPLES, confidence=0.95):
    return stats.mean_ci(samples, confidence=confidence)


def test_an_interval_above_the_threshold_is_reproduced_and_the_fields_are_plain():
    iv = mean()
    got = judge(case(), Measured(iv.point, interval=iv, samples=SAMPLES, details={"x": 1}))
    assert (got.verdict, got.message, got.evidence) == ("reproduced", "", "interval")
    assert got.fields["interval"]["confidence"] == 0.95 and got.fields["interval"]["n"] == 3
    assert got.fields["samples"] == SAMPLES and got.fields["details"] == {"x": 1}
    assert math.isclose(got.fields["value"], 1.3)


def test_an_interval_straddling_the_threshold_is_inconclusive_and_one_below_is_refuted():
    assert judge(case(AtLeast(1.3)), Measured(1.3, interval=mean())).verdict == "inconclusive"
    assert judge(case(AtLeast(2.0)), Measured(1.3, interval=mean())).verdict == "refuted"


@pytest.mark.parametrize("confidence, rule", [(0.975, AtLeast(1.0)), (0.95, All({"a": AtLeast(1), "b": AtLeast(1)}))])
def test_an_interval_at_the_wrong_confidence_is_a_misuse(confidence, rule):
    iv = mean(confidence=confidence)
    interval = iv if not isinstance(rule, All) else {"a": iv, "b": iv}
    value = iv.point if not isinstance(rule, All) else {"a": iv.point, "b": iv.point}
    with pytest.raises(MisusedMeasurement, match=f"at confidence {confidence}, the rule needs"):
        judge(case(rule), Measured(value, interval=interval))


def test_all_reads_each_part_at_the_bonferroni_level():
    rule = All({"a": AtLeast(0.9), "b": AtLeast(0.9)})
    interval = {"a": mean(confidence=0.975), "b": mean([2.0, 2.2, 2.1], confidence=0.975)}
    got = judge(case(rule), Measured({k: v.point for k, v in interval.items()}, interval=interval))
    assert got.verdict == "reproduced" and {k: v["confidence"] for k, v in got.fields["interval"].items()} == {
        "a": 0.975, "b": 0.975}


def test_nan_or_inf_is_an_error_not_inconclusive():
    for value in (float("nan"), {"a": float("inf")}):
        got = judge(case(), Measured(value))
        assert got.verdict == "error" and got.message.startswith("non-finite measurement")


def test_drops_need_a_declared_rule_and_must_be_seeds_of_the_tier():
    iv = mean()
    with pytest.raises(MisusedMeasurement, match=r"dropped without a declared Tier\(drop=...\)"):
        judge(case(), Measured(iv.point, interval=iv, dropped=[3]))
    declared = case(drop="seeds whose loss became NaN")
    assert judge(declared, Measured(iv.point, interval=iv, dropped=[3])).fields["dropped"] == [3]
    with pytest.raises(MisusedMeasurement, match=r"dropped seeds \[7\] are not among the tier's seeds"):
        judge(declared, Measured(iv.point, interval=iv, dropped=[7]))


def test_evidence_single_run_exact_and_excluded():
    assert judge(case(), Measured(0.5)).evidence == "single run"
    assert (judge(case(), Measured(0.5)).verdict) == "refuted"
    assert judge(case(Exact(12)), Measured(12)).evidence == "exact"
    assert judge(case(Excluded()), Measured(None)).verdict == "excluded"


def test_a_measuring_function_must_return_measured():
    with pytest.raises(MisusedMeasurement, match="returned float, not Measured"):
        judge(case(), 1.0)


def test_the_drift_tolerance_is_round_off_unless_the_rule_declares_more():
    from harness.claim import Close
    assert drift_tolerance(Exact(3)) == 1e-6
    assert drift_tolerance(All({"a": Close(1.0, rtol=0.05), "b": AtLeast(0)})) == 0.05
