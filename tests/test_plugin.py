"""harness/plugin.py end to end: real pytest runs in subprocesses, each with its own
results folder (CLAIMS_RESULTS_DIR) and baseline (CLAIMS_BASELINE), so that the
repository's results/ and claims/baseline.json are never touched.

- claims/test_optimizers.py's fast tier (three exact, cheap claims): a verdict that
  differs from the baseline fails the run and names the claim and both verdicts;
  ``--accept-verdicts`` passes and writes the new verdict (other keys kept); the rerun
  passes; a one-file run is partial (results/partial/<tier>/) and its entries carry
  their provenance; a NaN measurement (SGD patched to write NaN) is an error.
- Bad settings are usage errors (pytest exit code 4) before anything runs.
- A throwaway claim file (written into tmp_path, with harness.plugin's CLAIMS_DIR
  pointed at its folder, so that running it is a complete run): how judge treats
  intervals at the wrong confidence, NaN, undeclared drops, skips, single runs,
  exclusions, fixtures and figures, and what a complete run publishes; a second complete run
  copies a published plot whose key matches.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPTIMIZERS = ["claims/test_optimizers.py", "-m", "fast and not controls", "-n", "0", "-q", "-p", "no:cacheprovider"]
OPTIMIZER_CASES = {"momentum_terminal_velocity-fast", "adam_bias_correction-fast", "nesterov_faster-fast"}
USAGE_ERROR = 4


def pytest_run(args, results, *, cwd=ROOT, pythonpath=(), **env):
    """``python -m pytest *args`` in a subprocess -> (return code, stdout + stderr)."""
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("CLAIMS_", "PYTEST_")) or k == "CLAIMS_DATA_DIR"}
    environ.update(CLAIMS_RESULTS_DIR=str(results), CLAIMS_BASELINE=str(results / "baseline.json"),
                   CLAIMS_DETERMINISTIC="0",
                   PYTHONPATH=os.pathsep.join([*map(str, pythonpath), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    environ.update(env)
    proc = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=600)
    return proc.returncode, proc.stdout + proc.stderr


def board(results, tier="fast", partial=True):
    return json.loads((results / ("partial" if partial else "") / tier / "scoreboard.json").read_text())


# --- the baseline: a changed verdict fails until it is accepted -------------------

@pytest.fixture(scope="module")
def optimizer_runs(tmp_path_factory):
    """Three runs of the optimizers' fast tier into one results folder: against a
    baseline that says momentum_terminal_velocity-fast is refuted, then with
    --accept-verdicts, then again. -> {name: (rc, output, scoreboard, baseline)}."""
    results = tmp_path_factory.mktemp("optimizers")
    path = results / "baseline.json"
    path.write_text(json.dumps({"momentum_terminal_velocity-fast": "refuted", "some_other_claim-full": "inconclusive"}))
    runs = {}
    for name, extra in (("changed", []), ("accept", ["--accept-verdicts"]), ("rerun", [])):
        rc, output = pytest_run(OPTIMIZERS + extra, results)
        runs[name] = (rc, output, board(results), json.loads(path.read_text()), path.read_text())
    runs["results"] = results
    return runs


def test_a_changed_verdict_fails_and_names_the_claim_and_both_verdicts(optimizer_runs):
    rc, output, scores, accepted, _ = optimizer_runs["changed"]
    assert rc == 1, output
    assert "momentum_terminal_velocity-fast: verdict reproduced, accepted refuted" in output
    assert "changed: momentum_terminal_velocity-fast: refuted -> reproduced" in output
    assert "1 failed, 2 passed" in output
    assert "1 same" not in output and "0 same, 1 changed, 2 new, 0 not run" in output
    entry = scores["claims"]["momentum_terminal_velocity"]
    assert entry["verdict"] == "reproduced" and "change" not in entry  # compared when rendered, never frozen
    assert accepted["momentum_terminal_velocity-fast"] == "refuted"  # a failing run accepts nothing


def test_accept_verdicts_passes_and_writes_the_baseline(optimizer_runs):
    rc, output, scores, accepted, text = optimizer_runs["accept"]
    assert rc == 0, output
    assert accepted == {"momentum_terminal_velocity-fast": "reproduced", "some_other_claim-full": "inconclusive",
                        **{f"{cid}-fast": e["verdict"] for cid, e in scores["claims"].items()}}
    assert set(accepted) == OPTIMIZER_CASES | {"some_other_claim-full"}
    assert text == "{\n" + ",\n".join(f'  "{k}": "{v}"' for k, v in sorted(accepted.items())) + "\n}\n"
    assert "accepted into baseline.json: 3 verdicts" in output


def test_the_rerun_passes_with_every_verdict_the_same(optimizer_runs):
    rc, output, scores, accepted, _ = optimizer_runs["rerun"]
    assert rc == 0, output
    assert "3 passed" in output and "3 same, 0 changed, 0 new, 0 not run" in output
    assert accepted == optimizer_runs["accept"][3]


def test_a_one_file_run_is_partial_and_every_entry_has_its_provenance(optimizer_runs):
    results = optimizer_runs["results"]
    assert (results / "partial" / "fast" / "scoreboard.json").exists()
    assert not (results / "fast").exists() and not (results / "history.jsonl").exists()
    assert not list((results / ".runs").iterdir())  # staging folders removed at the end
    assert (results / "partial" / "fast" / "nesterov_faster.png").exists()
    runs = [optimizer_runs[name][2]["run"] for name in ("changed", "accept", "rerun")]
    assert len({r["id"] for r in runs}) == 3
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    for scores in (optimizer_runs[name][2] for name in ("changed", "accept", "rerun")):
        run = scores["run"]
        assert run["complete"] is False and run["args"][:3] == OPTIMIZERS[:3]
        assert isinstance(run["dirty"], list) and run["commit"]
        assert {f"{cid}-fast" for cid in scores["claims"]} == OPTIMIZER_CASES
        assert scores["environment"]["tensorflow"].startswith("2.")
        for cid, e in scores["claims"].items():
            assert e["run"] == run["id"] and e["commit"] == run["commit"] and e["dirty"] == bool(run["dirty"])
            assert e["options"] == {"mixed_precision": "", "xla": False, "deterministic": "0"}
            assert e["node"] == f"claims/test_optimizers.py::test_claims[{cid}-fast]"
            assert e["post_hoc"] == "" and e["worker"] == "main" and "change" not in e
            assert isinstance(e["seeds"], list) and e["seeds"]
    assert runs[-1]["commit"] in (head.stdout.strip(), "unknown")
    nesterov = optimizer_runs["rerun"][2]["claims"]["nesterov_faster"]
    assert nesterov["seeds"] == list(range(8)) and nesterov["evidence"] == "interval"
    assert nesterov["interval"]["confidence"] == 0.95 and nesterov["interval"]["n"] == 8
    assert len(nesterov["samples"]["nesterov"]) == 8


# --- NaN is an error -----------------------------------------------------------------

NAN_SGD = """
def pytest_configure(config):
    import keras
    apply = keras.optimizers.SGD.apply_gradients

    def apply_then_nan(self, grads_and_vars):
        grads_and_vars = list(grads_and_vars)
        result = apply(self, grads_and_vars)
        for _, variable in grads_and_vars:
            variable.assign(variable + float("nan"))
        return result
    keras.optimizers.SGD.apply_gradients = apply_then_nan
