"""harness/engine/judging.py: (case, measurement) -> judgement, without pytest or files."""
import math

import pytest

from harness.kit import stats
from harness.engine.claim import All, AtLeast, Case, Claim, Dropped, Exact, Excluded, Measured, SeedLog, Tier
from harness.engine.judging import MisusedMeasurement, drift_tolerance, judge

SAMPLES = [1.2, 1.4, 1.3]


def case(rule=AtLeast(1.0), seeds=(0, 1, 2), looped=True, **tier):
    """A case; looped: as after a measurement whose seed loop (Case.per_seed) measured every seed."""
    return Case(Claim("c", "001", "1", "1", "q", "r", {"fast": Tier(rule, seeds=seeds, **tier)}), "fast",
                SeedLog(measured=list(seeds) if looped else []))


def nan_on_seed_2(seed):
    if seed == 2:
        raise Dropped("the loss became NaN")
    return SAMPLES[seed]


POOLED = "a proportion of units over every seed's draws"


def mean(samples=SAMPLES, confidence=0.95):
    return stats.mean_ci(samples, confidence=confidence)


def test_the_harness_reads_the_estimate_at_the_rules_confidence_and_records_the_seeds():
    got = judge(case(), Measured(estimate=stats.mean(SAMPLES), samples=SAMPLES, details={"x": 1}))
    assert (got.verdict, got.message, got.evidence) == ("reproduced", "", "interval")
    assert got.fields["interval"] == mean().to_dict() and got.fields["interval"]["n"] == 3
    assert got.fields["measured_seeds"] == [0, 1, 2] and got.fields["statistics"] == "mean"
    assert got.fields["samples"] == SAMPLES and got.fields["details"] == {"x": 1}
    assert math.isclose(got.fields["value"], 1.3)


def test_an_interval_straddling_the_threshold_is_inconclusive_and_one_below_is_refuted():
    assert judge(case(AtLeast(1.3)), Measured(estimate=stats.mean(SAMPLES))).verdict == "inconclusive"
    assert judge(case(AtLeast(2.0)), Measured(estimate=stats.mean(SAMPLES))).verdict == "refuted"


def test_all_reads_each_part_at_the_bonferroni_level_and_keeps_the_other_values():
    rule = All({"a": AtLeast(0.9), "b": AtLeast(0.9)})
    got = judge(case(rule), Measured({"shape": [3, 4]}, estimate={
        "a": stats.mean(SAMPLES), "b": stats.paired_ratio([2.0, 2.2, 2.1], [1.0, 1.1, 1.0])}))
    assert got.verdict == "reproduced"
    assert {k: v["confidence"] for k, v in got.fields["interval"].items()} == {"a": 0.975, "b": 0.975}
    assert got.fields["interval"]["b"] == stats.paired_ratio_ci([2.0, 2.2, 2.1], [1.0, 1.1, 1.0],
                                                               confidence=0.975).to_dict()
    assert set(got.fields["value"]) == {"a", "b", "shape"} and got.fields["statistics"] == {
        "a": "mean", "b": "paired ratio"}


def test_an_estimate_needs_one_value_per_measured_seed():
    with pytest.raises(MisusedMeasurement, match=r"has 2 values for the 3 measured seeds \[0, 1, 2\]"):
        judge(case(), Measured(estimate=stats.mean([1.2, 1.4])))
    declared = case(drop="seeds whose loss became NaN", looped=False)
    got = judge(declared, Measured(estimate=stats.mean(declared.per_seed(nan_on_seed_2))))
    assert got.fields["measured_seeds"] == [0, 1] and got.fields["dropped"] == [2]
    assert got.fields["dropped_because"] == {"2": "the loss became NaN"} and math.isclose(got.fields["value"], 1.3)


def test_the_harness_loops_the_declared_seeds_in_order_and_records_them():
    c, calls = case(looped=False), []
    assert c.per_seed(lambda seed: calls.append(seed) or 10 * seed) == [0, 10, 20]
    assert calls == [0, 1, 2] and c.log.measured == [0, 1, 2] and c.log.dropped == {}
    one = case(seeds=(7,), looped=False)
    assert one.seed == 7 and one.log.measured == [7]
    with pytest.raises(ValueError, match="3 declared seeds: loop them with case.per_seed"):
        case(looped=False).seed


