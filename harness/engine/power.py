"""Power of a tier's seed count, from a pilot on seeds that are never reported.

A pilot measures a claim with its tier's config on pilot seeds (>= 100, e.g. 100-129).
Taking those per-seed values as the population, ``power`` draws n of them with
replacement (a seed's values stay together: paired arrays and every part of an ``All``),
judges each draw exactly as the harness judges a run of n seeds (the same estimates, their
intervals at the rule's confidence, the same rule: harness/engine/judging.py), and returns
the fraction of draws whose verdict is decisive, reproduced or refuted. ``smallest_n`` is
the fewest seeds whose power reaches ``TARGET``.

    python -m harness.engine.power <claim id> [--tier fast] [--seeds 100-129]

runs the pilot (float32 without XLA, op determinism as the tier's own run has it) and
prints the power per n. The power a claim declares (``Tier(power=Power(...))``) is what
this printed for the pilot named there.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys

import numpy as np

from harness import settings
from harness.engine.claim import REFUTED, REPRODUCED, Case, Claim, Measured, SeedLog
from harness.engine.judging import judge
from harness.kit.stats import Estimate

TARGET = 0.8  # the power a seed count must reach
DRAWS = 2000  # resamples per n: Monte Carlo standard error <= 0.011
FAST_PILOT = "seeds 100-129, fast-tier config, 2,000 draws per n, commit 570a336"  # behind the fast tier's Power


def with_seeds(case: Case, n: int) -> Case:
    """The case with its tier's seeds replaced by range(n), as a run that measured them all."""
    tier = dataclasses.replace(case.claim.tiers[case.tier], seeds=tuple(range(n)))
    return Case(dataclasses.replace(case.claim, tiers={**case.claim.tiers, case.tier: tier}), case.tier,
                SeedLog(measured=list(range(n))))


def resampled(measured: Measured, rows) -> Measured:
    """``measured`` with every estimate's per-seed values taken at ``rows`` (indices into its
    measured seeds, shape (n,)); its other values kept, nothing dropped."""
    def take(e: Estimate) -> Estimate:
        return Estimate(e.statistic, tuple([values[i] for i in rows] for values in e.arrays))
    estimate = measured.estimate
    estimate = {k: take(e) for k, e in estimate.items()} if isinstance(estimate, dict) else take(estimate)
    return Measured(measured.value, estimate=estimate)


def seeds_measured(measured: Measured) -> int:
    """How many seeds the pilot's estimates have values for."""
    estimate = measured.estimate
    return (next(iter(estimate.values())) if isinstance(estimate, dict) else estimate).n


def power(case: Case, measured: Measured, n: int, draws: int = DRAWS, seed: int = 0) -> float:
    """P(decisive verdict) with n seeds: the fraction of ``draws`` resamples of n of the pilot's
    seeds (with replacement) that ``judge`` finds reproduced or refuted under the case's rule."""
    case_n, rng = with_seeds(case, n), np.random.default_rng(seed)
    rows = rng.integers(seeds_measured(measured), size=(draws, n))
    verdicts = [judge(case_n, resampled(measured, r)).verdict for r in rows]
    return sum(v in (REPRODUCED, REFUTED) for v in verdicts) / draws


def smallest_n(case: Case, measured: Measured, ns=range(2, 31), target: float = TARGET,
               draws: int = DRAWS) -> tuple:
    """-> (the first n of ``ns`` whose power reaches ``target``, or None; {n: power} up to it)."""
    powers = {}
    for n in ns:
        powers[n] = power(case, measured, n, draws)
        if powers[n] >= target:
            return n, powers
    return None, powers


def find(claim_id: str) -> Claim:
    """The claim ``claim_id`` from the claims/ file that declares it."""
    for path in sorted((settings.ROOT / "claims").glob("test_*.py")):
        if f'"{claim_id}"' in path.read_text():
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = sys.modules[path.stem] = importlib.util.module_from_spec(spec)  # AutoGraph looks it up
            spec.loader.exec_module(module)
            return next(c for c in module.CLAIMS if c.id == claim_id)
    raise SystemExit(f"no claim {claim_id!r} in claims/")


def pilot(claim: Claim, tier: str, seeds) -> tuple[Case, Measured]:
    """-> (the claim's case in ``tier``, its measurement on ``seeds`` with the tier's config)."""
    from harness.kit import device
    settings.activate(device.configure(settings.Settings.from_environment(markexpr=tier)))
    device.use(exact=True)
    case = Case(claim, tier)
    tier_on_pilot = dataclasses.replace(claim.tiers[tier], seeds=tuple(seeds))
    return case, claim.measure(Case(dataclasses.replace(claim, tiers={tier: tier_on_pilot}), tier))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m harness.engine.power", description=__doc__.split("\n\n")[0])
    parser.add_argument("claim")
    parser.add_argument("--tier", default="fast")
    parser.add_argument("--seeds", default="100-129", help="first-last, pilot seeds (>= 100)")
    args = parser.parse_args(argv)
    first, last = map(int, args.seeds.split("-"))
    if first < 100:
        raise SystemExit("pilot seeds are >= 100: seeds below are the reported ones")
    case, measured = pilot(find(args.claim), args.tier, range(first, last + 1))
    chosen, powers = smallest_n(case, measured)
    print(f"{args.claim} [{args.tier}], pilot seeds {args.seeds}, {DRAWS} resamples per n, target {TARGET}")
    for n, p in powers.items():
        print(f"  n = {n:2d}: power {p:.3f}")
    print(f"  smallest n with power >= {TARGET}: {chosen}")


if __name__ == "__main__":
    main()
