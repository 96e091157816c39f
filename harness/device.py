"""Where the backend runs, and the run-wide options (the backend-specific calls are in
harness/backend.py).

Options come from the environment, so that one nightly command sets them for
every claim:

- ``CLAIMS_MIXED_PRECISION=1`` (or ``float16``): Keras' "mixed_float16" policy, the
  GPU speed-up; ``bfloat16``: "mixed_bfloat16" (CPUs with AVX512-BF16, TPUs, recent
  GPUs).
- ``CLAIMS_XLA=1``: ``jit_compile=True`` in every ``model.compile`` of the
  training helper. On TensorFlow it needs ``CLAIMS_DETERMINISTIC=0``: with op
  determinism on, Keras compiles every model without XLA (with a warning), so the pair
  is refused rather than recorded as an XLA run that was not. JAX's training step is
  jitted either way (``backend.jit_compile``).
- ``CLAIMS_DETERMINISTIC=1`` / ``0``: the backend's op determinism on / off. Unset: on,
  except for ``pytest claims -m fast`` on a machine without GPU. On CPU it makes
  Keras' Dropout slower (``pytest tests -m benchmark -s`` prints by how much), and
  seeded CPU runs repeat bit for bit without it (tests/test_training.py). It changes
  float rounding from the first step, which long runs amplify into different
  borderline verdicts, so the full tier keeps it; every entry records it.

An unknown value of any of them is an error before anything runs (``settings()``).

Mixed precision and XLA apply to every claim test except those marked
``@pytest.mark.exact_numerics(reason)`` (exact values, variances, gradients of
1e-5 that float16 would flush to zero): harness/plugin.py calls ``use()`` before each
test, and ``ACTIVE`` holds what the running test gets.

GPU set-up: memory on demand (TensorFlow's memory growth, JAX without preallocation),
and with pytest-xdist each worker ``gwN`` runs on GPU ``N mod #GPUs`` only.
"""
import contextlib
import os
import sys
import tempfile

from harness import backend

POLICIES = {"0": "", "1": "mixed_float16", "float16": "mixed_float16", "bfloat16": "mixed_bfloat16"}
SWITCHES = {"0": False, "1": True}


def settings(env=os.environ) -> dict:
    """The run-wide options from the environment, checked before anything runs
    (no TensorFlow import). Raises ValueError naming the variable and its values."""
    def choice(name, allowed, default):
        value = env.get(name, default)
        if value not in allowed:
            raise ValueError(f"{name}={value!r} is not one of {sorted(allowed)}")
        return allowed[value]
    options = {"mixed_precision": choice("CLAIMS_MIXED_PRECISION", POLICIES, "0"),
               "xla": choice("CLAIMS_XLA", SWITCHES, "0"),
               "deterministic": choice("CLAIMS_DETERMINISTIC", {"0": "0", "1": "1", "auto": "auto"}, "auto"),
               "backend": backend.chosen(env)}
    if options["xla"] and options["backend"] == "tensorflow" and options["deterministic"] != "0":
        raise ValueError("CLAIMS_XLA='1' needs CLAIMS_DETERMINISTIC='0' on TensorFlow: with op determinism "
                         "on, Keras compiles without XLA")
    return options


OPTIONS = {"mixed_precision": "", "xla": False, "deterministic": "auto", "backend": "tensorflow"}  # configure()
ACTIVE = {"mixed_precision": "", "xla": False}  # the running test's options (see use())


@contextlib.contextmanager
def quiet_stderr():
    """Silence the process's file descriptor 2 (C++ logging of TensorFlow's import and
    CUDA probe on a machine without GPU, which ignores TF_CPP_MIN_LOG_LEVEL); what
    was written is shown again if the block raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def configure(fast_tier_only: bool = False) -> None:
    """Call once, before the backend runs anything. fast_tier_only: the run selected
    ``-m fast`` (op determinism then defaults to off on CPU)."""
    OPTIONS.update(settings())
    backend.prepare(OPTIONS["deterministic"] != "0")
    with quiet_stderr():
        import keras  # noqa: F401  (imports the backend: TensorFlow's C++ logging is silenced)
        gpus = backend.gpus()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    backend.pin_gpu(int(worker[2:]) if worker.startswith("gw") else 0)
    if OPTIONS["deterministic"] == "auto":
        OPTIONS["deterministic"] = "0" if fast_tier_only and not gpus else "1"
    configure_determinism()


def configure_determinism() -> None:
    """Op determinism as OPTIONS says (also to restore it after a benchmark changed it)."""
    backend.determinism(OPTIONS["deterministic"] == "1")


def use(exact: bool) -> None:
    """Before each test: the run's options, or float32 without XLA when ``exact``."""
    import keras
    ACTIVE["mixed_precision"] = "" if exact else OPTIONS["mixed_precision"]
    ACTIVE["xla"] = OPTIONS["xla"] and not exact
    keras.mixed_precision.set_global_policy(ACTIVE["mixed_precision"] or "float32")


def describe() -> str:
    """'GPU: <name>, ...' for the visible GPUs, else 'CPU (<n> cores)'."""
    gpus = backend.gpus()
    return "GPU: " + ", ".join(gpus) if gpus else f"CPU ({os.cpu_count()} cores)"
