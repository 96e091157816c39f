"""Document 000's claims about its dense networks (§7-8): Adam vs SGD, the 98% barrier,
dropout, and the train/test cross-entropy disconnect.

Shared runs (module cache, keyed by tier, recipe, epochs and seed; no model is trained
twice): ``doc000_five_layer("relu")`` (dropout 0.25 for the dropout recipe) on /255
inputs, batch 100, sparse CE, with the document's own ``validation_data=(x_test, y_test)``
so Keras reports the test loss and accuracy after every epoch, as the document's
TensorBoard curves do. Recipes, as in the document's code:

- "adam": Adam(learning_rate=0.003), §7 (L417-427), no dropout;
- "sgd": SGD(learning_rate=0.005), §5-6 (L397-407);
- "adam_dropout": Adam(learning_rate=0.005), dropout 0.25, §8 (L511-521).

The document trains for epochs=300; the budget allows 6 epochs (3,600 steps) on the
full tier and 2 epochs of the 5,000-image subset (100 steps) on the fast tier, which runs
one seed (two fits already take about 3 s of the fast tier's 5 s budget for this work). Nothing
is selected on test data: every measurement reads the last epoch, or (for the
disconnect claim, which is about the test curve) the whole per-epoch test curve.
Full tier: 3 seeds x (6 + 1 + 6) epochs of 60,000 images, about 3 minutes.
"""
import functools

import keras
import numpy as np
import pytest

from harness import data, models, plots, stats
from harness.claim import AtLeast, AtMost, All, Between, Claim, Tier, cases
from harness.training import train

SEEDS = (0, 1, 2)
RECIPES = {"adam": (0.0, "Adam", 0.003), "sgd": (0.0, "SGD", 0.005), "adam_dropout": (0.25, "Adam", 0.005)}
PORT = ("tf.nn.relu/softmax -> Keras names; input_shape -> keras.Input (harness.models.doc000_five_layer); "
        "epochs=300 -> the tier's epochs; the TensorBoard callback dropped (its curves are read from "
        "model.fit's history instead).")
FULL_EPOCHS = 6

