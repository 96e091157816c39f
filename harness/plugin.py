"""The suite's pytest plugin (loaded by conftest.py): the ``judge`` fixture, the hooks
that record every claim's outcome, and the run's end (scoreboards, baseline, report).

A claim's test (``harness.engine.claim.claim_test``) measures and calls ``judge(measured)``
once. ``judge`` has harness/engine/judging.py apply the claim's rule, which gives the verdict,
and records the entry in the run's staging folder (harness/engine/scoreboard.py). The run's
settings (harness/settings.py) are built once in ``pytest_configure`` and reach the
pytest-xdist workers through ``workerinput``. The pytest outcome is
the regression check, not the verdict: the test fails when the verdict differs from
the one accepted in ``claims/baseline.json`` (harness/engine/baseline.py), or when it is
an error (an exception, or a NaN/inf measurement). A claim test that is skipped
(e.g. its dataset is absent) is recorded as "skipped" with the reason.

Options: ``--accept-verdicts`` writes this run's judged verdicts into the baseline;
``--claims-strict`` fails a claim that skips (e.g. a nightly whose data is missing).
"""
from __future__ import annotations

import atexit
import dataclasses
import functools
import gc
import logging
import math
import os
import sys
import time
import traceback

import pytest

from harness import settings
from harness.engine import baseline, scoreboard
from harness.kit import recipes
from harness.views import history, results
from harness.engine.claim import DOCUMENTS, ERROR, SKIPPED, Case, plain
from harness.engine.scoreboard import BadFile

CLAIMS_DIR = scoreboard.ROOT / "claims"
JUDGED = pytest.StashKey[bool]()
SUMMARY = pytest.StashKey[dict]()
ACCEPTED = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("claims", "textbook claims")
    group.addoption("--accept-verdicts", action="store_true",
                    help="write this run's verdicts into claims/baseline.json (commit the diff with its reason)")
    group.addoption("--claims-strict", action="store_true",
                    help="a claim that skips (e.g. its dataset is missing) fails the run")


def _controller(config) -> bool:
    """True in pytest-xdist's controller, which runs no test itself."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def _main(config) -> bool:
    """True in the process that ends the run: the xdist controller, or the only process."""
    return not hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """A run of the training tiers (fast, full, nightly, not benchmark) uses one pytest-xdist
    worker per CPU core, and, unless ``--dist`` says otherwise, hands out whole claim files
    (``loadfile``) in collection order: the heaviest first (``_heaviest_files_first``).
    Trainings are shared by recipe across workers whatever the distribution
    (harness/kit/recipes.py); whole files only save waiting. ``-n 0`` (or ``--pdb``) keeps one
    process; the benchmark tier keeps one (timings need the machine to themselves)."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    try:
        tiers = settings.selected_tiers(config.option.markexpr)
    except ValueError:
        return  # pytest_configure reports it
    if (getattr(config.option, "numprocesses", 0) is None and tiers and "benchmark" not in tiers
            and not config.option.usepdb and (os.cpu_count() or 1) > 1):
        config.option.numprocesses = "auto"
    if getattr(config.option, "numprocesses", None) and config.option.dist == "no":
        config.option.dist, config.option.loadscopereorder = "loadfile", False


def _settings(config) -> settings.Settings:
    if hasattr(config, "workerinput"):
        return settings.Settings.from_dict(config.workerinput["claims_settings"]).replace(
            worker=config.workerinput["workerid"], workers=int(config.workerinput["workercount"]))
    return settings.Settings.from_environment(markexpr=config.option.markexpr, run_id=settings.new_run_id())


def pytest_configure(config):
    """Build the run's settings (a usage error if they are wrong), check the files the run
    reads (a corrupt baseline, scoreboard or history is a usage error naming the file), set
    up the staging folder in the main process and the device in every process that runs
    claims."""
    try:
        run = settings.activate(_settings(config))
        if _main(config):
            config.stash[ACCEPTED] = _accepted_verdicts()
            results.Snapshot.load(run.results)
    except (ValueError, BadFile) as e:
        raise pytest.UsageError(str(e)) from None
    if _main(config):
        scoreboard.sweep_stale_runs()
        staging = scoreboard.staging()
        staging.mkdir(parents=True, exist_ok=True)
        (staging / "pid").write_text(str(os.getpid()))
        if config.option.markexpr and "benchmark" in run.tiers and config.getoption("benchmark_json", None) is None:
            (staging / "benchmark").mkdir(exist_ok=True)  # published beside the board it belongs to
            config.option.benchmark_json = str(staging / "benchmark" / scoreboard.BENCHMARK_JSON)
        config.stash[SUMMARY] = {"started": scoreboard.now()}
    if not _controller(config):
        from harness.kit import device
        settings.activate(device.configure(run))
    if hasattr(config, "workerinput"):
        atexit.register(_exit_without_teardown)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: each worker gets the run's settings (its run id included)."""
    node.workerinput["claims_settings"] = settings.current().to_dict()


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """A pytest-xdist worker about to end (``_exit_without_teardown``): its heap, TensorFlow's
    graphs mostly, is frozen, so that pytest's last garbage collections (which look for
    exceptions raised in finalizers) do not scan it: about 0.3 s each on D, twice, while the
    controller waits; the finalizers would not run anyway."""
    if hasattr(config, "workerinput"):
        gc.freeze()


