"""What a claim is, and how its acceptance rule turns a measurement into a verdict.

A claim is plain data, written before anything runs: where the document says it,
the rule that decides it and why, per tier (``fast``, ``full``, ``benchmark``) the
seeds and sizes to run it with, and a reference to the function that measures it.
A claim file lists its claims in ``CLAIMS`` and ends with
``test_claims = claim_test(CLAIMS)``: the harness owns the parametrized test, which
calls ``claim.measure(case)`` and hands the ``Measured`` result to the ``judge``
fixture (harness/plugin.py). The verdict is the scientific result; whether the
pytest test passes is a separate question, answered against the accepted baseline
(harness/engine/baseline.py).
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

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
# pair, a confidence interval over seeds (harness/kit/stats.py); with an interval the
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
    with the same keys. Refuted if any part is refuted, reproduced if all are.

    Family-wise error: with k parts judged on intervals, each interval is computed
    at confidence 1 - 0.05/k (Bonferroni; ``Case.confidence`` gives it and ``judge``
    checks it), so the chance that any part's interval misses is at most 5%. Holm's
    step-down would be less conservative but needs a p-value per part; the rules
    here are interval rules."""
    rules: dict

    def verdict(self, value, interval=None):
        interval = interval or {}
        parts = [r.verdict(value[k], interval.get(k)) for k, r in self.rules.items()]
        if REFUTED in parts:
            return REFUTED
        return REPRODUCED if all(p == REPRODUCED for p in parts) else INCONCLUSIVE

    def __str__(self):
        return "; ".join(f"{k} {r}" for k, r in self.rules.items())

    @property
    def parts(self) -> int:
        return len(self.rules)


@dataclass(frozen=True)
class RefuteOnly:
    """A budget that can refute the claim but not show it: refuted when ``rule`` is,
    inconclusive otherwise (e.g. a short run that already breaks a barrier the
    document says its long run cannot break; a short run below it shows nothing)."""
    rule: Any

    def verdict(self, value, interval=None):
        return REFUTED if self.rule.verdict(value, interval) == REFUTED else INCONCLUSIVE

    def __str__(self):
        return f"{self.rule} (this budget can only refute)"


@dataclass(frozen=True)
class ReproduceOnly:
    """A budget that can show the claim but not refute it: reproduced when ``rule``
    is, inconclusive otherwise (e.g. a quantity that only moves one way with more
    training: a short run that already crossed the threshold shows it; one that has
    not crossed it yet shows nothing about the long run)."""
    rule: Any

    def verdict(self, value, interval=None):
        return REPRODUCED if self.rule.verdict(value, interval) == REPRODUCED else INCONCLUSIVE

    def __str__(self):
        return f"{self.rule} (this budget can only reproduce)"


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
        return plain(value.tolist())
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
class Power:
    """The probability that a tier's seeds give a decisive verdict (reproduced or refuted)
    under its rule, estimated from a pilot on unreported seeds (harness/engine/power.py).
    pilot: which seeds, at which commit."""
    probability: float
    pilot: str


@dataclass(frozen=True)
class Tier:
    """How a claim runs in one tier: its rule, seeds and sizes (plain data).
    drop: which runs are left out of the statistics (e.g. "seeds whose training
    diverged to NaN"), declared before running; empty: none may be. across_seeds: why
    this claim computes its own interval from values pooled across seeds (e.g. a
    proportion of units over all seeds' draws) instead of handing the harness one value
    per seed (``Measured(estimate=...)``); empty: it may not. power: the seeds' power from a
    pilot, where the seed count was chosen by it (None: not computed)."""
    rule: Any
    seeds: tuple = (0,)
    config: dict = field(default_factory=dict)
    drop: str = ""
    across_seeds: str = ""
    power: Power | None = None


def seeds_by_power(tiers: dict, tier: str, n: int, power: Power) -> dict:
    """``tiers`` with ``tier`` run on seeds 0..n-1, the count its pilot's ``power`` chose."""
    return {**tiers, tier: replace(tiers[tier], seeds=tuple(range(n)), power=power)}


@dataclass(frozen=True)
class Claim:
    """One checkable statement of a document.

    doc: "000", "001" or "002" (see DOCUMENTS); section and lines as in the
    document; quote: its own words, short. reason: why the rule is what it is,
    written before measuring (no measured numbers: the scoreboard holds those).
    measure: the function that measures it, ``measure(case, **fixtures) -> Measured``
    (extra parameters are pytest fixtures, e.g. ``tmp_path``). port: what changed
    from the document's TF 2.0 code to run on Keras 3. tiers: {"fast": Tier, ...}.
    marks: pytest marks for its tests (e.g. ``pytest.mark.exact_numerics(...)``).
    post_hoc: what of its rule, seeds, method or recipe changed after a reported run had
    been seen, and in which commit ("" when nothing did); every entry and the page show it.
    control: non-empty for a positive control, a claim that reproduces a published number
    under its publisher's own setup through the family's measuring code, so that a
    measurement bug shows as a failed control; the string names the source (repository,
    path, cell or line) and the number. ``doc`` is then the document whose family it guards.
    Its tests carry the ``controls`` mark.
    """
    id: str
    doc: str
    section: str
    lines: str
    quote: str
    reason: str
    tiers: dict
    measure: Callable | None = None
    port: str = ""
    document_value: str = ""
    marks: tuple = ()
    post_hoc: str = ""
    control: str = ""

    def __post_init__(self):
        from harness.settings import TIERS
        unknown = sorted(set(self.tiers) - set(TIERS))
        if unknown:
            raise ValueError(f"claim {self.id}: unknown tiers {unknown}; the tiers are {list(TIERS)}")
        if self.doc not in DOCUMENTS:
            raise ValueError(f"claim {self.id}: unknown document {self.doc!r}; one of {sorted(DOCUMENTS)}")

    @property
    def citation(self):
        return f"{DOCUMENTS[self.doc]} §{self.section}, line {self.lines}"


