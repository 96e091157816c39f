"""The GPU run, one command: ``python -m harness.gpu [--mixed-precision] [--xla] [--dry-run]``.

For each Keras backend asked for (default: JAX and PyTorch, the two a GPU image without
TensorFlow carries), three pytest runs, every pytest-xdist worker pinned to one GPU
(``-n`` = the number of GPUs; harness/kit/device.py pins worker gwN to GPU N mod #GPUs):

1. the fast tier, whole;
2. the headline claims (``HEADLINE``: the documents' central training claims) in their full or
   nightly tier;
3. the time to 99% MNIST test accuracy, the document's recipe against ours (benchmark tier).

Results go to ``results/gpu/`` (``CLAIMS_RESULTS_DIR``), apart from the CPU scoreboards:
the fast tier as a complete scoreboard per backend, the other two as the partial runs they
are; every entry records the backend, device and versions. ``--mixed-precision`` and
``--xla`` set ``CLAIMS_MIXED_PRECISION=1`` and ``CLAIMS_XLA=1`` (claims marked
exact_numerics keep float32). MNIST and Fashion-MNIST come from ``CLAIMS_DATA_DIR`` or
``keras.datasets``.

``--dry-run`` (a CPU check of this script, ``CUDA_VISIBLE_DEVICES=`` and the results in a
temporary folder): the fast tier on each backend, and the other two selections collected
only, each of which must select every claim it names.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile

from harness import settings
from harness.engine import scoreboard

HEADLINE = {"cnn_99_percent": "nightly", "dense_98_barrier": "full", "adam_beats_sgd": "full",
            "sigmoid_vanishing_gradients": "full", "glorot_preserves_variance": "full",
            "mc_dropout_calibration": "full", "strided_conv_vs_maxpool": "nightly"}  # claim id -> tier
TIME_TO_99 = ("cnn_99_percent_time_document_recipe", "cnn_99_percent_time_fast_recipe")


def selections() -> list:
    """(name, pytest arguments, the cases it must select) of one backend's GPU run."""
    def ids(claims, tier):
        return [f"{c}-{tier}" for c in claims]
    headline = [f"{c}-{tier}" for c, tier in HEADLINE.items()]
    return [("fast tier", ["-m", "fast"], None),
            ("headline claims", ["-m", "full or nightly", "-k", " or ".join(headline)], headline),
            ("time to 99% MNIST", ["-m", "benchmark", "-k", " or ".join(ids(TIME_TO_99, "benchmark"))],
             ids(TIME_TO_99, "benchmark"))]


def gpu_count(env) -> int:
    """GPUs ``nvidia-smi -L`` lists (0 without it), within CUDA_VISIBLE_DEVICES if set."""
    visible = env.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return len([d for d in visible.split(",") if d.strip()])
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0
    return sum(line.startswith("GPU ") for line in out.splitlines())


def workers_option(tier: str, gpus: int, collect_only: bool) -> list:
    """pytest-xdist's -n: one worker per GPU; one process for timings and collection; on a
    machine without GPU the plugin's default (one worker per core)."""
    if tier == "benchmark" or collect_only:
        return ["-n", "0"]
    return ["-n", str(gpus)] if gpus else []


def collected(output: str) -> list:
    """The claim cases ``pytest --collect-only -q`` printed ('<id>-<tier>')."""
    return re.findall(r"test_claims\[([^\]]+)\]", output)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.gpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=["jax", "torch", "tensorflow"],
                        help="a Keras backend to run (repeatable; default: jax and torch)")
    parser.add_argument("--mixed-precision", action="store_true", help="CLAIMS_MIXED_PRECISION=1")
    parser.add_argument("--xla", action="store_true", help="CLAIMS_XLA=1 (jit_compile=True; with "
                        "--backend tensorflow, also set CLAIMS_DETERMINISTIC=0)")
    parser.add_argument("--dry-run", action="store_true", help="CPU check: fast tier, other selections collected")
    args = parser.parse_args(argv)
    env = settings.child_environment(**{"CLAIMS_MIXED_PRECISION": "1" if args.mixed_precision else "0",
           "CLAIMS_XLA": "1" if args.xla else "0"})
    if args.dry_run:
        env.update(CUDA_VISIBLE_DEVICES="", CLAIMS_RESULTS_DIR=tempfile.mkdtemp(prefix="claims-gpu-dry-run-"))
    else:
        env.setdefault("CLAIMS_RESULTS_DIR", str(scoreboard.ROOT / "results" / "gpu"))
    workers = gpu_count(env)
    failures = []
    for backend in args.backend or ["jax", "torch"]:
        for name, selection, expected in selections():
            collect_only = args.dry_run and expected is not None
            command = [sys.executable, "-m", "pytest", "claims", *selection, "-p", "no:cacheprovider",
                       *workers_option(selection[1], workers, collect_only)]
            if collect_only:
                command += ["--collect-only", "-q"]
            print(f"== {backend}: {name}: {' '.join(command[2:])}", flush=True)
            proc = subprocess.run(command, env={**env, "KERAS_BACKEND": backend}, cwd=scoreboard.ROOT,
                                  capture_output=collect_only, text=True)
            if collect_only:
                missing = sorted(set(expected) - set(collected(proc.stdout)))
                if missing:
                    failures.append(f"{backend}, {name}: not selected: {', '.join(missing)}")
            elif proc.returncode:
                failures.append(f"{backend}, {name}: pytest exited {proc.returncode}")
    print(f"results: {env['CLAIMS_RESULTS_DIR']}")
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