def _exit_without_teardown() -> None:
    """A pytest-xdist worker's last step: it has sent its reports and closed its staged
    files, so it ends here rather than in the interpreter's teardown, where TensorFlow's
    runtime takes seconds to dismantle itself while the controller waits. Exit handlers
    registered after this one have run; logging's, registered before, is called here."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@pytest.fixture(autouse=True)
def _numerics(request):
    """The run's device options (mixed precision, XLA: harness/kit/device.py), or float32
    without XLA for a test marked ``@pytest.mark.exact_numerics(reason)``."""
    from harness.kit import device
    device.use(exact=request.node.get_closest_marker("exact_numerics") is not None)


@pytest.fixture(autouse=True)
def _backend_only(request):
    """A claim about TensorFlow's own API, ``@pytest.mark.tensorflow_only(reason)``, skips
    with its reason on the other Keras backends."""
    only = request.node.get_closest_marker("tensorflow_only")
    backend = settings.current().backend
    if only and backend != "tensorflow":
        pytest.skip(f"TensorFlow-only ({only.args[0]}): not run on {backend}")


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from seed 0 (claims that train several seeds reseed through
    ``harness.kit.training.train``) and with no recipe read yet (harness/kit/recipes.py)."""
    from harness.kit.training import seed_everything
    seed_everything(0)
    recipes.start_test()


