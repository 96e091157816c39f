"""Each headline claim test turns red when the behaviour it checks is broken.

A claim test that cannot fail proves nothing. For each case below, one fast-tier
claim test runs in a subprocess (``python -m pytest <node id>``) with a small pytest
plugin that, at ``pytest_configure`` time, breaks the one thing the claim is about:
Keras' Dense bias, the GlorotUniform scale, the sigmoid, clipnorm, the training
labels, Dropout. The test asserts that the subprocess fails (return code 1) and
that the claim's scoreboard entry, written to a temporary ``CLAIMS_RESULTS_DIR``,
has a verdict other than the expected one (a judged one: a patch that crashes the
claim, verdict "error", does not count); the assertion message shows the value
measured on the broken code. A control runs a cheap claim without a patch and
must stay green, so a red case is the patch's doing, not the harness's.

Not covered: the batch-norm speed-up claim (claims/test_batch_norm.py) has no fast
tier (full tier only, ~7 minutes), too slow for this file.

Found while writing it: GlorotUniform drawing at twice its scale (variance x4) does
not turn glorot_preserves_variance red: tanh saturates, so the forward rho stays
0.97 and the backward rho is 1.27, both inside the [2/3, 3/2] band (fast tier,
seeds 0-2). The case below draws at half the scale (variance / 4), which it catches.
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# id (what is broken) -> node id, claim id, patch (body of pytest_configure), what it shows.
CASES = {
    "dense_without_bias": dict(
        node="claims/test_param_counts.py::test_param_counts[one_layer_param_count-fast]",
        claim="one_layer_param_count",
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
        node="claims/test_initialization.py::test_signal_flow[glorot_preserves_variance-fast]",
        claim="glorot_preserves_variance",
        patch="""
            import keras
            draw = keras.initializers.GlorotUniform.__call__
            keras.initializers.GlorotUniform.__call__ = lambda self, shape, dtype=None: 0.5 * draw(self, shape, dtype)
        """,
        doc="GlorotUniform at half its scale: the tanh stack's variance shrinks ~4x per layer."),
    "sigmoid_is_relu": dict(
        node="claims/test_vanishing_gradients.py::test_gradient_share[sigmoid_vanishing_gradients-fast]",
        claim="sigmoid_vanishing_gradients",
        patch="""
            from keras.src import activations  # Dense(activation="sigmoid") looks the name up here
            activations.ALL_OBJECTS_DICT["sigmoid"] = activations.ALL_OBJECTS_DICT["relu"]
        """,
        doc="'sigmoid' resolves to ReLU: the first layer's gradient no longer vanishes."),
    "clipnorm_no_op": dict(
        node="claims/test_gradient_clipping.py::test_gradient_clipping[clipnorm_preserves_direction-fast]",
        claim="clipnorm_preserves_direction",
        patch="""
            # base_optimizer.BaseOptimizer._clip_by_norm is overridden by the TensorFlow
            # backend's optimizer: patch the one SGD resolves.
            import keras
            cls = next(c for c in keras.optimizers.SGD.__mro__ if "_clip_by_norm" in vars(c))
            cls._clip_by_norm = lambda self, values, axes=None: values
        """,
        doc="clipnorm does nothing: SGD applies [0.9, 100.0] unclipped."),
    "training_labels_shuffled": dict(
        node="claims/test_mnist_cnn.py::test_cnn_test_accuracy[cnn_99_percent-fast]",
        claim="cnn_99_percent",
        patch="""
            import numpy as np
            from harness import data
            subset = data.subset
            def shuffled(name):
                d = subset(name)
                return d._replace(y_train=np.random.default_rng(0).permutation(d.y_train))
            data.subset = shuffled
        """,
        doc="MNIST training labels permuted: the CNN learns nothing that transfers to the test set."),
    "dropout_off_in_training": dict(
        node="claims/test_mc_dropout.py::test_mc_dropout_calibration[mc_dropout_calibration-fast]",
        claim="mc_dropout_calibration",
        patch="""
            import keras
            keras.layers.Dropout.call = lambda self, inputs, training=False: inputs
        """,
        doc="Dropout passes its inputs through: the 100 MC passes equal the deterministic one."),
}
CONTROL = dict(node=CASES["dense_without_bias"]["node"], claim="one_layer_param_count")


def run_claim(tmp_path, node, claim, patch=""):
    """Run one claim test in a subprocess with ``patch`` as the body of a plugin's
    pytest_configure -> (return code, the claim's scoreboard entry, pytest's output)."""
    plugin = "turns_red_patch"
    body = textwrap.indent(textwrap.dedent(patch).strip() or "pass", "    ")
    (tmp_path / f"{plugin}.py").write_text(f"def pytest_configure(config):\n{body}\n")
    env = {**os.environ, "CLAIMS_RESULTS_DIR": str(tmp_path / "results"),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "pytest", node, "-q", "-p", "no:cacheprovider", "-p", plugin],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = proc.stdout[-3000:] + proc.stderr[-2000:]
    board = tmp_path / "results" / "fast" / "scoreboard.json"
    assert board.exists(), f"no scoreboard written (rc {proc.returncode}):\n{output}"
    return proc.returncode, json.loads(board.read_text())["claims"][claim], output


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_claim_turns_red_when_broken(case, tmp_path):
    rc, entry, output = run_claim(tmp_path, case["node"], case["claim"], case["patch"])
    assert entry["verdict"] not in ("error", "skipped"), f"the claim was not judged: {entry.get('reason')}"
    broken = (f"{case['doc']}\n{case['claim']}: {entry['verdict']} (expected {entry['expected']}), "
              f"value {entry['value']}")
    assert entry["verdict"] != entry["expected"], broken
    assert rc == 1, f"{broken}\npytest rc {rc}:\n{output}"


def test_control_unpatched_claim_is_green(tmp_path):
    rc, entry, output = run_claim(tmp_path, CONTROL["node"], CONTROL["claim"])
    assert (rc, entry["verdict"]) == (0, entry["expected"]), f"value {entry['value']}:\n{output}"
