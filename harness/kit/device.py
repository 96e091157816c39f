"""Where the backend runs, and the run-wide options (the backend-specific calls are in
harness/kit/backend.py).

Options come from the run's settings (harness/settings.py reads them from the
environment), so that one nightly command sets them for every claim:

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

An unknown value of any of them is an error before anything runs (``Settings``).

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

from harness.kit import backend
from harness.settings import Settings

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


def configure(settings: Settings) -> Settings:
    """Call once per process, before the backend runs anything. -> the settings with op
    determinism resolved ("auto": off for a fast-tier-only run on a machine without GPU)."""
    from harness import settings as run
    run.prepare_frameworks(settings)
    with quiet_stderr():
        import keras  # noqa: F401  (imports the backend: TensorFlow's C++ logging is silenced)
        gpus = backend.gpus()
    worker = settings.worker
    backend.pin_gpu(int(worker[2:]) if worker.startswith("gw") else 0)
    if settings.deterministic == "auto":
        settings = settings.replace(deterministic="0" if settings.fast_only and not gpus else "1")
    backend.determinism(settings.deterministic == "1")
    return settings


def configure_determinism() -> None:
    """Op determinism as the run's settings say (to restore it after a test changed it)."""
    from harness import settings
    backend.determinism(settings.current().deterministic == "1")


@contextlib.contextmanager
def op_determinism(deterministic: str):
    """A block run with op determinism "1" (on) or "0" (off), the run's restored after it."""
    from harness import settings
    run = settings.current()
    settings.activate(run.replace(deterministic=deterministic))
    configure_determinism()
    try:
        yield
    finally:
        settings.activate(run)
        configure_determinism()


def use(exact: bool) -> None:
    """Before each test: the run's options, or float32 without XLA when ``exact``."""
    import keras
    from harness import settings
    run = settings.current()
    ACTIVE["mixed_precision"] = "" if exact else run.mixed_precision
    ACTIVE["xla"] = run.xla and not exact
    keras.mixed_precision.set_global_policy(ACTIVE["mixed_precision"] or "float32")


def describe() -> str:
    """'GPU: <name>, ...' for the visible GPUs, else 'CPU (<n> cores)'."""
    gpus = backend.gpus()
    return "GPU: " + ", ".join(gpus) if gpus else f"CPU ({os.cpu_count()} cores)"
