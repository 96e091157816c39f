"""harness/kit/backend.py: the same gradients on TensorFlow, JAX and PyTorch; the batches of the
JAX/PyTorch pipeline; a missing TensorFlow only fails where it is used."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from harness.engine import scoreboard

# Run in a fresh process per backend (Keras reads KERAS_BACKEND once, at import).
PROBE = """
import json, keras, numpy as np
from harness.kit import backend
x = np.array([[1.0, -2.0, 3.0]], "float32")
dense = keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")
unused = keras.Variable(np.zeros(4, "float32"))
dense.build((None, 3))
value, (g_kernel, g_bias, g_unused), (g_x,) = backend.gradients(
    lambda x: keras.ops.sum(dense(x) ** 2), [dense.kernel, dense.bias, unused], [x])
print(json.dumps({"backend": backend.name(), "value": value, "kernel": g_kernel.tolist(), "bias": g_bias.tolist(),
                  "unused": g_unused.tolist(), "x": g_x.tolist()}))
"""

FUSED = """
import json, numpy as np
from harness.kit import backend, data, models, training
d = data.subset("fashion_mnist")
x, y = data.scale(d.x_train[:300]), d.y_train[:300]
runs = [training.train(models.doc001_dropout_mlp, x, y, seed=3, epochs=2, batch_size=32, steps_per_execution=k,
                       share_model=share) for k, share in ((1, False), (4, False), (4, True))]
print(json.dumps({"backend": backend.name(), "losses": [r.history["loss"] for r in runs],
                  "steps_per_execution": [r.model.steps_per_execution for r in runs],
                  "jit_compile": [bool(r.model.jit_compile) for r in runs],
                  "same": [all(np.array_equal(a, b) for a, b in zip(runs[0].model.get_weights(), r.model.get_weights()))
                           for r in runs[1:]]}))
"""
BACKENDS = ["tensorflow", "jax", "torch"]


def run_on(name: str, code: str) -> dict:
    """The last stdout line of ``code`` run under KERAS_BACKEND=name, as JSON."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[{name}]')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=scoreboard.ROOT,
                         env={**os.environ, "KERAS_BACKEND": name}, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("name", BACKENDS)
def test_gradients_are_the_calculus_on_every_backend(name):
    got = run_on(name, PROBE)
    # y = x @ ones(3, 2) = [2, 2]; f = sum(y^2) = 8; df/dy = 2y = [4, 4]
    assert got["backend"] == name and got["value"] == 8.0
    assert got["kernel"] == [[4.0, 4.0], [-8.0, -8.0], [12.0, 12.0]]  # x^T df/dy
    assert got["bias"] == [4.0, 4.0] and got["unused"] == [0.0] * 4
    assert got["x"] == [[8.0, 8.0, 8.0]]  # df/dy @ ones(2, 3)


@pytest.mark.parametrize("name", BACKENDS)
def test_fused_steps_train_the_same_run_bit_for_bit(name):
    """steps_per_execution=4 over 10 steps an epoch (2 fused calls and a rest), with a new and a
    shared model, gives the weights and losses of one step per call (001's dropout MLP, so
    Dropout's draws too; PyTorch runs one step per call either way)."""
    got = run_on(name, FUSED)
    assert got["backend"] == name and got["same"] == [True, True]
    assert got["losses"][0] == got["losses"][1] == got["losses"][2] and len(got["losses"][0]) == 2
    assert got["steps_per_execution"] == ([1, 1, 1] if name == "torch" else [1, 4, 4])  # the runs did differ
    assert got["jit_compile"] == [name == "jax"] * 3  # without CLAIMS_XLA: jax.jit on JAX only


def test_pytorch_threads_are_shared_out_between_xdist_workers():
    from harness.settings import Settings, prepare_frameworks
    torch_env = {"HOME": "/tmp"}
    prepare_frameworks(Settings(backend="torch", workers=2, deterministic="0"), torch_env)
    assert torch_env["OMP_NUM_THREADS"] == str(max(1, (os.cpu_count() or 1) // 2))
    for run in (Settings(backend="torch", workers=1, deterministic="0"),
                Settings(backend="tensorflow", workers=2, deterministic="0")):
        env = {"HOME": "/tmp"}
        prepare_frameworks(run, env)
        assert "OMP_NUM_THREADS" not in env


def test_shuffled_batches_are_a_new_permutation_each_pass_and_repeat_per_seed():
    from harness.kit.training import Shuffled
    x, y = np.arange(10, dtype="float32")[:, None], np.arange(10)

    def passes(seed, repeat):
        data = Shuffled(x, y, batch_size=4, seed=seed, repeat=repeat)
        if repeat:
            return [np.concatenate([data[i][1] for i in range(k * 3, k * 3 + 3)]) for k in range(2)]
        out = []
        for _ in range(2):
            out.append(np.concatenate([data[i][1] for i in range(len(data))]))
            data.on_epoch_end()
        return out

    first, second = passes(0, repeat=False)
    assert sorted(first) == sorted(second) == list(range(10)) and list(first) != list(second)
    assert [list(p) for p in passes(0, repeat=True)] == [list(first), list(second)]  # the same passes
    assert list(passes(1, repeat=False)[0]) != list(first)
    assert [len(Shuffled(x, y, batch_size=4, seed=0)[i][1]) for i in range(3)] == [4, 4, 2]


def test_claim_files_import_without_tensorflow():
    """The GPU image has JAX and PyTorch but no TensorFlow: with tensorflow unimportable, the
    claims still collect on JAX (TensorFlow-only claims skip when run)."""
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "import pytest; raise SystemExit(pytest.main(['claims', '-m', 'fast', '--collect-only', '-q', "
            "'-n', '0', '-p', 'no:cacheprovider']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=scoreboard.ROOT,
                          env={**os.environ, "KERAS_BACKEND": "jax"})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "test_claims[adam_beats_sgd-fast]" in proc.stdout