CLAIMS = [
    Claim("adam_beats_sgd", "000", "7. Lab: special care for deep networks", "389-393",
          "TensorFlow has a full array of available optimizers, including some that work with an amount "
          "of inertia and will safely sail past saddle points. ... Replace your "
          "tf.train.GradientDescentOptimiser with a tf.train.AdamOptimizer now.",
          "The relu five-layer net, batch 100, the document's two optimizers SGD(0.005) and Adam(0.003), "
          "same seed and data order. Measured: training cross-entropy (Keras' mean over the last epoch) "
          "after N steps (fast: 100 steps of the subset; full: 600 steps of 60,000 images, read from the shared 6-epoch Adam run), ratio "
          "mean(SGD) / mean(Adam) over seeds with a paired bootstrap interval. 'Sail past' what stalls "
          "SGD is taken as Adam's loss being at least a third lower: ratio >= 1.5. MEASURED full (600 steps, "
          "seeds 0-2): SGD 2.05, 1.80, 1.97 vs Adam 0.247, 0.251, 0.247, ratio 7.8 (CI [7.2, 8.3]).",
          {"fast": Tier(AtLeast(1.5), (0,), {"source": "subset", "epochs": 2, "at_epoch": 2}),
           "full": Tier(AtLeast(1.5), SEEDS, {"source": "load", "epochs": FULL_EPOCHS, "at_epoch": 1})},
          port=PORT, document_value="Adam replaces SGD as the better optimizer"),
    Claim("dense_98_barrier", "000", "8. Lab: dropout, overfitting", "541",
          "Whatever we do, we do not seem to be able to break the 98% barrier in a significant way",
          "Final-epoch test accuracy of the best of the document's dense recipes (relu + Adam 0.003, "
          "relu + dropout 0.25 + Adam 0.005) per seed, after 6 epochs (3,600 steps). 'Not in a "
          "significant way' is taken as at most 98.5% (half a point above the barrier); the bootstrap "
          "interval over seeds must lie below it. The document trains 300 epochs; with 6 the nets may "
          "be short of their best, which favours the claim, so a pass is weak evidence. MEASURED (seeds "
          "0-2): best 0.9765, 0.9756, 0.9742 (all from the no-dropout run), mean 0.9754.",
          {"full": Tier(AtMost(0.985), SEEDS, {"source": "load", "epochs": FULL_EPOCHS})},
          port=PORT, document_value="test accuracy about 98%"),
    Claim("dropout_controls_loss_not_accuracy", "000", "8. Lab: dropout, overfitting", "522",
          "the test loss is largely brought back under control, noise reappears ... but in this case at "
          "least, the test accuracy remains unchanged",
          "The document's comparison: §7's relu + Adam(0.003) without dropout vs §8's relu + dropout 0.25 + "
          "Adam(0.005), same seed, after 6 epochs. 'Brought back under control' is measured as the test "
          "loss's rise above its own minimum at the last epoch (bounce = last - min over epochs, "
          "the overfitting the document shows): without minus with dropout must be > 0 (interval above "
          "0). 'Remains unchanged': final test accuracy with minus without dropout within "
          "+-0.3 points (the spread of final accuracies between seeds of one recipe is about that). "
          "MEASURED (seeds 0-2, 6 epochs): refuted on both parts. Without dropout the test loss had not "
          "yet bounced (its minimum is the last epoch for every seed), so there was nothing to bring "
          "under control: bounce reduction 0.000, -0.004, 0.000 (mean -0.0014, CI [-0.0042, 0]); "
          "dropout lowered final test accuracy by 0.88, 0.52, 0.42 points (mean -0.61, CI [-0.88, -0.42]; "
          "0.968-0.970 vs 0.974-0.976). The document's 300 epochs may show what 6 cannot: this is "
          "a refutation at the budget's 3,600 steps, said so rather than loosening the rule.",
          {"full": Tier(All({"bounce_reduction": AtLeast(0.0), "accuracy_change": Between(-0.003, 0.003)}),
                        SEEDS, {"source": "load", "epochs": FULL_EPOCHS})},
          expect="refuted",
          port=PORT + " The two runs also differ in learning rate (0.003 vs 0.005), as in the document.",
          document_value="test loss under control, test accuracy unchanged (~98%)"),
    Claim("overfitting_disconnect", "000", "8. Lab: dropout, overfitting", "443",
          "cross-entropy curves for test and training data start disconnecting after a couple thousand "
          "iterations ... the test cross-entropy which stops dropping and sometimes even bounces back up",
          "This claim is ABOUT the test curve, so the per-epoch test loss (validation_data=test, as in the "
          "document) is the measurement, not a selection. relu + Adam(0.003), 6 epochs of 600 steps. "
          "Per seed: the step at which the test loss is lowest must be 'a couple thousand' = in "
          "[1200, 3000] (epochs 2-5, leaving at least one later epoch to show it stopped dropping), and "
          "the training loss must keep falling after it: relative drop from that epoch to the last "
          ">= 10%. Intervals over seeds must lie inside both bands. MEASURED (seeds 0-2): refuted; the "
          "test loss was still lowest at the last epoch (step 3,600) for all three seeds (seed 0: "
          "0.124, 0.121, 0.108, 0.106, 0.096, 0.092), so no disconnect within 'a couple thousand' "
          "iterations; the test curves wobble (seed 2 rises 0.103 -> 0.119 at epoch 4) but keep "
          "falling overall. A later disconnect (the document's figure runs longer) is not excluded. "
          "RE-MEASURED after the training helper began reshuffling every epoch (before that fix Keras fed one fixed order under a global seed; the numbers above are from that run; rule unchanged): the test loss is lowest at step 2,600 "
          "(interval [2,400, 3,000]) and the training loss falls another 25% ([16%, 31%]) after it: "
          "reproduced.",
          {"full": Tier(All({"test_min_step": Between(1200, 3000), "train_drop_after": AtLeast(0.10)}),
                        SEEDS, {"source": "load", "epochs": FULL_EPOCHS})},
          port=PORT, document_value="disconnect after a couple thousand iterations"),
]


