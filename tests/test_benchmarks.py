"""Benchmarks of the harness itself (run with ``pytest tests -m benchmark``).

They report, they do not assert on time: the ratio lands in pytest-benchmark's
JSON (``extra_info``) and in the printed table.
"""
import time

import keras
import numpy as np
import pytest

from harness import data, models, training


@pytest.mark.benchmark
def test_training_helper_overhead(benchmark):
    """train() (seeding, tf.data pipeline reshuffled per epoch, timing) against a plain
    ``model.fit(x, y)`` of the same model on the same 5,000 MNIST images, 2 epochs, batch 100;
    alternated over rounds. extra_info["ratio"] = median train() time / median fit time."""
    d = data.subset("mnist")
    x, y = data.scale(d.x_train), d.y_train
    times = {"helper": [], "plain": []}

    def plain():
        training.seed_everything(0)
        model = models.doc000_five_layer("relu")
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, epochs=2, batch_size=100, verbose=0)
        return time.perf_counter() - start

    def one_round():
        run = training.train(lambda: models.doc000_five_layer("relu"), x, y, seed=0, epochs=2, batch_size=100)
        times["helper"].append(run.seconds)
        times["plain"].append(plain())

    benchmark.pedantic(one_round, rounds=5, warmup_rounds=1)
    ratio = float(np.median(times["helper"][1:]) / np.median(times["plain"][1:]))
    benchmark.extra_info.update({"ratio_helper_over_plain_fit": ratio, **times})
    assert ratio > 0
