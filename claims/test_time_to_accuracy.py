"""Time to 99% MNIST test accuracy, DAWNBench-style (benchmark tier).

Each seed trains on all 60,000 MNIST training images. The clock runs from just
before ``fit`` (graph tracing included) and stops at every checkpoint the recipe
fixes in advance, while the 10,000 test images are classified; the time to 99%
is the training time at the first checkpoint whose test accuracy is >= 0.99,
where the run ends. Nothing is selected on the test set: the checkpoints are
fixed, and the first that reaches the target ends the run.

Each seed races both recipes, the document's and ours, back to back in the same
process (order alternating with the seed). Times are never judged against a number
of seconds: our recipe's claim is judged on its time over the document recipe's,
seed by seed, in the same run.

Alongside, the arithmetic rate: training FLOPs = 6 x forward MACs
(``models.macs``; 2 FLOPs per MAC forward, the backward pass twice the forward)
x images trained on, over training seconds, against a float32 matrix product
measured in the same process (the machine's practical peak).
"""
import functools
import time

import keras
import numpy as np

from harness.kit import data, models, plots, stats, training
from harness.engine.claim import All, AtMost, Claim, Close, Exact, Measured, Tier, claim_test

TARGET = 0.99

# Plain data: how each recipe trains. steps_per_epoch: a checkpoint every that many steps
# (None: at the end of every pass through the data); epochs: the number of checkpoints;
# steps_per_execution: training steps per call of the compiled step (the document's: Keras'
# default, 1; ours: a third of a checkpoint's steps, the same updates with less dispatch).
RECIPES = {
    "document": {"build": models.doc000_cnn, "optimizer": models.doc000_adam, "batch_size": 32,
                 "epochs": 8, "steps_per_epoch": None, "steps_per_execution": 1,
                 "loss": "sparse_categorical_crossentropy",
                 "one_hot": False},
    "fast": {"build": models.fast_mnist_cnn, "optimizer": models.fast_mnist_sgd, "batch_size": 128,
             "epochs": 4, "steps_per_epoch": 195, "steps_per_execution": 65, "one_hot": True,
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
                         steps_per_execution=r["steps_per_execution"], callbacks=[checkpoints])
    reached = [s for s, accuracy in checkpoints.points if accuracy >= TARGET]
    return {"points": checkpoints.points, "seconds": reached[0] if reached else None,
            "images": int(run.model.optimizer.iterations) * r["batch_size"], "macs": models.macs(run.model)}


def published_loss(case):
    """The document recipe's loss (``RECIPES["document"]["loss"]``, resolved by name as compile()
    resolves it) on TensorFlow's example: per-sample losses."""
    loss = keras.losses.get(RECIPES["document"]["loss"])
    value = loss(np.asarray(case.config["y_true"]), np.asarray(case.config["y_pred"], "float32"))
    return Measured(keras.ops.convert_to_numpy(value).astype(float), details={"loss": getattr(loss, "__name__", str(loss))})


def matmul_flops(n: int = 2048, repeats: int = 20) -> float:
    """FLOP/s of a float32 (n, n) x (n, n) matrix product (2 n^3 FLOPs), best of
    ``repeats`` timed calls: the practical peak of this machine for dense math."""
    a = keras.ops.convert_to_tensor(np.random.default_rng(0).standard_normal((n, n), "float32"))
    best = float("inf")
    for _ in range(repeats + 1):
        start = time.perf_counter()
        keras.ops.convert_to_numpy(keras.ops.matmul(a, a))
        best = min(best, time.perf_counter() - start)
    return 2 * n ** 3 / best


@functools.lru_cache(maxsize=None)
def mnist_arrays():
    """(x_train, y_train, x_test, y_test), x float32 (n, 28, 28, 1) in [0, 1]."""
    mnist = data.load("mnist")
    return data.scale(mnist.x_train)[..., None], mnist.y_train, data.scale(mnist.x_test)[..., None], mnist.y_test


RACES: dict = {}  # {seed: race(seed)}: both claims read the same races


def race(seed: int) -> dict:
    """Both recipes on one seed, back to back in this process (the document's first on even
    seeds, ours first on odd ones, so that drift in the machine's speed hits both):
    {recipe: time_to_target(...)}, stored in RACES."""
    order = list(RECIPES) if seed % 2 == 0 else list(reversed(RECIPES))
    RACES[seed] = {recipe: time_to_target(recipe, seed, *mnist_arrays()) for recipe in order}
    return RACES[seed]


def clock(run: dict) -> float:
    """Seconds to 99%, or the whole training time of a run that never got there."""
    return run["seconds"] if run["seconds"] is not None else run["points"][-1][0]


def timed_races(case, benchmark):
    """Races every seed, one pytest-benchmark round each (a round always times a real race,
    never a stored one), and judges them with judged_races, whose seed loop reads those races."""
    pending = list(case.seeds)  # escape: pytest-benchmark drives these rounds, judged_races loops the seeds

    def one_seed():
        race(pending.pop(0))

    benchmark.pedantic(one_seed, rounds=len(pending))  # pytest-benchmark runs the target once when disabled
    measured = judged_races(case)
    benchmark.extra_info.update({"claim": case.claim.id,
                                 "matmul_peak_gflop_per_s": measured.details["matmul_peak_gflop_per_s"],
                                 **{f"{name}_{k}": v for name in RECIPES for k, v in measured.details[name].items()
                                    if k != "mean_interval_s"}})
    return measured


def judged_races(case):
    """Judges config["recipe"] on the seeds' races (run here if not stored): the fraction
    of its seeds reaching 99% and, where the rule has it, its time to 99% over the
    document recipe's (paired by seed, Fieller)."""
    recipe = case.config["recipe"]
    races = dict(case.per_seed(lambda seed: (seed, RACES[seed] if seed in RACES else race(seed))))
    peak = matmul_flops()
    summary = {}
    for name in RECIPES:
        runs = [r[name] for r in races.values()]
        reached = [r["seconds"] for r in runs if r["seconds"] is not None]
        flops = float(np.median([6 * r["macs"] * r["images"] / r["points"][-1][0] for r in runs]))
        mean = stats.mean_ci(reached, confidence=case.confidence) if len(reached) > 1 else None
        summary[name] = {"seconds_to_99": [r["seconds"] for r in runs],
                         "median_s": float(np.median(reached)) if reached else None,
                         "min_s": min(reached, default=None), "max_s": max(reached, default=None),
                         "mean_interval_s": mean.to_dict() if mean else None,
                         "training_gflop_per_s": flops / 1e9, "fraction_of_peak": flops / peak,
                         "macs_per_image": runs[0]["macs"]}
    runs = {seed: r[recipe] for seed, r in races.items()}
    value = {"fraction_of_seeds_reaching_99": float(np.mean([r["seconds"] is not None for r in runs.values()]))}
    estimate, samples = {}, {name: s["seconds_to_99"] for name, s in summary.items()}
    if "time_ratio_to_document" in case.rule.rules:
        ours = np.array([clock(r[recipe]) for r in races.values()])
        document = np.array([clock(r["document"]) for r in races.values()])
        estimate["time_ratio_to_document"] = stats.paired_ratio(ours, document)
        samples["ratio_per_seed"] = (ours / document).tolist()
    median = summary[recipe]["median_s"]
    figure = plots.checkpoints({f"seed {seed}": r["points"] for seed, r in runs.items()}, target=TARGET,
                               title=f"{recipe} recipe: time to {TARGET:.0%}, median {median:.1f} s"
                               if median is not None else f"{recipe} recipe: never reached {TARGET:.0%}")
    return Measured(value, estimate=estimate or None, samples=samples,
                    details={"matmul_peak_gflop_per_s": peak / 1e9, **summary,
                             "points": {seed: r["points"] for seed, r in runs.items()}},
                    figure=figure)


SEEDS = tuple(range(10))  # a seed races both recipes, under a minute on a 2-core CPU
REACH = ("every reported seed reaches 99.0% test accuracy at one of the recipe's checkpoints "
         "(fraction of seeds = 1)")
CLAIMS = [
    Claim("cnn_99_percent_time_document_recipe", "000", "10. Lab: the 99% challenge", "581-590, 616-658",
          "Go for it and break the 99% limit.",
          "The document gives no time, so only this is judged: " + REACH + ", the checkpoints being the "
          "end of epochs 1-8 (cnn_99_percent's budget), 10 seeds. The time to 99% is the benchmark's "
          "result, never a threshold (seconds depend on the machine): median, min, max and the "
          "Student-t interval of the mean over seeds, and the training arithmetic rate as a fraction "
          "of a float32 matrix product's rate measured in the same run, are in details and the plot. "
          "Each seed runs both recipes back to back; cnn_99_percent_time_fast_recipe shares the runs.",
          {"benchmark": Tier(All({"fraction_of_seeds_reaching_99": Exact(1.0)}), seeds=SEEDS,
                             config={"recipe": "document"})},
          measure=timed_races,
          port="As cnn_99_percent (models.doc000_adam for Adam(decay=); no TensorBoard; keras.Input); "
               "validation_data=(x_test, y_test) becomes the Checkpoints callback, off the clock.",
          document_value="breaks 99% (no time given)"),
    Claim("cnn_99_percent_time_fast_recipe", "000", "10. Lab: the 99% challenge", "581-590",
          "Go for it and break the 99% limit.",
          "Our recipe, not the document's: how much faster 99% can honestly be reached. Judged in "
          "the benchmark tier only, and only on quantities measured in the same run, so that the rule "
          "means the same on any machine: " + REACH + ", and our time to 99% over the document "
          "recipe's time to 99% on the same seed, run back to back in the same process (order "
          "alternating with the seed), at most 1/5: the goal set for the recipe (issue 4) read as a "
          "five-fold speed-up over the document's recipe. The value is the ratio of the mean times "
          "over the 10 seeds; its paired Fieller interval, at the Bonferroni level for the rule's two "
          "parts, must lie at or below 1/5 (refuted if it lies wholly above). A seed that never gets "
          "to 99% counts with its whole training time. Recipe, fixed before the reported seeds from "
          "a pilot on seeds 100-103 trained on the first 50,000 training images and checked on the "
          "other 10,000 (never the test set): models.fast_mnist_cnn (space-to-depth, two convs with "
          "BN, 1.16 M MACs), SGD-Nesterov one-cycle to 0.1 (models.fast_mnist_sgd), label smoothing "
          "0.1, batch 128, 780 steps with a checkpoint every 195. Both recipes' training arithmetic "
          "rates as fractions of a float32 matrix product's rate measured in the same run are in "
          "details, not judged.",
          {"benchmark": Tier(All({"fraction_of_seeds_reaching_99": Exact(1.0),
                                  "time_ratio_to_document": AtMost(1 / 5)}), seeds=SEEDS,
                             config={"recipe": "fast"})},
          post_hoc="65 fused training steps per call (steps_per_execution) adopted after the reported benchmark run was inconclusive (be9ac43)",
          measure=judged_races,
          port="Not a port: our recipe. The harness's pipeline keeps each pass's last short batch "
               "(60,000 = 468 x 128 + 96) where the pilot's dropped it.",
          document_value="breaks 99% (no time given)"),
    Claim("control_sparse_cce_published_losses", "000", "10. Lab: the 99% challenge", "581-590, 616-658",
          "tf.keras.losses.sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]) "
          "-> array([0.0513, 2.303], dtype=float32)",
          "The published values are printed to four significant digits: rounding of at most half a unit "
          "in the fourth digit, below a relative 1e-3 for both (5e-5 / 0.0513, 5e-4 / 2.303), so each "
          "per-sample loss must match within rtol 1e-3.",
          {"fast": Tier(Close([0.0513, 2.303], rtol=1e-3),
                        config={"y_true": [1, 2], "y_pred": [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]})},
          measure=published_loss,
          control="tensorflow/tensorflow, tensorflow/python/keras/losses.py (TF 2.21.0), docstring of "
                  "sparse_categorical_crossentropy: loss.numpy() array([0.0513, 2.303], dtype=float32)",
          port="tf.keras.losses.sparse_categorical_crossentropy -> keras.losses.get("
               "'sparse_categorical_crossentropy') (Keras 3), the name the document recipe compiles with."),
]

test_claims = claim_test(CLAIMS)
