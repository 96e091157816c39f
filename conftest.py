"""The suite's one fixture, ``judge``, and the hooks that keep the scoreboard honest.

A claim test is parametrized with ``harness.claim.cases(CLAIMS)``, measures, and
calls ``judge(value, interval=..., samples=..., details=..., figure=...)`` once.
``judge`` applies the claim's rule, writes the entry (and the plot) to
``results/<tier>/``, and fails the test when the verdict is not the expected one.
A claim test that is skipped (e.g. its dataset is absent) or raises is recorded
as "skipped" or "error" with the reason; one that passes without calling
``judge`` fails, since it has checked nothing.
"""
import os
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported

import pytest  # noqa: E402

from harness import device, report, scoreboard  # noqa: E402
from harness.claim import ERROR, SKIPPED, Case, plain  # noqa: E402

JUDGED = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """``pytest claims -m fast`` runs in one pytest-xdist worker per CPU core (each claim
    file in one worker, so that its trainings are shared between its claims): half
    the wall time on 2 cores. ``-n 0`` (or ``--pdb``) keeps one process."""
    if (config.option.markexpr == "fast" and config.pluginmanager.hasplugin("xdist")
            and not hasattr(config, "workerinput") and "PYTEST_XDIST_WORKER" not in os.environ
            and getattr(config.option, "numprocesses", 0) is None and not config.option.usepdb
            and (os.cpu_count() or 1) > 1):
        config.option.numprocesses, config.option.dist = "auto", "loadfile"


def pytest_configure(config):
    device.configure(fast_tier_only=config.option.markexpr == "fast")


@pytest.fixture(autouse=True)
def _numerics(request):
    """The run's device options (mixed precision, XLA: harness/device.py), or float32
    without XLA for a test marked ``@pytest.mark.exact_numerics(reason)``."""
    device.use(exact=request.node.get_closest_marker("exact_numerics") is not None)


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from seed 0: unseeded runs would not repeat, and op
    determinism (harness/device.py, on by default) requires a seed before any random
    op. Claims that train several seeds reseed through ``harness.training.train``."""
    from harness.training import seed_everything
    seed_everything(0)


def _case(item):
    callspec = getattr(item, "callspec", None)
    case = callspec.params.get("case") if callspec else None
    return case if isinstance(case, Case) else None


def _interval(interval):
    """Interval object, (low, high) pair, None, or a dict of those -> (pairs, JSON form)."""
    if interval is None:
        return None, None
    if isinstance(interval, dict):
        parts = {k: _interval(v) for k, v in interval.items()}
        return {k: p[0] for k, p in parts.items()}, {k: p[1] for k, p in parts.items()}
    if hasattr(interval, "low"):
        return (interval.low, interval.high), interval.to_dict()
    low, high = interval
    return (float(low), float(high)), [float(low), float(high)]


def _entry(case: Case, verdict: str, **fields) -> dict:
    claim = case.claim
    return {
        "id": claim.id, "tier": case.tier, "document": claim.doc, "citation": claim.citation,
        "section": claim.section, "lines": claim.lines, "quote": claim.quote,
        "document_value": claim.document_value, "rule": str(case.rule), "reason": claim.reason,
        "port": claim.port, "seeds": list(case.seeds), "config": case.config,
        "expected": case.expect, "verdict": verdict, "passed": verdict == case.expect,
        "options": dict(device.ACTIVE), "commit": scoreboard.git_commit(), "when": scoreboard.now(),
        **fields,
    }


@pytest.fixture
def judge(request):
    case = _case(request.node)
    assert case is not None, "judge is for tests parametrized with harness.claim.cases()"
    start = time.perf_counter()

    def _judge(value, *, interval=None, samples=None, details=None, figure=None):
        pairs, interval_json = _interval(interval)
        verdict = case.rule.verdict(value, pairs)
        entry = _entry(case, verdict, value=plain(value), interval=interval_json,
                       samples=plain(samples), details=plain(details or {}),
                       seconds=round(time.perf_counter() - start, 3))
        if figure is not None:
            name = f"{case.claim.id}.png"
            scoreboard.save_figure(figure, scoreboard.results_dir() / case.tier / name)
            entry["plot"] = f"{case.tier}/{name}"
        scoreboard.record(case.tier, entry)
        request.node.stash[JUDGED] = True
        if verdict != case.expect:
            pytest.fail(f"{case.claim.id} [{case.tier}]: {verdict}, expected {case.expect}; "
                        f"measured {entry['value']} (interval {interval_json}), rule {case.rule}",
                        pytrace=False)
        return verdict

    return _judge


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    case = _case(item)
    if case is None or item.stash.get(JUDGED, False):
        return rep
    if rep.skipped and rep.when in ("setup", "call"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        for prefix in ("Skipped: ", "harness.data.DataUnavailable: "):
            reason = reason.removeprefix(prefix)
        scoreboard.record(case.tier, _entry(case, SKIPPED, reason=reason))
    elif rep.failed and rep.when == "call":
        exc = "".join(traceback.format_exception_only(call.excinfo.type, call.excinfo.value)).strip()
        scoreboard.record(case.tier, _entry(case, ERROR, reason=exc))
    elif rep.passed and rep.when == "call":
        rep.outcome = "failed"
        rep.longrepr = f"{case.claim.id}: the test passed without calling judge(); it checked nothing"
    return rep


def pytest_sessionfinish(session):
    """Regenerate results/README.md once, in the main process (with pytest-xdist the
    workers have written their entries; the controller collects no items itself)."""
    if hasattr(session.config, "workerinput"):
        return
    ran_claims = any(_case(item) for item in session.items) or session.config.getoption("dist", "no") != "no"
    if ran_claims:
        report.write(scoreboard.results_dir())
