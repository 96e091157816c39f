"""Where TensorFlow runs, and the run-wide options; the only GPU code in the suite.

Options come from the environment, so that one nightly command sets them for
every claim:

- ``CLAIMS_MIXED_PRECISION=1``: Keras' "mixed_float16" policy (GPU speed-up;
  claims that measure variances build their probes in float32 regardless).
- ``CLAIMS_XLA=1``: ``jit_compile=True`` in every ``model.compile`` of the
  training helper.
- ``CLAIMS_DETERMINISTIC=0``: turn off TensorFlow's op determinism (on by default:
  on CPU it costs little, on GPU it makes seeded runs repeatable).

GPU set-up follows the TensorFlow GPU guide: memory growth on every visible GPU,
and with pytest-xdist each worker ``gwN`` sees only GPU ``N mod #GPUs``.
"""
import os

import keras
import tensorflow as tf

OPTIONS = {
    "mixed_precision": os.environ.get("CLAIMS_MIXED_PRECISION", "0") == "1",
    "xla": os.environ.get("CLAIMS_XLA", "0") == "1",
    "deterministic": os.environ.get("CLAIMS_DETERMINISTIC", "1") == "1",
}


def configure() -> None:
    """Call once, before TensorFlow runs anything."""
    gpus = tf.config.list_physical_devices("GPU")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if gpus and worker.startswith("gw"):
        tf.config.set_visible_devices(gpus[int(worker[2:]) % len(gpus)], "GPU")
    for gpu in tf.config.get_visible_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    if OPTIONS["mixed_precision"]:
        keras.mixed_precision.set_global_policy("mixed_float16")
    if OPTIONS["deterministic"]:
        tf.config.experimental.enable_op_determinism()


def describe() -> str:
    """'GPU: <name>, ...' for the visible GPUs, else 'CPU (<n> cores)'."""
    gpus = tf.config.get_visible_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        return "GPU: " + ", ".join(names)
    return f"CPU ({os.cpu_count()} cores)"
