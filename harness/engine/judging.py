"""Judging: (case, measurement) -> judgement, a pure function.

``judge`` checks what a measuring function handed back (a ``Measured``; the seeds its
loop measured, ``Case.per_seed``, exactly the declared ones less those dropped under a
declared ``Tier(drop=...)``; one value per measured seed in each estimate),
reads each estimate at the confidence the rule needs (``estimated``), turns a NaN or inf
into an error, and otherwise applies the case's rule. A claim computes its own interval
only in a tier that says why (``Tier(across_seeds=...)``), and then at that confidence. It reads no file and records nothing: harness/plugin.py records the
judgement as a scoreboard entry and decides the pytest outcome against the baseline.
"""
from __future__ import annotations

import math
import dataclasses
from dataclasses import dataclass, field

import numpy as np

from harness.engine.claim import ERROR, All, AtLeast, AtMost, Between, Case, Measured, RefuteOnly, ReproduceOnly, plain
from harness.kit.stats import Estimate

THRESHOLD_RULES = (AtLeast, AtMost, Between)


class MisusedMeasurement(TypeError):
    """The measuring function broke the contract: a bug in the claim, not a verdict."""


@dataclass(frozen=True)
class Judgement:
    """verdict; message: why it is an error ('' otherwise); evidence: 'interval', 'single
    run' or 'exact'; fields: the entry's measured part (value, interval, samples, ...)."""
    verdict: str
    message: str
    evidence: str
    fields: dict = field(default_factory=dict)


def intervals(interval) -> dict:
    """Interval or dict of Intervals -> {part: Interval} ('' for a single one)."""
    if interval is None:
        return {}
    return dict(interval) if isinstance(interval, dict) else {"": interval}


def finite(x) -> bool:
    """No NaN or inf anywhere in x (numbers, arrays, lists, dicts of them)."""
    if isinstance(x, dict):
        return all(finite(v) for v in x.values())
    if isinstance(x, (list, tuple, np.ndarray)):
        return all(finite(v) for v in np.asarray(x, dtype=object).ravel())
    if isinstance(x, (float, np.floating)):
        return math.isfinite(x)
    return True


def _pairs(interval):
    if interval is None:
        return None
    if isinstance(interval, dict):
        return {k: (v.low, v.high) for k, v in interval.items()}
    return interval.low, interval.high


def _json_interval(interval):
    if interval is None:
        return None
    return {k: v.to_dict() for k, v in interval.items()} if isinstance(interval, dict) else interval.to_dict()


def thresholds(rule) -> bool:
    """True if the rule (or a part of an All) compares with a threshold."""
    if isinstance(rule, All):
        return any(map(thresholds, rule.rules.values()))
    if isinstance(rule, (RefuteOnly, ReproduceOnly)):
        return thresholds(rule.rule)
    return isinstance(rule, THRESHOLD_RULES)


def evidence(case: Case, measured: Measured) -> str:
    """'interval' (over seeds), 'single run' (a threshold rule read on one run) or 'exact'."""
    if measured.interval is not None:
        return "interval"
    return "single run" if thresholds(case.rule) else "exact"


def measured_seeds(case: Case) -> list:
    """The tier's seeds less those its seed loop dropped: what each estimate must have one value for."""
    return [s for s in case.seeds if s not in case.log.dropped]


def estimated(case: Case, measured: Measured) -> Measured:
    """``measured`` with each estimate read at the case's confidence: its interval (n >= 2)
    and its point filled into ``value``. MisusedMeasurement unless every estimate has one
    value per measured seed."""
    if measured.estimate is None:
        return measured
    estimates = measured.estimate if isinstance(measured.estimate, dict) else {"": measured.estimate}
    seeds = measured_seeds(case)
    for part, e in estimates.items():
        if not isinstance(e, Estimate):
            raise MisusedMeasurement(f"{case.id}: estimate {part!r} is a {type(e).__name__}, not a stats.Estimate")
        if e.n != len(seeds):
            raise MisusedMeasurement(f"{case.id}: estimate {part!r} has {e.n} values for the {len(seeds)} "
                                     f"measured seeds {seeds}: one value per seed")
    read = {k: e.interval(case.confidence) for k, e in estimates.items() if e.n >= 2}
    points = {k: (read[k].point if k in read else e.point) for k, e in estimates.items()}
    if isinstance(measured.estimate, dict):
        value = {**points, **(measured.value or {})}
        interval = read or None
    else:
        value = points[""] if measured.value is None else measured.value
        interval = read.get("")
    return dataclasses.replace(measured, value=value, interval=interval)