class Dropped(Exception):
    """Raised by a seed's measurement (``Case.per_seed``) to leave that seed out of the
    statistics under the tier's declared drop rule (``Tier(drop=...)``), e.g. a training
    that diverged; the message says why. Without a declared rule the case is an error."""


@dataclass
class SeedLog:
    """What a case's seed loop did in its test (``Case.per_seed``, ``Case.seed``): each seed
    measured, and those dropped with their reasons ({seed: message})."""
    measured: list = field(default_factory=list)
    dropped: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """A claim in one tier: what a measuring function receives.

    The harness owns the seeds: a measuring function loops the tier's declared seeds with
    ``case.per_seed(fn)`` (or reads a one-seed tier's ``case.seed``), never by itself, and
    hands the harness one value per seed (``Measured(estimate=stats.mean(...))``); judging
    checks that the seeds measured are the seeds declared."""
    claim: Claim
    tier: str
    log: SeedLog = field(default_factory=SeedLog, compare=False, repr=False)

    @property
    def id(self) -> str:
        """'<claim id>-<tier>': the test id and the baseline's key."""
        return f"{self.claim.id}-{self.tier}"

    @property
    def rule(self):
        return self.claim.tiers[self.tier].rule

    @property
    def seeds(self) -> tuple:
        """The tier's declared seeds (the harness's: claims loop them with ``per_seed``)."""
        return self.claim.tiers[self.tier].seeds

    @property
    def config(self):
        return self.claim.tiers[self.tier].config

    @property
    def confidence(self) -> float:
        """The confidence of each interval this case's rule reads: 0.95, or
        1 - 0.05/k for an ``All`` of k parts (Bonferroni)."""
        return 1 - 0.05 / getattr(self.rule, "parts", 1)

    def per_seed(self, measure: Callable[[int], Any]) -> list:
        """[measure(seed) for each declared seed], in the declared order, less the seeds whose
        measure raised ``Dropped`` (recorded, with the reason, for judging: the tier must declare
        its drop rule). Each call measures every declared seed; a claim may loop them more than
        once (e.g. two recipes per seed)."""
        values = []
        for seed in self.seeds:
            try:
                values.append(measure(seed))
            except Dropped as why:
                self.log.dropped[seed] = str(why)
            else:
                self.log.measured.append(seed)
        return values

    @property
    def seed(self) -> int:
        """The seed of a one-seed tier (an exact claim, or a single run), recorded as measured."""
        if len(self.seeds) != 1:
            raise ValueError(f"{self.id}: {len(self.seeds)} declared seeds: loop them with case.per_seed")
        self.log.measured.append(self.seeds[0])
        return self.seeds[0]


@dataclass
class Measured:
    """What a measuring function returns.

    estimate: a ``stats.Estimate`` (``stats.mean(x)``, ``stats.paired_ratio(a, b)``, ...:
    one value per measured seed), or a dict of them keyed like an ``All`` rule's parts:
    the harness reads each at the rule's confidence (harness/engine/judging.py), and its points
    fill in ``value``; value: the number (or array, dict of numbers for ``All``) the rule
    reads, for what is not estimated over seeds; interval: only for a tier that declares
    ``across_seeds`` (a ``stats.Interval`` or a dict of them, computed by the claim);
    samples: the per-seed values behind it; details: anything else worth keeping
    (JSON-able); figure: a plot spec of harness/kit/plots.py (``plots.curves(...)``, ...: kept
    in the entry, drawn with the judgement and saved as the claim's plot). Seeds left out
    under the tier's drop rule are the harness's record (``Dropped``, ``Case.log``)."""
    value: Any = None
    estimate: Any = None
    interval: Any = None
    samples: Any = None
    details: dict | None = None
    figure: Any = None


def cases(claims: Sequence[Claim]):
    """pytest params, one per (claim, tier), marked with the tier, ``controls`` for a
    positive control, and the claim's marks, id '<claim id>-<tier>'."""
    ids = [c.id for c in claims]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicated, f"claim ids used twice: {duplicated}"
    return [pytest.param(Case(c, tier), marks=(getattr(pytest.mark, tier), *([pytest.mark.controls] if c.control else []),
                                                *c.marks), id=f"{c.id}-{tier}")
            for c in claims for tier in c.tiers]


def claim_test(claims: Sequence[Claim]):
    """The test of a claim family's file: ``test_claims = claim_test(CLAIMS)``.

    Each case calls its claim's measuring function (with the pytest fixtures its
    extra parameters name) and hands the result to ``judge``."""
    missing = [c.id for c in claims if c.measure is None and not all(isinstance(t.rule, Excluded)
                                                                        for t in c.tiers.values())]
    assert not missing, f"claims without a measuring function: {missing}"

    @pytest.mark.parametrize("case", cases(claims))
    def test_claim(case, judge, request):
        measure = case.claim.measure or measure_nothing
        fixtures = list(inspect.signature(measure).parameters)[1:]
        judge(measure(case, **{name: request.getfixturevalue(name) for name in fixtures}))
    return test_claim


def measure_nothing(case: Case) -> Measured:
    """An excluded claim's measurement: nothing (its reason says why)."""
    return Measured(None)