def _case(item):
    callspec = getattr(item, "callspec", None)
    case = callspec.params.get("case") if callspec else None
    return case if isinstance(case, Case) else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Before -m/-k deselect anything: which claim cases this run collected, and
    whether it collected every claim file (a complete run needs both)."""
    cases = [c for c in map(_case, items) if c]
    if not cases:
        return
    files = {str(item.path) for item in items if _case(item)}
    whole = {str(p) for p in CLAIMS_DIR.glob("test_*.py")} <= files and session.testsfailed == 0
    scoreboard.write_staged("collected", {"cases": [c.id for c in cases], "whole": whole})
    _heaviest_files_first(items)


def _heaviest_files_first(items) -> None:
    """Order the claim files by the seconds their claims took in the selected tiers' latest
    recorded runs, the heaviest first, a file not recorded yet before all (tests keep their order within
    a file). pytest-xdist then hands the next file to whichever worker is free, so the long
    trainings start at once and the short files fill in: the longest-processing-time-first
    schedule, within a few seconds of the best balance."""
    run = settings.current()
    records = history.load()
    seconds: dict = {}
    for tier in run.tiers:
        for file, s in history.file_seconds(records, run.board(tier)).items():
            seconds[file] = seconds.get(file, 0.0) + s
    if seconds:
        items.sort(key=lambda item: -seconds.get(item.nodeid.split("::")[0], math.inf))


def pytest_collection_finish(session):
    """After deselection: the claim cases this process was given to run."""
    if any(map(_case, session.items)):
        scoreboard.write_staged("selected", [c.id for c in map(_case, session.items) if c])


# --- judging: harness/engine/judging.py decides, the fixture records ------------------

def _entry(case: Case, verdict: str, node: str, **fields) -> dict:
    from harness.kit import device
    claim, tier, run = case.claim, case.claim.tiers[case.tier], settings.current()
    git = scoreboard.git_state()
    return {
        "id": claim.id, "tier": case.tier, "node": node, "document": claim.doc, "citation": claim.citation,
        "section": claim.section, "lines": claim.lines, "quote": claim.quote,
        "document_value": claim.document_value, "rule": str(case.rule), "reason": claim.reason,
        "port": claim.port, "post_hoc": claim.post_hoc, "control": claim.control, "seeds": list(case.seeds),
        "config": plain(case.config), "drop": tier.drop, "power": dataclasses.asdict(tier.power) if tier.power else None,
        "verdict": verdict, "run": run.run_id, "commit": git["commit"], "dirty": bool(git["dirty"]),
        "options": {**device.ACTIVE, "deterministic": run.deterministic}, "worker": run.worker,
        "recipes": recipes.read(), "device": device.describe(), "when": scoreboard.now(), **fields,
    }


def _record(entry: dict) -> None:
    if not scoreboard.staging().joinpath(f"environment-{scoreboard.worker_name()}.json").exists():
        scoreboard.write_staged("environment", scoreboard.environment())
    scoreboard.append_entry(entry)


@functools.cache
def _accepted_verdicts() -> dict:
    """The baseline as this run began (read once per process)."""
    return baseline.load()


@pytest.fixture
def judge(request):
    """``judge(measured)``: judge the case (harness/engine/judging.py), record the entry, and fail
    the test if the verdict is an error or differs from the accepted baseline. Once per test."""
    case = _case(request.node)
    assert case is not None, "judge is for the claim tests of harness.engine.claim.claim_test()"
    case.log.measured.clear()
    case.log.dropped.clear()
    start = time.perf_counter()

    def _judge(measured):
        from harness.engine import judging  # here, not at the top: the xdist controller judges nothing
        from harness.kit import plots
        if request.node.stash.get(JUDGED, False):
            raise RuntimeError(f"{case.id}: judge() called twice")
        judgement = judging.judge(case, measured, recipes.seeds_read())
        entry = _entry(case, judgement.verdict, request.node.nodeid, **judgement.fields,
                       evidence=judgement.evidence, message=judgement.message,
                       seconds=round(time.perf_counter() - start, 3))
        if measured.figure is not None:  # a spec of harness/kit/plots.py, kept and drawn from the entry
            name = f"{case.claim.id}.png"
            entry["figure"], entry["plot"] = measured.figure, f"{settings.current().board(case.tier).label}/{name}"
            published = scoreboard.results_dir() / entry["plot"]  # copied if drawn from the same (plots.save)
            scoreboard.atomic_write(scoreboard.staging() / case.tier / name,
                                    lambda tmp: plots.save(entry, tmp, published))
        _record(entry)
        request.node.stash[JUDGED] = True
        accepted = _accepted_verdicts().get(case.id)
        if judgement.verdict == ERROR:
            pytest.fail(f"{case.id}: error: {judgement.message}", pytrace=False)
        if (baseline.change(judgement.verdict, accepted) == baseline.CHANGED
                and not request.config.getoption("accept_verdicts")):
            pytest.fail(f"{case.id}: verdict {judgement.verdict}, accepted {accepted} ({baseline.path().name}); "
                        f"measured {entry['value']} (interval {entry['interval']}), rule {case.rule}. "
                        "If the change is understood: pytest ... --accept-verdicts, and commit the diff "
                        "with its reason.", pytrace=False)
        return judgement.verdict

    return _judge


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    case = _case(item)
    if case is None or item.stash.get(JUDGED, False):
        return rep
    if rep.skipped and rep.when in ("setup", "call"):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        for prefix in ("Skipped: ", "harness.kit.data.DataUnavailable: "):
            reason = reason.removeprefix(prefix)
        _record(_entry(case, SKIPPED, item.nodeid, message=reason))
        if item.config.getoption("claims_strict"):
            rep.outcome, rep.longrepr = "failed", f"{case.id}: skipped under --claims-strict: {reason}"
    elif rep.failed and rep.when in ("setup", "call"):
        exc = "".join(traceback.format_exception_only(call.excinfo.type, call.excinfo.value)).strip()
        _record(_entry(case, ERROR, item.nodeid, message=exc))
    elif rep.passed and rep.when == "call":
        rep.outcome = "failed"
        rep.longrepr = f"{case.id}: the test passed without calling judge(); it checked nothing"
        _record(_entry(case, ERROR, item.nodeid, message=rep.longrepr))
    return rep


# --- the run's end --------------------------------------------------------------

def _shard(config):
    """(group, splits) under pytest-split's --splits/--group, else None."""
    splits = getattr(config.option, "splits", None)
    return (config.option.group, splits) if splits else None


