"""Each headline claim test turns red when the behaviour it checks is broken.

A claim test that cannot fail proves nothing. For each case below, claim tests (of
the fast tier, or of the full tier when they read only embedded data) run in a
subprocess (``python -m pytest <node ids>``) with a small pytest plugin that, at
``pytest_configure`` time, breaks the one thing the claims are about: Keras' Dense
bias, the GlorotUniform scale, the sigmoid, clipnorm, the training labels, Dropout,
a fresh kernel per layer; the training loop itself: optimizers that apply no
update, gradients that are all NaN; and the document's code failing otherwise than
an as-written claim declares.

The unpatched verdict of each claim comes from a control run of the same node ids
without a patch, in the same session (same machine and options). The patched run
is judged against a baseline holding those control verdicts (CLAIMS_BASELINE), so
a claim that keeps its verdict passes and one that moves fails: the subprocess
must fail (return code 1), and per claim:

- "changed": a judged verdict (not error, not skipped) other than the control's;
  a patch that crashes the claim does not count;
- "changed or error": as "changed", or an error (a training that cannot train may
  crash the measurement, e.g. a ratio 0/0);
- "error": the verdict is "error" (NaN must never become a verdict).

The control run must itself be green: every claim judged, and equal to
claims/baseline.json where that file has the claim.

Not covered: claims without a fast tier, too slow for this file: the batch-norm speed-up
claims (claims/test_batch_norm.py, nightly), the 99% CNN (nightly), MC dropout and the
vanishing-gradient trainings (full).

A claim whose rule cannot tell its subject from a broken one is a defect this file
finds: glorot_preserves_variance once judged whole tanh layers, where GlorotUniform at
twice or half its scale fell outside the band as Glorot itself did; it now judges the
weights' own factor per layer, which half the scale moves by 4x.
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ("reproduced", "refuted", "inconclusive", "excluded")


def node(file: str, claim: str, tier: str = "fast") -> str:
    return f"claims/test_{file}.py::test_claims[{claim}-{tier}]"


# Training claims of the fast tier that the training-loop breakages must move.
TRAINING = [node("mnist_dense", "adam_beats_sgd")]

# name -> nodes, patch (body of pytest_configure), expect ("changed", "changed or error", "error"),
# unpatched (the control verdict the case is written for, or None), doc (what is broken).
CASES = {
    "dense_without_bias": dict(
        nodes=[node("param_counts", "one_layer_param_count")], expect="changed", unpatched=None,
        patch="""
            import keras
            init = keras.layers.Dense.__init__
            def no_bias(self, *args, **kwargs):
                kwargs["use_bias"] = False
                init(self, *args, **kwargs)
            keras.layers.Dense.__init__ = no_bias
        """,
        doc="Dense layers without bias: 000's one-layer net has 7,840 parameters, not 7,850."),
    "glorot_uniform_half_scale": dict(
        nodes=[node("initialization", "glorot_preserves_variance")], expect="changed", unpatched=None,
        patch="""
            import keras
            draw = keras.initializers.GlorotUniform.__call__
            keras.initializers.GlorotUniform.__call__ = lambda self, shape, dtype=None: 0.5 * draw(self, shape, dtype)
        """,
        doc="GlorotUniform at half its scale: each layer's weights multiply the variance by 1/4."),
    "sigmoid_is_relu": dict(
        nodes=[node("vanishing_gradients", "control_sigmoid_relu_published_outputs")], expect="changed",
        unpatched=None,
        patch="""
            from keras.src import activations  # Dense(activation="sigmoid") looks the name up here
            activations.ALL_OBJECTS_DICT["sigmoid"] = activations.ALL_OBJECTS_DICT["relu"]
        """,
        doc="'sigmoid' resolves to ReLU: the family's sigmoid net no longer squashes its inputs."),
    "clipnorm_no_op": dict(
        nodes=[node("gradient_clipping", "clipnorm_preserves_direction")], expect="changed", unpatched=None,
        patch="""
            # base_optimizer.BaseOptimizer._clip_by_norm may be overridden by the backend's
            # optimizer: patch the one SGD resolves.
            import keras
            cls = next(c for c in keras.optimizers.SGD.__mro__ if "_clip_by_norm" in vars(c))
            cls._clip_by_norm = lambda self, values, axes=None: values
        """,
        doc="clipnorm does nothing: SGD applies [0.9, 100.0] unclipped."),
    "clipnorm_is_global": dict(
        nodes=[node("gradient_clipping", "clipnorm_preserves_direction_multi_variable")], expect="changed",
        unpatched="refuted",
        patch="""
            # The claim is refuted because Keras clips each variable's gradient separately;
            # if clipnorm clipped the whole gradient (as global_clipnorm does) it would hold.
            from keras.src.optimizers import base_optimizer
            clip = base_optimizer.BaseOptimizer._clip_gradients
            def clip_globally(self, grads):
                if self.clipnorm and self.clipnorm > 0:
                    return base_optimizer.clip_by_global_norm(grads, self.clipnorm)
                return clip(self, grads)
            base_optimizer.BaseOptimizer._clip_gradients = clip_globally
        """,
        doc="clipnorm clips the whole gradient, not each variable's: the refutation's mechanism is gone."),
    "selu_layers_share_a_kernel": dict(
        nodes=[node("activations", "selu_self_normalizes", "full")], expect="changed", unpatched=None,
        patch="""
            # A seeded generator repeats its first draw: every layer of a stack gets the same
            # kernel, as an initializer seeded with an int does on every call.
            import keras
            keras.random.SeedGenerator.next = lambda self, ordered=True: self.state.value * 1
        """,
        doc="Every SELU layer shares one kernel: the stack no longer stays normalized on every seed."),
    "as_written_unexpected_failure": dict(
        nodes=[node("keras_api", "A24_rmsprop_ctor_as_written"),
               node("design_patterns_arithmetic", "E48_deep_dnn_is_40_layers_as_written")],
        expect="error", unpatched="refuted",
        patch="""
            # The document's code fails, but not as the claims declare (harness/kit/failures.py).
            import keras
            def broken(self, *args, **kwargs):
                raise RuntimeError("broken by tests/test_turns_red.py")
            keras.optimizers.RMSprop.__init__ = broken
            keras.Model.fit = broken
        """,
        doc="RMSprop() and fit raise an undeclared exception: an error, not the accepted refutation."),
    "training_labels_shuffled": dict(
        nodes=[node("mnist_dense", "adam_beats_sgd")], expect="changed or error", unpatched=None,
        patch="""
            import numpy as np
            from harness.kit import data
            subset = data.subset
            def shuffled(name):
                d = subset(name)
                return d._replace(y_train=np.random.default_rng(0).permutation(d.y_train))
            data.subset = shuffled
        """,
        doc="MNIST training labels permuted: neither optimizer learns anything that transfers to the test set."),
    "dropout_off_in_training": dict(
        nodes=[node("dropout_layer", "dropout_scaling")], expect="changed", unpatched=None,
        patch="""
            import keras
            keras.layers.Dropout.call = lambda self, inputs, training=False: inputs
        """,
        doc="Dropout passes its inputs through: nothing is dropped or scaled in training."),
    "optimizer_no_op": dict(
        nodes=TRAINING, expect="changed or error", unpatched=None,
        patch="""
            # Every optimizer builds its state and counts its iterations, but updates nothing.
            from keras.src.optimizers import base_optimizer
            base_optimizer.BaseOptimizer._backend_apply_gradients = lambda self, grads, trainable_variables: None
        """,
        doc="Optimizers apply no update: no claim whose subject is training may keep its verdict."),
    "nan_gradients": dict(
        nodes=TRAINING, expect="error", unpatched=None,
        patch="""
            # Every gradient an optimizer receives is NaN.
            from keras.src.optimizers import base_optimizer
            apply = base_optimizer.BaseOptimizer.apply
            def nan_apply(self, grads, trainable_variables=None):
                return apply(self, [g if g is None else g * float("nan") for g in grads], trainable_variables)
            base_optimizer.BaseOptimizer.apply = nan_apply
        """,
        doc="Every gradient is NaN: the training claims must end as errors, never as verdicts."),
}


def key(node_id: str) -> str:
    """'claims/test_x.py::test_claims[<id>-<tier>]' -> '<id>-<tier>' (the baseline's key)."""
    return node_id.rsplit("[", 1)[1].rstrip("]")


def run_nodes(folder: Path, nodes: list, patch: str = "", accepted: dict | None = None):
    """Run claim tests in a subprocess, ``patch`` the body of a plugin's pytest_configure,
    judged against the baseline ``accepted`` -> (return code, {key: entry}, output)."""
    folder.mkdir(parents=True, exist_ok=True)
    plugin = "turns_red_patch"
    body = textwrap.indent(textwrap.dedent(patch).strip() or "pass", "    ")
    (folder / f"{plugin}.py").write_text(f"def pytest_configure(config):\n{body}\n")
    (folder / "baseline.json").write_text(json.dumps(accepted or {}))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CLAIMS_", "PYTEST_")) or k == "CLAIMS_DATA_DIR"}
    env.update(CLAIMS_RESULTS_DIR=str(folder / "results"), CLAIMS_BASELINE=str(folder / "baseline.json"),
               PYTHONPATH=os.pathsep.join([str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "pytest", *nodes, "-n", "0", "-q", "-p", "no:cacheprovider",
                           "-p", plugin], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    output = proc.stdout[-4000:] + proc.stderr[-2000:]
    boards = sorted((folder / "results" / "partial").glob("*/scoreboard.json"))
    assert boards, f"no scoreboard written (rc {proc.returncode}):\n{output}"
    return proc.returncode, {f"{cid}-{board.parent.name}": e for board in boards
                             for cid, e in json.loads(board.read_text())["claims"].items()}, output


def selected_nodes(session) -> list:
    """The node ids of the cases this session runs (every case's if the control test runs)."""
    names = set()
    for item in session.items:
        if item.module.__name__ != __name__:
            continue
        if item.originalname == "test_control_unpatched_claims_are_green":
            names |= set(CASES)
        elif item.originalname == "test_claim_turns_red_when_broken":
            names.add(item.callspec.id)
    return sorted({n for name in names for n in CASES[name]["nodes"]})


@pytest.fixture(scope="module")
def control(request, tmp_path_factory):
    """One unpatched run of every node the selected cases need -> (rc, {key: entry}, output)."""
    nodes = selected_nodes(request.session)
    return run_nodes(tmp_path_factory.mktemp("control"), nodes)


def test_control_unpatched_claims_are_green(control):
    rc, entries, output = control
    assert rc == 0, output
    nodes = sorted({n for case in CASES.values() for n in case["nodes"]})
    assert sorted(entries) == sorted(map(key, nodes))
    unjudged = {k: (e["verdict"], e.get("message")) for k, e in entries.items() if e["verdict"] not in JUDGED}
    assert not unjudged, unjudged
    path = ROOT / "claims" / "baseline.json"
    accepted = json.loads(path.read_text()) if path.exists() else {}
    differ = {k: (e["verdict"], accepted[k]) for k, e in entries.items() if k in accepted and e["verdict"] != accepted[k]}
    assert not differ, f"unpatched verdicts differ from claims/baseline.json: {differ}"


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_claim_turns_red_when_broken(case, control, tmp_path):
    keys = [key(n) for n in case["nodes"]]
    before = {k: control[1][k]["verdict"] for k in keys if k in control[1]}
    assert set(before) == set(keys), f"the control run has no entry for {set(keys) - set(before)}:\n{control[2]}"
    assert all(v in JUDGED for v in before.values()), f"unpatched, not judged: {before}"
    if case["unpatched"]:
        assert set(before.values()) == {case["unpatched"]}, f"the case is written for {case['unpatched']}: {before}"
    rc, entries, output = run_nodes(tmp_path, case["nodes"], case["patch"], accepted=before)
    report = {k: f"{before[k]} -> {entries[k]['verdict']} (value {entries[k].get('value')}, "
                 f"{entries[k].get('message') or 'no message'})" for k in keys if k in entries}
    broken = f"{case['doc']}\n" + "\n".join(f"{k}: {v}" for k, v in report.items())
    assert set(entries) == set(keys), f"{broken}\nmissing entries:\n{output}"
    for k in keys:
        after = entries[k]["verdict"]
        if case["expect"] == "error":
            assert after == "error", broken
        elif case["expect"] == "changed":
            assert after in JUDGED, f"{k} was not judged:\n{broken}"
            assert after != before[k], broken  # rc 1 below: the changed verdict failed its test
        else:
            assert after != before[k] and after != "skipped", broken
    assert rc == 1, f"{broken}\npytest rc {rc}:\n{output}"