"""


def test_a_nan_measurement_is_an_error(tmp_path):
    (tmp_path / "nan_sgd.py").write_text(NAN_SGD)
    rc, output = pytest_run(OPTIMIZERS + ["-p", "nan_sgd"], tmp_path, pythonpath=[tmp_path])
    assert rc == 1, output
    claims = board(tmp_path)["claims"]
    momentum = claims["momentum_terminal_velocity"]
    assert momentum["verdict"] == "error", momentum
    assert momentum["message"].startswith("non-finite measurement")
    assert "momentum_terminal_velocity-fast: error: non-finite measurement" in output
    assert claims["adam_bias_correction"]["verdict"] == "reproduced"  # Adam is not SGD: untouched
    assert not (tmp_path / "baseline.json").exists()


# --- bad settings ----------------------------------------------------------------------

@pytest.mark.parametrize("variable, value", [
    ("CLAIMS_MIXED_PRECISION", "bogus"), ("CLAIMS_DETERMINISTIC", "2"), ("CLAIMS_XLA", "yes"),
    ("CLAIMS_DATA_DIR", "/nonexistent"),
])
def test_a_bad_setting_is_a_usage_error_before_anything_runs(tmp_path, variable, value):
    rc, output = pytest_run(OPTIMIZERS, tmp_path, **{variable: value})
    assert rc == USAGE_ERROR, output
    assert f"{variable}={value!r}" in output
    assert "passed" not in output and "failed" not in output
    assert not (tmp_path / ".runs").exists() and not (tmp_path / "partial").exists()


def test_a_corrupt_baseline_is_a_usage_error_naming_the_file_and_line(tmp_path):
    """Not an INTERNALERROR from inside xdist, and not rc 0 for a -k run that ran nothing."""
    (tmp_path / "baseline.json").write_text('{\n  "momentum_terminal_velocity-fast": "repro')
    rc, output = pytest_run(OPTIMIZERS + ["-k", "momentum"], tmp_path)
    assert rc == USAGE_ERROR, output
    assert f"{tmp_path / 'baseline.json'}:2: not valid JSON" in output and "INTERNALERROR" not in output


def test_an_unknown_tier_in_a_claim_is_an_error_when_its_file_is_collected():
    from harness.engine.claim import AtLeast, Claim, Tier
    with pytest.raises(ValueError, match=r"claim c: unknown tiers \['fsat'\]"):
        Claim("c", "001", "1", "1", "q", "r", {"fsat": Tier(AtLeast(1.0))})


def test_the_selected_tiers_are_parsed_from_the_mark_expression():
    from harness.settings import TIERS, selected_tiers
    assert selected_tiers("fast") == ("fast",)
    assert selected_tiers("fast or full or nightly") == ("fast", "full", "nightly")
    assert selected_tiers("not benchmark") == ("fast", "full", "nightly")
    assert selected_tiers("") == TIERS
    # other marks may be on a claim's tests too (a control: its tier and "controls")
    assert selected_tiers("fast and controls") == ("fast",)
    assert selected_tiers("full and not controls") == ("full",)
    assert selected_tiers("controls") == TIERS


@pytest.mark.parametrize("deterministic", ["1", "auto"])
def test_xla_with_op_determinism_on_tensorflow_is_a_usage_error(tmp_path, deterministic):
    """Keras compiles without XLA while TensorFlow's op determinism is on ("auto" turns it on
    outside the fast tier on CPU): the pair is refused, not recorded as an XLA run."""
    rc, output = pytest_run(OPTIMIZERS, tmp_path, CLAIMS_XLA="1", CLAIMS_DETERMINISTIC=deterministic,
                            KERAS_BACKEND="tensorflow")
    assert rc == USAGE_ERROR, output
    assert "CLAIMS_XLA='1' needs CLAIMS_DETERMINISTIC='0' on TensorFlow" in output


# --- judge, on a throwaway claim file ------------------------------------------------------

FAKE_CLAIMS = '''
import pytest

from harness.kit import plots, stats
from harness.engine.claim import All, AtLeast, Claim, Dropped, Excluded, Exact, Measured, Power, Tier, claim_test

SAMPLES = [1.2, 1.4, 1.3]


def right_level(case):
    return Measured(estimate=stats.mean(case.per_seed(lambda seed: SAMPLES[seed])), samples=SAMPLES)


def own_loop(case):
    return Measured(estimate=stats.mean([SAMPLES[seed] for seed in case.seeds]))


def own_interval(case):
    iv = stats.mean_ci(SAMPLES, confidence=case.confidence)
    return Measured(iv.point, interval=iv)


def both_parts(case):
    a, b = zip(*case.per_seed(lambda seed: (SAMPLES[seed], 2.0 + seed / 10)))
    return Measured(estimate={"a": stats.mean(a), "b": stats.mean(b)})


def nan_value(case):
    return Measured(float("nan"))


def nan_on_seed_2(seed):
    if seed == 2:
        raise Dropped("the loss became NaN")
    return SAMPLES[seed]


def dropped(case):
    return Measured(estimate=stats.mean(case.per_seed(nan_on_seed_2)))


def single(case):
    return Measured(0.5)


def skips(case):
    pytest.skip("the dataset is not here")


def with_fixture(case, tmp_path):
    (tmp_path / "x").write_text("12")
    return Measured(int((tmp_path / "x").read_text()), figure=plots.points({"x": [12]}, ylabel="x", title="x"))


def claim(cid, measure, rule=AtLeast(1.0), **tier):
    return Claim(cid, "001", "1", "1", "q", "r", {"fast": Tier(rule, seeds=(0, 1, 2), **tier)}, measure=measure)


CLAIMS = [
    claim("right_level", right_level, power=Power(0.93, "seeds 100-129, commit abc1234")),
    claim("own_interval", own_interval),
    claim("own_loop", own_loop),
    claim("all_right_level", both_parts, All({"a": AtLeast(0.9), "b": AtLeast(0.9)})),
    claim("nan_value", nan_value),
    claim("undeclared_drop", dropped),
    claim("declared_drop", dropped, drop="seeds whose loss became NaN"),
    claim("single_run", single),
    claim("skips", skips),
    claim("with_fixture", with_fixture, Exact(12)),
    Claim("excluded", "001", "1", "1", "q", "not testable", {"fast": Tier(Excluded())}),
]

test_claims = claim_test(CLAIMS)
'''

FORGETS_JUDGE = '''
import pytest
from harness.engine.claim import AtLeast, Claim, Tier, cases

CLAIM = Claim("forgets_judge", "001", "1", "1", "q", "r", {"fast": Tier(AtLeast(1.0))})


@pytest.mark.parametrize("case", cases([CLAIM]))
def test_forgets(case, judge):
    pass
'''

POINT_CLAIMS_DIR = """
from pathlib import Path
import harness.plugin
harness.plugin.CLAIMS_DIR = Path(__file__).resolve().parent / "claims"
"""


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory):
    """Two runs of a throwaway claims folder, CLAIMS_DIR pointed at it: all of it (a
    complete run), then with a second file whose claim test never calls judge, selected
    with -k (a partial run). -> {name: (rc, output, scoreboard)} and the folder."""
    tmp = tmp_path_factory.mktemp("fake")
    (tmp / "claims").mkdir()
    (tmp / "claims" / "test_fake.py").write_text(FAKE_CLAIMS)
    (tmp / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    args = ["claims", "-m", "fast", "-n", "0", "-rA", "-p", "harness.plugin", "-p", "fake_claims_dir",
            "-p", "no:cacheprovider", "--rootdir", str(tmp), "-W", "ignore::pytest.PytestUnknownMarkWarning"]
    runs = {"tmp": tmp}
    rc, output = pytest_run(args, tmp, cwd=tmp, pythonpath=[tmp])
    runs["whole"] = (rc, output, board(tmp, partial=False))
    (tmp / "claims" / "test_forgets.py").write_text(FORGETS_JUDGE)
    rc, output = pytest_run(args + ["-k", "forgets or (right_level and not all)"], tmp, cwd=tmp, pythonpath=[tmp])
    runs["selected"] = (rc, output, board(tmp))
    return runs


def test_the_entry_holds_the_harness_interval_and_a_misused_measurement_is_an_error(fake_run):
    """Judging itself is unit-tested (tests/test_judging.py); here, what the hooks record."""
    rc, output, scores = fake_run["whole"]
    assert rc == 1, output
    claims = scores["claims"]
    right = claims["right_level"]
    assert (right["verdict"], right["interval"]["confidence"], right["measured_seeds"]) == ("reproduced", 0.95, [0, 1, 2])
    assert right["power"] == {"probability": 0.93, "pilot": "seeds 100-129, commit abc1234"}
    assert {k: v["confidence"] for k, v in claims["all_right_level"]["interval"].items()} == {"a": 0.975, "b": 0.975}
    own = claims["own_interval"]
    assert own["verdict"] == "error" and "computed its own interval" in own["message"] and own["power"] is None
    assert "FAILED claims/test_fake.py::test_claims[own_interval-fast]" in output
    loop = claims["own_loop"]
    assert loop["verdict"] == "error" and "without the harness's seed loop" in loop["message"]
    assert "PASSED claims/test_fake.py::test_claims[right_level-fast]" in output


def test_nan_and_undeclared_drops_are_errors_declared_drops_are_judged(fake_run):
    claims = fake_run["whole"][2]["claims"]
    assert (claims["nan_value"]["verdict"], claims["nan_value"]["message"]) == ("error", "non-finite measurement: nan")
    assert claims["undeclared_drop"]["verdict"] == "error"
    assert "dropped without a declared Tier(drop=...)" in claims["undeclared_drop"]["message"]
    declared = claims["declared_drop"]
    assert (declared["verdict"], declared["dropped"], declared["drop"], declared["measured_seeds"]) == (
        "inconclusive", [2], "seeds whose loss became NaN", [0, 1])  # 2 seeds: a wide interval
    assert declared["dropped_because"] == {"2": "the loss became NaN"}


def test_skips_single_runs_exclusions_fixtures_and_figures(fake_run):
    _, output, scores = fake_run["whole"]
    claims = scores["claims"]
    assert (claims["skips"]["verdict"], claims["skips"]["message"]) == ("skipped", "the dataset is not here")
    assert "SKIPPED" in output
    assert (claims["single_run"]["verdict"], claims["single_run"]["evidence"]) == ("refuted", "single run")
    assert (claims["excluded"]["verdict"], claims["excluded"]["evidence"]) == ("excluded", "exact")
    fixture = claims["with_fixture"]
    assert (fixture["verdict"], fixture["value"], fixture["evidence"], fixture["plot"]) == (
        "reproduced", 12, "exact", "fast/with_fixture.png")
    from PIL import Image
    with Image.open(fake_run["tmp"] / "fast" / "with_fixture.png") as png:  # the plot carries its judgement
        assert (png.text["Verdict"], png.text["Rule"]) == ("reproduced", "== 12")
        assert png.text["Judgement"] == "reproduced · rule == 12 · 12"
    assert fixture["figure"] == {"kind": "points", "groups": {"x": [12]}, "ylabel": "x", "title": "x", "hline": None}
    assert "4 failed, 6 passed, 1 skipped" in output


def test_a_run_of_every_claim_file_is_complete(fake_run):
    """With CLAIMS_DIR pointed at the throwaway folder, running all of it is a complete
    run: results/fast/ is written, the history grows, and every case has an entry."""
    _, output, scores = fake_run["whole"]
    tmp = fake_run["tmp"]
    assert scores["run"]["complete"] is True
    assert len(scores["claims"]) == 11
    history = [json.loads(line) for line in (tmp / "history.jsonl").read_text().splitlines()]
    assert sorted(h["id"] for h in history) == sorted(scores["claims"])
    assert {h["run"] for h in history} == {scores["run"]["id"]}
    assert "(complete run)" in output


def test_a_run_with_k_is_partial_and_a_claim_test_must_call_judge(fake_run):
    rc, output, scores = fake_run["selected"]
    tmp = fake_run["tmp"]
    assert rc == 1, output
    assert "forgets_judge-fast: the test passed without calling judge(); it checked nothing" in output
    assert scores["run"]["complete"] is False
    assert scores["claims"]["right_level"]["verdict"] == "reproduced"
    assert scores["claims"].get("forgets_judge", {"verdict": "error"})["verdict"] == "error"
    assert scoreboard_of(tmp / "fast") == fake_run["whole"][2]  # the complete run's scoreboard is kept
    assert len((tmp / "history.jsonl").read_text().splitlines()) == 11  # a partial run adds no history


def scoreboard_of(folder):
    return json.loads((folder / "scoreboard.json").read_text())


# --- two complete runs, a rule changed in between: the history and the page show the flip ------

FLIPPING = '''
from harness.engine.claim import AtLeast, Claim, Measured, Tier, claim_test

THRESHOLD = {threshold}


def one(case):
    return Measured(1.0)


CLAIMS = [Claim("flipping", "001", "s", "1", "q", "a rule changed between two runs on purpose",
                {{"fast": Tier(AtLeast(THRESHOLD))}}, measure=one)]
test_claims = claim_test(CLAIMS)
'''


def test_a_rule_changed_between_two_complete_runs_shows_as_a_flip(tmp_path, capsys, run_settings):
    from harness.views import history, page
    from harness.views.results import Snapshot
    (tmp_path / "claims").mkdir()
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    args = ["claims", "-m", "fast", "-n", "0", "-p", "harness.plugin", "-p", "fake_claims_dir",
            "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    outcomes = []
    for threshold in (0.5, 2.0):
        (tmp_path / "claims" / "test_flip.py").write_text(FLIPPING.format(threshold=threshold))
        outcomes.append(pytest_run(args + (["--accept-verdicts"] if threshold == 0.5 else []), tmp_path,
                                   cwd=tmp_path, pythonpath=[tmp_path]))
    assert [rc for rc, _ in outcomes] == [0, 1], outcomes[1][1][-2000:]
    assert "changed: flipping-fast: reproduced -> refuted" in outcomes[1][1]
    assert history.main(["--results", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "flipped  flipping: reproduced -> refuted" in printed and "rule     flipping: >= 0.5 -> >= 2" in printed
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    _, entries = page.entries(Snapshot.load(tmp_path))
    assert [(e["id"], e["changed"]) for e in entries] == [("flipping", True)]
    assert any("flipped since the previous run" in c for c in entries[0]["changes"])


def test_two_complete_runs_of_one_commit_show_no_drift(tmp_path, capsys):
    """Real trainings (the optimizers' fast claims, 8 seeds each) run twice as complete runs
    (CLAIMS_DIR pointed at a folder holding that file only): the history reports no change."""
    from harness.views import history
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "test_optimizers.py").write_text((ROOT / "claims" / "test_optimizers.py").read_text())
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    args = ["claims", "-m", "fast", "-n", "0", "-p", "harness.plugin", "-p", "fake_claims_dir",
            "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    for _ in range(2):
        rc, output = pytest_run(args, tmp_path, cwd=tmp_path, pythonpath=[tmp_path, ROOT])
        assert rc == 0, output[-3000:]
    assert history.main(["--results", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.count(" -> ") == 1 and "no change" in printed, printed


def test_xdist_workers_publish_a_complete_run(tmp_path):
    """The throwaway claims run in two pytest-xdist workers, which end without the
    interpreter's teardown (harness.plugin._exit_without_teardown): every case still
    reaches the complete scoreboard and the history."""
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "test_fake.py").write_text(FAKE_CLAIMS)
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    args = ["claims", "-m", "fast", "-n", "2", "--dist", "loadfile", "-p", "harness.plugin", "-p", "fake_claims_dir",
            "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-W", "ignore::pytest.PytestUnknownMarkWarning"]
    rc, output = pytest_run(args, tmp_path, cwd=tmp_path, pythonpath=[tmp_path])
    scores = board(tmp_path, partial=False)
    assert scores["run"]["complete"] is True and len(scores["claims"]) == 11, output
    assert len((tmp_path / "history.jsonl").read_text().splitlines()) == 11


def test_a_run_copies_a_published_plot_drawn_from_the_same_inputs(tmp_path):
    """judge hands plots.save the published PNG: the second of two complete runs copies it, since
    its key matches, instead of drawing it again; here its pixels were replaced (text chunks and
    key kept) between the runs, and the replacement survives."""
    from PIL import Image, PngImagePlugin
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "test_fake.py").write_text(FAKE_CLAIMS)
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    args = ["claims", "-m", "fast", "-n", "0", "-p", "harness.plugin", "-p", "fake_claims_dir",
            "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-W", "ignore::pytest.PytestUnknownMarkWarning"]
    png = tmp_path / "fast" / "with_fixture.png"
    pytest_run(args, tmp_path, cwd=tmp_path, pythonpath=[tmp_path])
    info = PngImagePlugin.PngInfo()
    with Image.open(png) as drawn:
        for name, text in drawn.text.items():
            info.add_itxt(name, text)
        Image.new("RGB", drawn.size, "white").save(png, pnginfo=info)
    replaced = png.read_bytes()
    rc, output = pytest_run(args, tmp_path, cwd=tmp_path, pythonpath=[tmp_path])
    assert board(tmp_path, partial=False)["run"]["complete"] is True, output[-3000:]
    assert png.read_bytes() == replaced


def test_a_worker_freezes_its_heap_before_pytests_last_garbage_collections():
    """pytest_unconfigure: an xdist worker (config.workerinput), about to end without the
    interpreter's teardown, freezes its heap so that pytest's final gc passes do not scan it;
    the controller does not."""
    import gc
    from types import SimpleNamespace

    from harness import plugin
    frozen = gc.get_freeze_count()
    plugin.pytest_unconfigure(SimpleNamespace())
    assert gc.get_freeze_count() == frozen
    try:
        plugin.pytest_unconfigure(SimpleNamespace(workerinput={}))
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()


def test_claim_files_are_ordered_heaviest_first_by_the_tiers_last_run(tmp_path, run_settings):
    """pytest-xdist hands out files in collection order: the plugin sorts them by the seconds
    their claims took in the selected tiers' latest recorded runs, a file not yet recorded
    first, keeping each file's tests in order."""
    from types import SimpleNamespace

    from harness import plugin
    from harness.views import history
    run_settings(results=tmp_path, backend="tensorflow", tiers=("fast", "full"))
    seconds = {"claims/a.py::t[x-fast]": 1.0, "claims/b.py::t[y-fast]": 3.0, "claims/b.py::t[z-fast]": 0.5,
               "claims/c.py::t[w-fast]": 2.0}
    for run, scale in (("r1", 100.0), ("r2", 1.0)):  # only the latest run counts
        history.append({"run": {"id": run, "finished": run, "commit": "abc", "dirty": []}, "environment": {},
                        "claims": {node: {"id": node, "tier": "fast", "node": node, "verdict": "reproduced",
                                          "seconds": s * (scale if node.startswith("claims/a") else 1)}
                                   for node, s in seconds.items()}}, tmp_path)
    nodes = ["claims/a.py::t[x-fast]", "claims/b.py::t[y-fast]", "claims/b.py::t[z-fast]", "claims/c.py::t[w-fast]",
             "claims/new.py::t[v-fast]"]
    items = [SimpleNamespace(nodeid=n) for n in nodes]
    plugin._heaviest_files_first(items)
    assert [i.nodeid for i in items] == [nodes[4], nodes[1], nodes[2], nodes[3], nodes[0]]
    items = [SimpleNamespace(nodeid=n) for n in nodes]
    run_settings(results=tmp_path, backend="tensorflow", tiers=("benchmark",))  # no recorded run
    plugin._heaviest_files_first(items)
    assert [i.nodeid for i in items] == nodes


# --- adding a behavioural claim, as the README's four steps say ---------------------------

NEW_CLAIM = '''
import numpy as np

from harness.kit import recipes, stats
from harness.engine.claim import AtLeast, Claim, Measured, Tier, claim_test


@recipes.shared
def final_accuracy(recipe: str, epochs: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    return float(0.9 + (0.02 if recipe == "new" else 0.0) + 0.001 * epochs + rng.normal(0, 0.002))


def beats_baseline(case):
    new = case.per_seed(lambda seed: final_accuracy("new", case.config["epochs"], seed))
    old = case.per_seed(lambda seed: final_accuracy("old", case.config["epochs"], seed))
    return Measured(estimate=stats.paired_difference(new, old), samples={"new": new, "old": old})


CLAIMS = [Claim("new_beats_old", "001", "s", "1", "new is better", "a gain of a point is what the text claims",
                {"fast": Tier(AtLeast(0.01), seeds=(0, 1, 2, 3, 4), config={"epochs": 1}),
                 "full": Tier(AtLeast(0.01), seeds=tuple(range(10)), config={"epochs": 3})},
                measure=beats_baseline)]
test_claims = claim_test(CLAIMS)
'''


def test_adding_a_behavioural_claim(tmp_path, run_settings):
    from harness.views import page
    from harness.views.results import Snapshot
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "test_new.py").write_text(NEW_CLAIM)  # steps 1 and 2
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    (tmp_path / "baseline.json").write_text(json.dumps({"other_claim-fast": "reproduced"}))
    args = ["claims", "-m", "fast or full", "-n", "0", "-p", "harness.plugin", "-p", "fake_claims_dir",
            "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    rc, output = pytest_run(args, tmp_path, cwd=tmp_path, pythonpath=[tmp_path])  # step 3: run and look
    assert rc == 0 and "2 judged claims have no accepted verdict in baseline.json" in output, output[-3000:]
    run_settings(results=tmp_path, baseline=tmp_path / "baseline.json")
    flagged = [e for e in page.entries(Snapshot.load(tmp_path))[1] if e["changed"]]
    assert sorted(e["tier"] for e in flagged) == ["fast", "full"]
    rc, output = pytest_run(args + ["--accept-verdicts"], tmp_path, cwd=tmp_path, pythonpath=[tmp_path])
    assert rc == 0, output[-3000:]
    accepted = json.loads((tmp_path / "baseline.json").read_text())
    assert accepted == {"other_claim-fast": "reproduced", "new_beats_old-fast": "reproduced",
                        "new_beats_old-full": "reproduced"}
    for tier, seeds in (("fast", 5), ("full", 10)):
        entry = board(tmp_path, tier, partial=False)["claims"]["new_beats_old"]
        assert entry["measured_seeds"] == list(range(seeds)) and entry["statistics"] == "paired difference"
        assert entry["interval"]["n"] == seeds and entry["interval"]["low"] > 0.01
    assert not [e for e in page.entries(Snapshot.load(tmp_path))[1] if e["changed"]]  # step 4: commit


TIMED_CLAIM = '''
from harness.kit import stats
from harness.engine.claim import AtLeast, Claim, Measured, Tier, claim_test


def timed(case, benchmark):
    benchmark.pedantic(lambda: sum(range(1000)), rounds=3)
    return Measured(estimate=stats.mean([1.0, 1.1]))


CLAIMS = [Claim("timed", "000", "s", "1", "q", "r", {"benchmark": Tier(AtLeast(0.0), (0, 1))}, measure=timed)]
test_claims = claim_test(CLAIMS)
'''


def test_a_benchmark_run_publishes_its_own_pytest_benchmark_json(tmp_path):
    """The benchmark board's pytest-benchmark JSON is written by the run of that board, and
    replaces the one an earlier run left."""
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "test_timed.py").write_text(TIMED_CLAIM)
    (tmp_path / "fake_claims_dir.py").write_text(POINT_CLAIMS_DIR)
    (tmp_path / "benchmark").mkdir()
    (tmp_path / "benchmark" / "pytest-benchmark.json").write_text('{"from": "an earlier run"}')
    args = ["claims", "-m", "benchmark", "-p", "harness.plugin", "-p", "fake_claims_dir", "-p", "no:cacheprovider",
            "--rootdir", str(tmp_path)]
    rc, output = pytest_run(args, tmp_path, cwd=tmp_path, pythonpath=[tmp_path])
    scores = board(tmp_path, tier="benchmark", partial=False)
    timings = json.loads((tmp_path / "benchmark" / "pytest-benchmark.json").read_text())
    assert scores["run"]["complete"] is True, output
    assert [b["name"] for b in timings["benchmarks"]] == ["test_claims[timed-benchmark]"]
    assert len(timings["benchmarks"][0]["stats"]["data"]) == 3
