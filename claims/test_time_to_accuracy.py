"""Time to 99% MNIST test accuracy, DAWNBench-style (benchmark tier).

Each seed trains on all 60,000 MNIST training images. The clock runs from just
before ``fit`` (graph tracing included) and stops at every checkpoint the recipe
fixes in advance, while the 10,000 test images are classified; the time to 99%
is the training time at the first checkpoint whose test accuracy is >= 0.99,
where the run ends. Nothing is selected on the test set: the checkpoints are
fixed, and the first that reaches the target ends the run.

Alongside, the arithmetic rate: training FLOPs = 6 x forward MACs
(``models.macs``; 2 FLOPs per MAC forward, the backward pass twice the forward)
x images trained on, over training seconds, against a float32 matrix product
measured in the same process (the machine's practical peak).
"""
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from harness import data, models, plots, stats, training
from harness.claim import All, AtMost, Claim, Exact, Tier, cases

TARGET = 0.99

# Plain data: how each recipe trains. steps_per_epoch: a checkpoint every that many steps
# (None: at the end of every pass through the data); epochs: the number of checkpoints.
RECIPES = {
    "document": {"build": models.doc000_cnn, "optimizer": models.doc000_adam, "batch_size": 32,
                 "epochs": 8, "steps_per_epoch": None, "loss": "sparse_categorical_crossentropy",
                 "one_hot": False},
    "fast": {"build": models.fast_mnist_cnn, "optimizer": models.fast_mnist_sgd, "batch_size": 128,
             "epochs": 4, "steps_per_epoch": 195, "one_hot": True,
             "loss": keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)},
}


class Checkpoints(keras.callbacks.Callback):
    """At the end of every fit epoch: stop the clock, classify the test images, restart
    the clock; end training at the first accuracy >= TARGET. ``points``: [(training
    seconds so far, test accuracy)]."""

    def __init__(self, x_test, y_test, start: float):
        super().__init__()
        self.x_test, self.y_test, self.points = x_test, y_test, []
        self.clock, self.start = 0.0, start

    def on_epoch_end(self, epoch, logs=None):
        self.clock += time.perf_counter() - self.start
        predicted = self.model.predict(self.x_test, batch_size=2500, verbose=0).argmax(axis=1)
        accuracy = float(np.mean(predicted == self.y_test))
        self.points.append((self.clock, accuracy))
        self.model.stop_training = accuracy >= TARGET
        self.start = time.perf_counter()


def time_to_target(recipe: str, seed: int, x, y, x_test, y_test) -> dict:
    """One seeded run; x, x_test: (n, 28, 28, 1) float32 in [0, 1]; y, y_test: (n,) labels.
    -> "points" [(seconds, accuracy)] per checkpoint, "seconds" to the first accuracy >=
    TARGET (None if never), "images" trained on, "macs" per image."""
    r = RECIPES[recipe]
    targets = keras.utils.to_categorical(y, 10) if r["one_hot"] else y
    checkpoints = Checkpoints(x_test, y_test, start=time.perf_counter())
    run = training.train(r["build"], x, targets, seed=seed, epochs=r["epochs"], batch_size=r["batch_size"],
                         optimizer=r["optimizer"], loss=r["loss"], steps_per_epoch=r["steps_per_epoch"],
                         callbacks=[checkpoints])
    reached = [s for s, accuracy in checkpoints.points if accuracy >= TARGET]
    return {"points": checkpoints.points, "seconds": reached[0] if reached else None,
            "images": int(run.model.optimizer.iterations) * r["batch_size"], "macs": models.macs(run.model)}


def matmul_flops(n: int = 2048, repeats: int = 20) -> float:
    """FLOP/s of a float32 (n, n) x (n, n) matrix product (2 n^3 FLOPs), best of
    ``repeats`` timed calls: the practical peak of this machine for dense math."""
    a = tf.random.stateless_normal((n, n), seed=(0, 0))
    best = float("inf")
    for _ in range(repeats + 1):
        start = time.perf_counter()
        tf.matmul(a, a).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best


REACH = ("every reported seed reaches 99.0% test accuracy at one of the recipe's checkpoints "
         "(fraction of seeds = 1)")
