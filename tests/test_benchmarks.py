"""Benchmarks of the harness itself (run with ``pytest tests -m benchmark``).

They report, they do not assert on time: the ratio lands in pytest-benchmark's
JSON (``extra_info``) and in the printed table.
"""
import time

import keras
import numpy as np
import pytest

from harness.kit import data, device, models, training


@pytest.mark.benchmark
def test_training_helper_overhead(benchmark):
    """train() (seeding, tf.data pipeline reshuffled per epoch, timing) against a plain
    ``model.fit(x, y)`` of the same model on the same 5,000 MNIST images, 2 epochs, batch 100;
    alternated over rounds. extra_info["ratio"] = median train() time / median fit time."""
    d = data.subset("mnist")
    x, y = data.scale(d.x_train), d.y_train
    times, losses = {"helper": [], "plain": []}, {"helper": [], "plain": []}

    def plain():
        training.seed_everything(0)
        model = models.doc000_five_layer("relu")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(x, y, epochs=2, batch_size=100, verbose=0)
        return time.perf_counter() - start, history.history["loss"]

    def one_round():
        run = training.train(lambda: models.doc000_five_layer("relu"), x, y, seed=0, epochs=2, batch_size=100)
        times["helper"].append(run.seconds)
        losses["helper"].append(run.history["loss"])
        seconds, loss = plain()
        times["plain"].append(seconds)
        losses["plain"].append(loss)

    benchmark.pedantic(one_round, rounds=5, warmup_rounds=1)
    ratio = float(np.median(times["helper"][1:]) / np.median(times["plain"][1:]))
    benchmark.extra_info.update({"ratio_helper_over_plain_fit": ratio, **times})
    # It timed what it says: both ran two epochs of the same training, which learned.
    for name, runs in losses.items():
        assert all(len(r) == 2 and r[1] < r[0] for r in runs), (name, runs)


# name -> (Keras dtype policy, jit_compile, op determinism); the first is the suite's default.
DEVICE_OPTIONS = {
    "default: float32, no XLA, op determinism": ("float32", False, True),
    "XLA (CLAIMS_XLA=1, CLAIMS_DETERMINISTIC=0)": ("float32", True, False),
    "mixed_float16 (CLAIMS_MIXED_PRECISION=1)": ("mixed_float16", False, True),
    "mixed_bfloat16 (CLAIMS_MIXED_PRECISION=bfloat16)": ("mixed_bfloat16", False, True),
    "op determinism off (CLAIMS_DETERMINISTIC=0)": ("float32", False, False),
}
# The options are timed on 000's CNN and on the same CNN without its Dropout layer, which
# separates Dropout's per-step random numbers from the rest of the step.
OPTION_MODELS = {"000 CNN": models.doc000_cnn,
                 "000 CNN without Dropout": lambda: models.doc000_cnn_variant(fc_dropout=0.0)}


@pytest.mark.benchmark
def test_device_options(benchmark):
    """Epoch time of 000's CNN (the 5,000 embedded MNIST images, batch 32, Adam) under each
    option of harness/kit/device.py. extra_info per model and option: "first_epoch_s" (tracing
    and XLA compilation included), "epoch_s" (median of the 3 epochs after it), "ratio"
    = epoch_s / the default's epoch_s, and "xla": whether Keras compiled the step with XLA."""
    d = data.subset("mnist")
    x, y = data.scale(d.x_train)[..., None], d.y_train
    results = {}

    def epoch_times(build, policy, xla, deterministic):
        keras.mixed_precision.set_global_policy(policy)
        try:
            with device.op_determinism("1" if deterministic else "0"):
                training.seed_everything(0)
                model = build()
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=xla)
                ds = training.batches(x, y, batch_size=32, seed=0)
                seconds = []
                for _ in range(4):
                    start = time.perf_counter()
                    model.fit(ds, epochs=1, shuffle=False, verbose=0)
                    seconds.append(time.perf_counter() - start)
                return seconds, bool(model.jit_compile), model.dtype_policy.name
        finally:
            keras.mixed_precision.set_global_policy("float32")

    def all_options():
        for model_name, build in OPTION_MODELS.items():
            for name, option in DEVICE_OPTIONS.items():
                seconds, xla, policy = epoch_times(build, *option)
                results[f"{model_name}, {name}"] = {"first_epoch_s": seconds[0], "policy": policy,
                                                    "epoch_s": float(np.median(seconds[1:])), "xla": xla}

    benchmark.pedantic(all_options, rounds=1)
    for model_name in OPTION_MODELS:
        default = results[f"{model_name}, {next(iter(DEVICE_OPTIONS))}"]["epoch_s"]
        for key, r in results.items():
            if key.startswith(model_name + ", "):
                r["ratio"] = r["epoch_s"] / default
    benchmark.extra_info.update(results)
    print("\n" + "\n".join(f"{name:95s} first epoch {r['first_epoch_s']:6.2f} s, then {r['epoch_s']:6.2f} s "
                            f"per epoch, x{r['ratio']:.2f}" for name, r in results.items()))
    # It timed what it says: each model ran under the dtype policy of its option.
    assert {k: r["policy"] for k, r in results.items()} == {
        f"{m}, {name}": option[0] for m in OPTION_MODELS for name, option in DEVICE_OPTIONS.items()}
    xla = "XLA (CLAIMS_XLA=1, CLAIMS_DETERMINISTIC=0)"
    assert [results[f"{m}, {xla}"]["xla"] for m in OPTION_MODELS] == [True, True]  # Keras kept XLA on