def check(case: Case, measured, trained_seeds=()) -> None:
    """MisusedMeasurement if ``measured`` breaks the contract of its case. trained_seeds: the
    seeds of the trainings it read (harness/kit/recipes.py), when it read any: exactly the
    tier's declared seeds."""
    if not isinstance(measured, Measured):
        raise MisusedMeasurement(f"{case.id}: the measuring function returned {type(measured).__name__}, "
                                 "not Measured")
    tier = case.claim.tiers[case.tier]
    if measured.estimate is not None and measured.interval is not None:
        raise MisusedMeasurement(f"{case.id}: both an estimate and an interval: hand the harness the estimate")
    if measured.interval is not None and not tier.across_seeds:
        raise MisusedMeasurement(f"{case.id}: the claim computed its own interval: hand the harness one value per "
                                 "seed (Measured(estimate=stats.mean(...))), or say why it pools values across "
                                 "seeds (Tier(across_seeds=...))")
    for part, iv in intervals(measured.interval).items():
        if not math.isclose(iv.confidence, case.confidence):
            raise MisusedMeasurement(f"{case.id}: interval {part!r} at confidence {iv.confidence}, the rule "
                                     f"needs {case.confidence:.4g} (harness.engine.claim.Case.confidence)")
    if measured.figure is not None and not (isinstance(measured.figure, dict) and "kind" in measured.figure):
        raise MisusedMeasurement(f"{case.id}: figure is a {type(measured.figure).__name__}, not a plot spec of "
                                 "harness/kit/plots.py (plots.curves(...), ...)")
    if case.log.dropped and not tier.drop:
        raise MisusedMeasurement(f"{case.id}: seeds dropped without a declared Tier(drop=...): {case.log.dropped}")
    if trained_seeds and set(trained_seeds) != set(case.seeds):
        raise MisusedMeasurement(f"{case.id}: trained with seeds {sorted(trained_seeds)}, the tier declares "
                                 f"{list(case.seeds)}: measure every declared seed and no other")
    looped = sorted(set(case.log.measured))
    if (measured.estimate is not None or (measured.interval is not None and len(case.seeds) > 1)) and not looped:
        raise MisusedMeasurement(f"{case.id}: values over seeds without the harness's seed loop: measure "
                                 "each declared seed with case.per_seed(...)")
    if looped and looped != sorted(measured_seeds(case)):
        raise MisusedMeasurement(f"{case.id}: measured seeds {looped}, the tier declares {list(case.seeds)}"
                                 f"{f' less the dropped {sorted(case.log.dropped)}' if case.log.dropped else ''}")


def judge(case: Case, measured: Measured, trained_seeds=()) -> Judgement:
    """The verdict of ``case`` on ``measured``: an error for a non-finite measurement, else
    the rule's. Raises MisusedMeasurement (see ``check``)."""
    check(case, measured, trained_seeds)
    measured = estimated(case, measured)
    points = [iv.point for iv in intervals(measured.interval).values()]
    if not (finite(measured.value) and finite(points)):
        verdict, message = ERROR, f"non-finite measurement: {plain(measured.value)}"
    else:
        verdict, message = case.rule.verdict(measured.value, _pairs(measured.interval)), ""
    return Judgement(verdict, message, evidence(case, measured), {
        "value": plain(measured.value), "interval": _json_interval(measured.interval),
        "samples": plain(measured.samples), "details": plain(measured.details or {}),
        "dropped": sorted(case.log.dropped), "drift_tolerance": drift_tolerance(case.rule),
        **({"dropped_because": {str(s): why for s, why in case.log.dropped.items()}} if case.log.dropped else {}),
        **({"trained_seeds": plain(list(trained_seeds))} if trained_seeds else {}),
        **({"measured_seeds": measured_seeds(case), "statistics": _statistics(measured.estimate)}
           if measured.estimate is not None else {})})


def _statistics(estimate):
    """The statistic of each estimate ("mean", "paired ratio", ...), as the estimate is keyed."""
    return {k: e.statistic for k, e in estimate.items()} if isinstance(estimate, dict) else estimate.statistic


def drift_tolerance(rule) -> float:
    """How far a point value (no interval) may move between two runs before the history calls
    it drift, relative to its size: float round-off (1e-6, about 8 float32 ulps) unless the
    rule declares its own (``Close``: its rtol, when larger)."""
    if isinstance(rule, All):
        return max(map(drift_tolerance, rule.rules.values()))
    if isinstance(rule, (RefuteOnly, ReproduceOnly)):
        return drift_tolerance(rule.rule)
    return max(1e-6, getattr(rule, "rtol", 0.0))