def pytest_sessionfinish(session, exitstatus):
    """In the main process: gather the run's entries and publish each tier: into
    results/<tier>/ if every claim of the tier ran, else results/partial/<tier>/ (or,
    for a pytest-split shard, results/shards/<tier>/<k>of<N>/); accept verdicts if
    asked; regenerate the report."""
    config = session.config
    if not _main(config) or SUMMARY not in config.stash:
        return
    entries = scoreboard.staged_entries()
    if not entries:
        scoreboard.finish_staging()
        return
    root = scoreboard.results_dir()
    collected = scoreboard.read_staged("collected")
    selected = {c for s in scoreboard.read_staged("selected") for c in s}
    environments = scoreboard.read_staged("environment")
    interrupted = exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR) or bool(session.shouldstop)
    git, shard = scoreboard.git_state(), _shard(config)
    trained = recipes.described(scoreboard.staging() / "recipes")
    summary = config.stash[SUMMARY]
    summary.update(entries=entries, written={}, accepted=[], twice=recipes.trained_twice(entries))
    for tier in sorted({e["tier"] for e in entries}):
        tier_entries = [e for e in entries if e["tier"] == tier]
        known = {c for col in collected for c in col["cases"] if c.endswith(f"-{tier}")}
        ran = {f"{e['id']}-{tier}" for e in tier_entries}
        expected = {c for c in selected if c.endswith(f"-{tier}")} if shard else known
        complete = (bool(collected) and all(c["whole"] for c in collected) and expected <= ran
                    and not interrupted)
        run = {"id": scoreboard.run_id(), "commit": git["commit"], "dirty": git["dirty"],
               "started": summary["started"], "finished": scoreboard.now(), "complete": complete,
               "args": list(config.invocation_params.args), "recipes_trained_twice": summary["twice"]}
        env = environments[0] if environments else {}
        plots = scoreboard.staged_plots(tier)
        board = settings.current().board(tier)
        read = {r["recipe"] for e in tier_entries for r in e.get("recipes", [])}
        described = {k: v for k, v in trained.items() if k in read}
        if shard:
            target = root / "shards" / board.label / f"{shard[0]}of{shard[1]}"
            scoreboard.publish(board, tier_entries, run, env, target, plots, recipes=described,
                               shard={"group": shard[0], "splits": shard[1], "known": sorted(known)})
        else:
            target = root / board.label if complete else root / "partial" / board.label
            published = scoreboard.publish(board, tier_entries, run, env, target, plots, recipes=described)
            if complete:
                history.append(published, root)
        summary["written"][tier] = (target, complete and not shard)
    scoreboard.finish_staging()
    if config.getoption("accept_verdicts"):
        summary["accepted"] = baseline.accept(entries)
    published = {settings.current().board(t) for t, (_, complete) in summary["written"].items() if complete}
    from harness.views import report  # matplotlib: imported once the workers are running, not before
    report.write(report.Snapshot.load(root), redraw=published)


def pytest_terminal_summary(terminalreporter, config):
    """Verdict counts per document and tier, what changed since the baseline, where
    the results went."""
    summary = config.stash.get(SUMMARY, {})
    entries = summary.get("entries")
    if not entries:
        return
    tr = terminalreporter
    tr.section("claims: verdicts")
    tiers = sorted({e["tier"] for e in entries})
    verdicts = results.VERDICTS
    tr.write_line(f"{'document':10} {'tier':10} " + " ".join(f"{v:>12}" for v in verdicts))
    for doc in (*DOCUMENTS, "controls"):  # positive controls counted apart from the documents' claims
        for tier in tiers:
            group = [e for e in entries if e["tier"] == tier
                     and (bool(e.get("control")) if doc == "controls" else e["document"] == doc and not e.get("control"))]
            if group:
                tr.write_line(f"{doc:10} {tier:10} " + " ".join(f"{sum(e['verdict'] == v for e in group):>12}"
                                                               for v in verdicts))
    accepted = config.stash[ACCEPTED]
    change = {id(e): baseline.change(e["verdict"], accepted.get(f"{e['id']}-{e['tier']}")) for e in entries}
    by_kind = {k: [e for e in entries if change[id(e)] == k]
               for k in (baseline.CHANGED, baseline.NEW, baseline.NOT_RUN)}
    name = baseline.path().name
    tr.write_line(f"against {name}: {sum(c == baseline.SAME for c in change.values())} same, "
                  + ", ".join(f"{len(v)} {k}" for k, v in by_kind.items()))
    for e in by_kind[baseline.CHANGED]:
        tr.write_line(f"  changed: {e['id']}-{e['tier']}: {accepted[e['id'] + '-' + e['tier']]} -> {e['verdict']}")
    if by_kind[baseline.NEW] and accepted:
        tr.write_line(f"  {len(by_kind[baseline.NEW])} judged claims have no accepted verdict in {name}: review "
                      "them and accept with --accept-verdicts")
    for digest, workers in summary.get("twice", {}).items():
        tr.write_line(f"  recipe {digest} was trained by {len(workers)} processes ({', '.join(workers)}): a bug")
    if summary.get("accepted"):
        tr.write_line(f"accepted into {name}: {len(summary['accepted'])} verdicts "
                      f"({', '.join(summary['accepted'][:10])}{', ...' if len(summary['accepted']) > 10 else ''})")
    for tier, (path, complete) in summary.get("written", {}).items():
        how = ("complete run" if complete else "a shard: merge with python -m harness.views.merge" if "shards" in path.parts
               else "partial run: the committed scoreboard is kept")
        tr.write_line(f"{tier}: {path / 'scoreboard.json'} ({how})")
