"""The one place where Keras' three backends differ: TensorFlow (the default), JAX, PyTorch.

The backend is Keras' own choice, ``KERAS_BACKEND`` (tensorflow, jax or torch), read when
Keras is first imported. Everything else in the harness and the claims goes through
Keras 3's APIs (``keras.ops``, ``keras.utils.set_random_seed``, ``keras.mixed_precision``,
``jit_compile``); what Keras has no API for is here:

- ``gradients``: values and gradients of a scalar function (``tf.GradientTape``,
  ``jax.value_and_grad`` through a ``keras.StatelessScope``, ``torch.autograd.grad``);
- ``function``: ``tf.function`` on TensorFlow, eager elsewhere;
- ``jit_compile``, ``steps_per_execution``: how ``model.compile`` compiles the training
  step (always ``jax.jit`` on JAX), fused steps (one per call on PyTorch);
- ``gpus``, ``pin_gpu``, ``determinism``, ``threads``, ``versions``: the devices, one GPU per
  pytest-xdist worker, op determinism, thread pools and framework versions;
- ``tf``: the ``tensorflow`` module, imported on first use, for the claims about
  TensorFlow's own API (marked ``@pytest.mark.tensorflow_only(reason)``, they skip on the
  other backends): the claim files import without TensorFlow, which the GPU image lacks.
"""
from __future__ import annotations

import importlib
from importlib import metadata

from harness.settings import BACKENDS  # noqa: F401  (where the backends are listed)


def name() -> str:
    """The backend Keras uses in this process (imports Keras)."""
    import keras
    return keras.backend.backend()


def chosen() -> str:
    """The backend this run asks for (harness/settings.py), without importing anything."""
    from harness import settings
    return settings.current().backend


class _Lazy:
    """A module imported on first use: importing the claim files neither costs TensorFlow's
    import on the other backends nor fails where TensorFlow is not installed."""

    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self._module), attr)


tf = _Lazy("tensorflow")


# --- gradients ---------------------------------------------------------------

def gradients(fn, variables=(), inputs=()):
    """d fn / d (variables, inputs) for a scalar ``fn(*inputs)``.

    variables: Keras variables that ``fn`` reads (a model's weights); inputs: arrays
    passed to ``fn`` as tensors. -> (value: float, [gradient per variable],
    [gradient per input]), numpy float64 arrays of their shapes; a variable ``fn`` does
    not depend on gets zeros.
    """
    import keras
    import numpy as np
    backend = keras.backend.backend()
    variables, inputs = list(variables), [keras.ops.convert_to_tensor(x, "float32") for x in inputs]
    if backend == "tensorflow":
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            value = fn(*inputs)
        grads = tape.gradient(value, [v.value for v in variables] + inputs,
                              unconnected_gradients=tf.UnconnectedGradients.ZERO)
    elif backend == "jax":
        import jax

        def pure(values, args):
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                return fn(*args)
        value, (by_variable, by_input) = jax.value_and_grad(pure, argnums=(0, 1))(
            [v.value for v in variables], inputs)
        grads = list(by_variable) + list(by_input)
    elif backend == "torch":
        import torch
        inputs = [x.detach().requires_grad_(True) for x in inputs]
        value = fn(*inputs)
        grads = torch.autograd.grad(value, [v.value for v in variables] + inputs, allow_unused=True)
        grads = [torch.zeros_like(t) if g is None else g
                 for g, t in zip(grads, [v.value for v in variables] + inputs)]
    else:
        raise ValueError(f"unknown Keras backend {backend!r}")
    grads = [np.asarray(keras.ops.convert_to_numpy(g), np.float64) for g in grads]
    return float(keras.ops.convert_to_numpy(value)), grads[:len(variables)], grads[len(variables):]


def function(fn):
    """``fn`` compiled where that is safe for stateful Keras code: ``tf.function`` on
    TensorFlow (traced once: a Python loop of optimizer steps or dropout passes runs at graph
    speed); ``fn`` itself on JAX and PyTorch, which run it eagerly (under ``jax.jit`` a
    variable update or a dropout draw would be traced once and not repeat)."""
    return tf.function(fn) if name() == "tensorflow" else fn


def jit_compile(xla: bool) -> bool:
    """``compile(jit_compile=)`` for the run's XLA option: on TensorFlow and PyTorch, XLA or
    ``torch.compile`` only when asked (else tf.function graphs, or eager PyTorch); on JAX
    always, as Keras' own default does: ``jax.jit`` is JAX's only compiled mode, and without
    it every training step runs op by op (about ten times slower on a CPU)."""
    return True if name() == "jax" else xla


def steps_per_execution(k: int) -> int:
    """The ``compile(steps_per_execution=)`` for k fused training steps: k, except on
    PyTorch, whose Keras trainer runs one step per call (it raises otherwise)."""
    return 1 if name() == "torch" else k


# --- devices, determinism, threads -----------------------------------------------

def gpus() -> list:
    """Names of the GPUs this process sees."""
    backend = name()
    if backend == "tensorflow":
        found = tf.config.get_visible_devices("GPU")
        return [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in found]
    if backend == "jax":
        import jax
        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    import torch
    return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]


def pin_gpu(worker: int) -> None:
    """Keep this process on GPU ``worker mod #GPUs`` (pytest-xdist worker gwN: N)."""
    backend = name()
    if backend == "tensorflow":
        found = tf.config.list_physical_devices("GPU")
        if found:
            tf.config.set_visible_devices(found[worker % len(found)], "GPU")
        for gpu in tf.config.get_visible_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
    elif backend == "jax":
        import jax
        found = [d for d in jax.devices() if d.platform == "gpu"]
        if found:
            jax.config.update("jax_default_device", found[worker % len(found)])
    else:
        import torch
        if torch.cuda.is_available():
            torch.cuda.set_device(worker % torch.cuda.device_count())


def determinism(on: bool) -> None:
    """Op determinism on or off, where the backend can switch it at run time (JAX's is
    fixed at start-up by ``prepare``; on CPU its ops are deterministic)."""
    backend = name()
    if backend == "tensorflow":
        from tensorflow.python.framework import config  # disable_op_determinism is not public API
        (tf.config.experimental.enable_op_determinism if on else config.disable_op_determinism)()
    elif backend == "torch":
        import torch
        torch.use_deterministic_algorithms(on, warn_only=True)


def threads() -> dict:
    """The backend's thread pools (0: its default, one thread per core)."""
    backend = name()
    from harness import settings
    out = {"OMP_NUM_THREADS": settings.environ("OMP_NUM_THREADS")}
    if backend == "tensorflow":
        out.update(intra_op=tf.config.threading.get_intra_op_parallelism_threads(),
                   inter_op=tf.config.threading.get_inter_op_parallelism_threads(),
                   note="0 = TensorFlow's default (one thread per core)")
    elif backend == "torch":
        import torch
        out.update(intra_op=torch.get_num_threads(), inter_op=torch.get_num_interop_threads())
    else:
        out.update(note="XLA's CPU client: one thread per core")
    return out


def versions() -> dict:
    """The backend and the installed versions of the three frameworks."""
    out = {"backend": name()}
    for package in ("tensorflow", "jax", "jaxlib", "torch"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return out