CLAIMS = [
    Claim("cnn_99_percent_time_document_recipe", "000", "10. Lab: the 99% challenge", "581-590, 616-658",
          "Go for it and break the 99% limit.",
          "The document gives no time, so only this is judged: " + REACH + ", the checkpoints being the "
          "end of epochs 1-8 (cnn_99_percent's budget). The time to 99% is the benchmark's result: "
          "median, min and max over seeds in details and the plot.",
          {"benchmark": Tier(All({"fraction_of_seeds_reaching_99": Exact(1.0)}), seeds=(0, 1, 2),
                             config={"recipe": "document"})},
          port="As cnn_99_percent (models.doc000_adam for Adam(decay=); no TensorBoard; keras.Input); "
               "validation_data=(x_test, y_test) becomes the Checkpoints callback, off the clock.",
          document_value="breaks 99% (no time given)"),
    Claim("cnn_99_percent_time_fast_recipe", "000", "10. Lab: the 99% challenge", "581-590",
          "Go for it and break the 99% limit.",
          "Our recipe, not the document's: how fast 99% can honestly be reached on this 2-core CPU. "
          "The goal set for it (issue 4), judged in the benchmark tier only since it is a time on one "
          "machine: " + REACH + " and the slowest seed's time to 99% is at most 10 s (a seed that never "
          "gets there counts with its whole training time). Recipe, fixed before the reported seeds from "
          "a pilot on seeds 100-103 trained on the first 50,000 training images and checked on the other "
          "10,000 (never the test set): models.fast_mnist_cnn (space-to-depth, two convs with BN, 1.16 M "
          "MACs), SGD-Nesterov one-cycle to 0.1 (models.fast_mnist_sgd), label smoothing 0.1, batch 128, "
          "780 steps with a checkpoint every 195. Pilot (helper's script, batches of exactly 128): "
          "validation 99.0% first reached at 5.5-8.6 s, 99.12-99.16% at step 780 (9.1-11.2 s).",
          {"benchmark": Tier(All({"fraction_of_seeds_reaching_99": Exact(1.0),
                                  "max_seconds_to_99": AtMost(10.0)}), seeds=(0, 1, 2, 3, 4),
                             config={"recipe": "fast"})},
          port="Not a port: our recipe. The harness's pipeline keeps each pass's last short batch "
               "(60,000 = 468 x 128 + 96) where the pilot's dropped it.",
          document_value="breaks 99% (no time given)"),
]


@pytest.mark.parametrize("case", cases(CLAIMS))
def test_time_to_99(case, judge, benchmark):
    recipe = case.config["recipe"]
    mnist = data.load("mnist")
    x, x_test = data.scale(mnist.x_train)[..., None], data.scale(mnist.x_test)[..., None]
    runs = {}

    def one_seed():
        seed = case.seeds[len(runs)]
        runs[seed] = time_to_target(recipe, seed, x, mnist.y_train, x_test, mnist.y_test)

    benchmark.pedantic(one_seed, rounds=len(case.seeds))
    seconds = [r["seconds"] for r in runs.values()]
    reached = [s for s in seconds if s is not None]
    slowest = max(r["seconds"] if r["seconds"] is not None else r["points"][-1][0] for r in runs.values())
    flops = float(np.median([6 * r["macs"] * r["images"] / r["points"][-1][0] for r in runs.values()]))
    peak = matmul_flops()
    summary = {"seconds_to_99": seconds, "median_s": float(np.median(reached)) if reached else None,
               "min_s": min(reached, default=None), "max_s": max(reached, default=None),
               "training_gflop_per_s": flops / 1e9, "matmul_peak_gflop_per_s": peak / 1e9,
               "fraction_of_peak": flops / peak, "macs_per_image": runs[case.seeds[0]]["macs"]}
    benchmark.extra_info.update({"claim": case.claim.id, **summary})
    value = {"fraction_of_seeds_reaching_99": len(reached) / len(seconds), "max_seconds_to_99": slowest}
    figure = plots.checkpoints({f"seed {seed}": r["points"] for seed, r in runs.items()}, target=TARGET,
                               title=f"{recipe} recipe: time to {TARGET:.0%}, median {summary['median_s']:.1f} s"
                               if reached else f"{recipe} recipe: never reached {TARGET:.0%}")
    judge({k: value[k] for k in case.rule.rules}, samples=seconds,
          details={**summary, "points": {seed: r["points"] for seed, r in runs.items()},
                   "mean_interval_s": stats.bootstrap_ci(reached).to_dict() if len(reached) > 1 else None},
          figure=figure)
