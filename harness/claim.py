"""What a claim is, how its acceptance rule turns a measurement into a verdict.

A claim is plain data, written before anything runs: where the document says it,
the rule that decides it and why, and per tier (``fast``, ``full``) the seeds and
sizes to run it with. A claim file lists its claims and has one test that
measures and hands the measurement to the ``judge`` fixture (see conftest.py),
which applies the rule, records the verdict in the scoreboard and makes the
pytest outcome agree with it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np
import pytest

REPRODUCED, REFUTED, INCONCLUSIVE = "reproduced", "refuted", "inconclusive"
SKIPPED, ERROR, EXCLUDED = "skipped", "error", "excluded"

DOCUMENTS = {
    "000": "000_246e87af60bdcab5.txt",
    "001": "001_5a5eb00db87bdd94.txt",
    "002": "002_76b65f55eeed5dac.txt",
}


# --- acceptance rules --------------------------------------------------------
# Each rule maps (value, interval) to a verdict. ``interval`` is a (low, high)
# pair, e.g. a bootstrap confidence interval over seeds; with an interval the
# verdict is inconclusive when the interval straddles the threshold.

@dataclass(frozen=True)
class Exact:
    """The measured value equals ``expected`` exactly (counts, shapes, API facts)."""
    expected: Any

    def verdict(self, value, interval=None):
        return REPRODUCED if plain(value) == plain(self.expected) else REFUTED

    def __str__(self):
        return f"== {self.expected!r}"


@dataclass(frozen=True)
class Close:
    """Every element of the measured array is within ``atol + rtol*|expected|``."""
    expected: Any
    rtol: float = 0.0
    atol: float = 0.0

    def verdict(self, value, interval=None):
        ok = np.allclose(np.asarray(value, float), np.asarray(self.expected, float),
                         rtol=self.rtol, atol=self.atol)
        return REPRODUCED if ok else REFUTED

    def __str__(self):
        return f"≈ {plain(self.expected)} (rtol {self.rtol:g}, atol {self.atol:g})"


@dataclass(frozen=True)
class AtLeast:
    """value >= threshold; with an interval: reproduced if low >= threshold,
    refuted if high < threshold, inconclusive otherwise."""
    threshold: float

    def verdict(self, value, interval=None):
        low, high = interval if interval is not None else (value, value)
        if low >= self.threshold:
            return REPRODUCED
        return REFUTED if high < self.threshold else INCONCLUSIVE

    def __str__(self):
        return f">= {self.threshold:g}"


@dataclass(frozen=True)
class AtMost:
    """value <= threshold; with an interval: reproduced if high <= threshold,
    refuted if low > threshold, inconclusive otherwise."""
    threshold: float

    def verdict(self, value, interval=None):
        low, high = interval if interval is not None else (value, value)
        if high <= self.threshold:
            return REPRODUCED
        return REFUTED if low > self.threshold else INCONCLUSIVE

    def __str__(self):
        return f"<= {self.threshold:g}"


@dataclass(frozen=True)
class Between:
    """low <= value <= high (a band); with an interval it must lie inside the band,
    and is refuted when it lies wholly outside."""
    low: float
    high: float

    def verdict(self, value, interval=None):
        lo, hi = interval if interval is not None else (value, value)
        if self.low <= lo and hi <= self.high:
            return REPRODUCED
        return REFUTED if hi < self.low or lo > self.high else INCONCLUSIVE

    def __str__(self):
        return f"in [{self.low:g}, {self.high:g}]"


@dataclass(frozen=True)
class All:
    """Several named rules that must all hold: ``value`` and ``interval`` are dicts
    with the same keys. Refuted if any part is refuted, reproduced if all are."""
    rules: dict

    def verdict(self, value, interval=None):
        interval = interval or {}
        parts = [r.verdict(value[k], interval.get(k)) for k, r in self.rules.items()]
        if REFUTED in parts:
            return REFUTED
        return REPRODUCED if all(p == REPRODUCED for p in parts) else INCONCLUSIVE

    def __str__(self):
        return "; ".join(f"{k} {r}" for k, r in self.rules.items())


@dataclass(frozen=True)
class Excluded:
    """Not a test: the statement is recorded as excluded, with the claim's reason."""

    def verdict(self, value, interval=None):
        return EXCLUDED

    def __str__(self):
        return "not tested"


def plain(value):
    """numpy scalars/arrays and tuples -> plain Python, for comparison and JSON."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


# --- claims ------------------------------------------------------------------

@dataclass(frozen=True)
class Tier:
    """How a claim runs in one tier: its rule, seeds and sizes (plain data).
    expect: the verdict this tier is expected to give when it differs from the
    claim's (e.g. a small fast-tier run that cannot decide what the full tier does)."""
    rule: Any
    seeds: tuple = (0,)
    config: dict = field(default_factory=dict)
    expect: str = ""


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a document.

    doc: "000", "001" or "002" (see DOCUMENTS); section and lines as in the
    document; quote: its own words, short. reason: why the rule is what it is,
    written before measuring. expect: the verdict that makes the test pass,
    "reproduced" normally, "refuted" for a claim we know the document gets wrong
    (then ``reason`` gives the arithmetic). port: what changed from the
    document's TF 2.0 code to run on Keras 3. tiers: {"fast": Tier, "full": Tier}.
    """
    id: str
    doc: str
    section: str
    lines: str
    quote: str
    reason: str
    tiers: dict
    expect: str = REPRODUCED
    port: str = ""
    document_value: str = ""

    @property
    def citation(self):
        return f"{DOCUMENTS[self.doc]} §{self.section}, line {self.lines}"


@dataclass(frozen=True)
class Case:
    """A claim in one tier: what a claim test receives as its parameter."""
    claim: Claim
    tier: str

    @property
    def rule(self):
        return self.claim.tiers[self.tier].rule

    @property
    def expect(self):
        return self.claim.tiers[self.tier].expect or self.claim.expect

    @property
    def seeds(self):
        return self.claim.tiers[self.tier].seeds

    @property
    def config(self):
        return self.claim.tiers[self.tier].config


def expecting(claim: Claim, **per_tier: str) -> Claim:
    """``claim`` with its own expected verdict in the named tiers, e.g.
    ``expecting(c, fast=INCONCLUSIVE, full=REPRODUCED)``."""
    tiers = {t: replace(tier, expect=per_tier.get(t, tier.expect)) for t, tier in claim.tiers.items()}
    return replace(claim, tiers=tiers)


def cases(claims: Sequence[Claim], *ids: str):
    """pytest params, one per (claim, tier), marked with the tier, id 'claim_id-tier'.
    ids: only these claims, for a file whose tests measure different claims."""
    unknown = set(ids) - {c.id for c in claims}
    assert not unknown, f"no such claims: {sorted(unknown)}"
    claims = [c for c in claims if not ids or c.id in ids]
    return [
        pytest.param(Case(c, tier), marks=getattr(pytest.mark, tier), id=f"{c.id}-{tier}")
        for c in claims for tier in c.tiers
    ]