def test_values_over_seeds_need_the_harness_loop_over_exactly_the_declared_seeds():
    with pytest.raises(MisusedMeasurement, match="without the harness's seed loop"):
        judge(case(looped=False), Measured(estimate=stats.mean(SAMPLES)))
    with pytest.raises(MisusedMeasurement, match="without the harness's seed loop"):
        judge(case(looped=False, across_seeds=POOLED), Measured(1.3, interval=mean()))
    partial = case(looped=False)
    partial.log.measured.extend([0, 1, 7])
    with pytest.raises(MisusedMeasurement, match=r"measured seeds \[0, 1, 7\], the tier declares \[0, 1, 2\]"):
        judge(partial, Measured(estimate=stats.mean(SAMPLES)))
    twice = case(looped=False)
    twice.per_seed(float), twice.per_seed(float)  # two recipes per seed: the same seeds twice
    assert judge(twice, Measured(estimate=stats.mean(SAMPLES))).fields["measured_seeds"] == [0, 1, 2]


def test_the_trainings_read_must_be_the_tiers_seeds():
    """A measurement that trained other seeds than the tier's (or left some out) is a bug."""
    with pytest.raises(MisusedMeasurement, match=r"trained with seeds \[0\], the tier declares \[0, 1, 2\]"):
        judge(case(), Measured(estimate=stats.mean(SAMPLES)), trained_seeds=[0])
    with pytest.raises(MisusedMeasurement, match=r"trained with seeds \[0, 1, 2, 7\]"):
        judge(case(), Measured(estimate=stats.mean(SAMPLES)), trained_seeds=[0, 1, 2, 7])
    got = judge(case(), Measured(estimate=stats.mean(SAMPLES)), trained_seeds=[0, 1, 2])
    assert got.fields["trained_seeds"] == [0, 1, 2]
    assert "trained_seeds" not in judge(case(), Measured(estimate=stats.mean(SAMPLES))).fields


def test_one_seed_is_a_single_run_with_its_point_and_no_interval():
    got = judge(case(seeds=(0,)), Measured(estimate=stats.paired_difference([1.5], [1.0])))
    assert (got.verdict, got.evidence, got.fields["value"], got.fields["interval"]) == (
        "refuted", "single run", 0.5, None)


def test_a_claim_computes_its_own_interval_only_where_its_tier_says_why():
    with pytest.raises(MisusedMeasurement, match=r"computed its own interval"):
        judge(case(), Measured(1.3, interval=mean()))
    assert judge(case(across_seeds=POOLED), Measured(1.3, interval=mean())).verdict == "reproduced"
    with pytest.raises(MisusedMeasurement, match="at confidence 0.975, the rule needs 0.95"):
        judge(case(across_seeds=POOLED), Measured(1.3, interval=mean(confidence=0.975)))
    with pytest.raises(MisusedMeasurement, match="both an estimate and an interval"):
        judge(case(across_seeds=POOLED), Measured(estimate=stats.mean(SAMPLES), interval=mean()))


def test_nan_or_inf_is_an_error_not_inconclusive():
    for value in (float("nan"), {"a": float("inf")}):
        got = judge(case(), Measured(value))
        assert got.verdict == "error" and got.message.startswith("non-finite measurement")


def test_drops_need_a_declared_rule():
    undeclared = case(looped=False)
    values = undeclared.per_seed(nan_on_seed_2)
    with pytest.raises(MisusedMeasurement, match=r"seeds dropped without a declared Tier\(drop=...\): \{2: "):
        judge(undeclared, Measured(estimate=stats.mean(values)))


def test_a_figure_is_a_plot_spec_not_a_matplotlib_figure():
    with pytest.raises(MisusedMeasurement, match="figure is a list, not a plot spec"):
        judge(case(), Measured(1.3, figure=[1, 2]))
    assert judge(case(), Measured(1.3, figure={"kind": "points"})).verdict == "reproduced"


def test_evidence_single_run_exact_and_excluded():
    assert judge(case(), Measured(0.5)).evidence == "single run"
    assert (judge(case(), Measured(0.5)).verdict) == "refuted"
    assert judge(case(Exact(12)), Measured(12)).evidence == "exact"
    assert judge(case(Excluded()), Measured(None)).verdict == "excluded"


def test_a_measuring_function_must_return_measured():
    with pytest.raises(MisusedMeasurement, match="returned float, not Measured"):
        judge(case(), 1.0)


def test_the_drift_tolerance_is_round_off_unless_the_rule_declares_more():
    from harness.engine.claim import Close
    assert drift_tolerance(Exact(3)) == 1e-6
    assert drift_tolerance(All({"a": Close(1.0, rtol=0.05), "b": AtLeast(0)})) == 0.05
