"""The GPU script (harness/gpu.py): its selections name real claims, and its workers follow the GPUs."""
import os
import subprocess
import sys

from harness import gpu
from harness.engine import scoreboard


def test_each_collected_selection_selects_exactly_the_claims_it_names(tmp_path):
    for name, selection, expected in gpu.selections():
        if expected is None:
            continue
        proc = subprocess.run([sys.executable, "-m", "pytest", "claims", *selection, "-p", "no:cacheprovider",
                               "-n", "0", "--collect-only", "-q"], cwd=scoreboard.ROOT, capture_output=True,
                              text=True, env={**os.environ, "CLAIMS_RESULTS_DIR": str(tmp_path)})
        assert sorted(gpu.collected(proc.stdout)) == sorted(expected), name
    assert len(gpu.HEADLINE) == 7


def test_one_worker_per_gpu_one_process_for_timings():
    assert gpu.workers_option("fast", 8, collect_only=False) == ["-n", "8"]
    assert gpu.workers_option("fast", 0, collect_only=False) == []  # the plugin's default on CPU
    assert gpu.workers_option("benchmark", 8, collect_only=False) == ["-n", "0"]
    assert gpu.workers_option("full", 8, collect_only=True) == ["-n", "0"]


def test_gpu_count_follows_cuda_visible_devices():
    assert gpu.gpu_count({"CUDA_VISIBLE_DEVICES": ""}) == 0
    assert gpu.gpu_count({"CUDA_VISIBLE_DEVICES": "0,3"}) == 2