@functools.lru_cache(maxsize=None)
def run(source: str, recipe: str, epochs: int, seed: int) -> dict:
    """One shared run. source "subset" or "load". -> fit history {loss, accuracy,
    val_loss, val_accuracy: [value per epoch]}, val_* on the test images (full tier only: the
    fast tier's one claim reads the training loss, and a test pass costs a second trace)."""
    d = data.load("mnist") if source == "load" else data.subset("mnist")
    dropout, optimizer, lr = RECIPES[recipe]
    r = train(functools.partial(models.doc000_five_layer, "relu", dropout=dropout), data.scale(d.x_train),
              d.y_train, seed=seed, epochs=epochs, batch_size=100,
              optimizer=lambda: getattr(keras.optimizers, optimizer)(learning_rate=lr),
              validation_data=(data.scale(d.x_test), d.y_test) if source == "load" else None)
    return {k: list(map(float, v)) for k, v in r.history.items()}


def _runs(case, recipe, epochs=None):
    c = case.config
    return [run(c["source"], recipe, epochs or c["epochs"], s) for s in case.seeds]


@pytest.mark.parametrize("case", cases(CLAIMS, "adam_beats_sgd"))
def test_adam_vs_sgd(case, judge):
    """Adam's loss is read at ``at_epoch`` of the shared Adam run; SGD runs just that long."""
    n = case.config["at_epoch"]
    adam = np.array([r["loss"][n - 1] for r in _runs(case, "adam")])
    sgd = np.array([r["loss"][n - 1] for r in _runs(case, "sgd", n)])
    steps = n * (600 if case.config["source"] == "load" else 50)
    judge(float(sgd.mean() / adam.mean()), interval=stats.paired_ratio_ci(sgd, adam),
          samples={"sgd_loss": sgd, "adam_loss": adam}, details={"steps": steps},
          figure=plots.points({"SGD(0.005)": sgd, "Adam(0.003)": adam}, ylabel=f"training loss after {steps} steps",
                              title="000 L389: Adam vs SGD, relu five-layer net"))


def _curves(runs, key):
    return {f"seed {i}": r[key] for i, r in enumerate(runs)}


@pytest.mark.parametrize("case", cases(CLAIMS, "dense_98_barrier", "dropout_controls_loss_not_accuracy", "overfitting_disconnect"))
def test_dense_training(case, judge):
    adam, drop = _runs(case, "adam"), _runs(case, "adam_dropout")
    final = {"adam": np.array([r["val_accuracy"][-1] for r in adam]),
             "drop": np.array([r["val_accuracy"][-1] for r in drop])}
    cid = case.claim.id
    if cid == "dense_98_barrier":
        best = np.maximum(final["adam"], final["drop"])
        values = {"best_test_accuracy": best}
        curves, ylabel, hline = {"no dropout": [r["val_accuracy"] for r in adam],
                                 "dropout": [r["val_accuracy"] for r in drop]}, "test accuracy", (0.98, "98%")
    elif cid == "dropout_controls_loss_not_accuracy":
        bounce = {k: np.array([r["val_loss"][-1] - min(r["val_loss"]) for r in v]) for k, v in (("adam", adam), ("drop", drop))}
        values = {"bounce_reduction": bounce["adam"] - bounce["drop"],
                  "accuracy_change": final["drop"] - final["adam"]}
        curves, ylabel, hline = {"test loss, no dropout": [r["val_loss"] for r in adam],
                                 "test loss, dropout": [r["val_loss"] for r in drop]}, "cross-entropy", None
    else:
        best = [int(np.argmin(r["val_loss"])) for r in adam]
        values = {"test_min_step": np.array([(b + 1) * 600 for b in best], float),
                  "train_drop_after": np.array([1 - r["loss"][-1] / r["loss"][b] for r, b in zip(adam, best)])}
        curves, ylabel, hline = {"train loss": [r["loss"] for r in adam],
                                 "test loss": [r["val_loss"] for r in adam]}, "cross-entropy", None
    intervals = {k: stats.bootstrap_ci(v) for k, v in values.items()}
    means = {k: float(np.mean(v)) for k, v in values.items()}
    single = len(values) == 1
    key = next(iter(values))
    judge(means[key] if single else means, interval=intervals[key] if single else intervals,
          samples=values, details={"final_test_accuracy": final,
                                   "test_loss_per_epoch": {"adam": _curves(adam, "val_loss"),
                                                           "adam_dropout": _curves(drop, "val_loss")}},
          figure=plots.curves(curves, ylabel=ylabel, title=f"000 {cid} (epoch = 600 steps)", hline=hline))
