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
Full tier: 5 seeds x (6 + 1 + 6) epochs of 60,000 images, about a minute per seed.
"""
import functools

import keras
import numpy as np

from harness.kit import data, models, plots, recipes, stats
from harness.engine.claim import AtLeast, AtMost, All, Between, Claim, Close, Measured, RefuteOnly, Tier, claim_test
from harness.kit.training import FUSED, train

RECIPES = {"adam": (0.0, "Adam", 0.003), "sgd": (0.0, "SGD", 0.005), "adam_dropout": (0.25, "Adam", 0.005)}


@recipes.shared
def run(source: str, recipe: str, epochs: int, seed: int) -> dict:
    """One shared run. source "subset" or "load". -> fit history {loss, accuracy,
    val_loss, val_accuracy: [value per epoch]}, val_* on the test images (full tier only: the
    fast tier's one claim reads the training loss, and a test pass costs a second trace)."""
    d = data.load("mnist") if source == "load" else data.subset("mnist")
    dropout, optimizer, lr = RECIPES[recipe]
    r = train(functools.partial(models.doc000_five_layer, "relu", dropout=dropout), data.scale(d.x_train),
              d.y_train, seed=seed, epochs=epochs, batch_size=100,
              optimizer=lambda: getattr(keras.optimizers, optimizer)(learning_rate=lr),
              validation_data=(data.scale(d.x_test), d.y_test) if source == "load" else None,
              steps_per_execution=FUSED)
    return {k: list(map(float, v)) for k, v in r.history.items()}


def published_adam_step(case):
    """TensorFlow's Adam example through this family's optimizer path (``RECIPES["adam"]``'s class,
    built as ``run`` builds it): the loss var**2 / 2 from var = 10, one step at learning rate
    ``learning_rate``; the gradient is var (the example's own comment)."""
    c = case.config
    optimizer = getattr(keras.optimizers, RECIPES["adam"][1])(learning_rate=c["learning_rate"])
    var = keras.Variable(np.float32(c["start"]))
    positions = [float(keras.ops.convert_to_numpy(var))]
    for _ in range(c["steps"]):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(var), var)])
        positions.append(float(keras.ops.convert_to_numpy(var)))
    return Measured(positions[-1], details={"positions": positions, "optimizer": type(optimizer).__name__})


def _runs(case, recipe, epochs=None):
    c = case.config
    return case.per_seed(lambda s: run(c["source"], recipe, epochs or c["epochs"], s))


def _curves(runs, key):
    return {f"seed {i}": r[key] for i, r in enumerate(runs)}


def adam_vs_sgd(case):
    """Adam's loss is read at ``at_epoch`` of the shared Adam run; SGD runs just that long."""
    n = case.config["at_epoch"]
    adam = np.array([r["loss"][n - 1] for r in _runs(case, "adam")])
    sgd = np.array([r["loss"][n - 1] for r in _runs(case, "sgd", n)])
    steps = n * (600 if case.config["source"] == "load" else 50)
    figure = plots.points({"SGD(0.005)": sgd, "Adam(0.003)": adam}, ylabel=f"training loss after {steps} steps",
                          title="000 L389: Adam vs SGD, relu five-layer net")
    return Measured(estimate=stats.paired_ratio(sgd, adam), samples={"sgd_loss": sgd, "adam_loss": adam},
                    details={"steps": steps}, figure=figure)


def _dense_runs(case):
    adam, drop = _runs(case, "adam"), _runs(case, "adam_dropout")
    final = {"adam": np.array([r["val_accuracy"][-1] for r in adam]),
             "drop": np.array([r["val_accuracy"][-1] for r in drop])}
    details = {"final_test_accuracy": final,
               "test_loss_per_epoch": {"adam": _curves(adam, "val_loss"), "adam_dropout": _curves(drop, "val_loss")}}
    return adam, drop, final, details


def barrier(case):
    """The best recipe's final test accuracy per seed, and their mean."""
    adam, drop, final, details = _dense_runs(case)
    best = np.maximum(final["adam"], final["drop"])
    figure = plots.curves({"no dropout": [r["val_accuracy"] for r in adam],
                           "dropout": [r["val_accuracy"] for r in drop]}, ylabel="test accuracy",
                          title="000 dense_98_barrier (epoch = 600 steps)", hline=(0.98, "98%"))
    return Measured(estimate=stats.mean(best), samples={"best_test_accuracy": best},
                    details=details, figure=figure)


def dropout_effect(case):
    adam, drop, final, details = _dense_runs(case)
    bounce = {k: np.array([r["val_loss"][-1] - min(r["val_loss"]) for r in v]) for k, v in (("adam", adam),
                                                                                         ("drop", drop))}
    samples = {"bounce_reduction": bounce["adam"] - bounce["drop"], "accuracy_change": final["drop"] - final["adam"]}
    figure = plots.curves({"test loss, no dropout": [r["val_loss"] for r in adam],
                           "test loss, dropout": [r["val_loss"] for r in drop]}, ylabel="cross-entropy",
                          title="000 dropout_controls_loss_not_accuracy (epoch = 600 steps)")
    return Measured(estimate={k: stats.mean(v) for k, v in samples.items()}, samples=samples,
                    details=details, figure=figure)


def disconnect(case):
    adam, _, _, details = _dense_runs(case)
    best = [int(np.argmin(r["val_loss"])) for r in adam]
    samples = {"test_min_step": np.array([(b + 1) * 600 for b in best], float),
               "train_drop_after": np.array([1 - r["loss"][-1] / r["loss"][b] for r, b in zip(adam, best)])}
    figure = plots.curves({"train loss": [r["loss"] for r in adam], "test loss": [r["val_loss"] for r in adam]},
                          ylabel="cross-entropy", title="000 overfitting_disconnect (epoch = 600 steps)")
    return Measured(estimate={k: stats.mean(v) for k, v in samples.items()}, samples=samples,
                    details=details, figure=figure)


SEEDS = tuple(range(5))  # a seed costs about a minute of the full tier (13 epochs of 60,000 images)
PORT = ("tf.nn.relu/softmax -> Keras names; input_shape -> keras.Input (harness.kit.models.doc000_five_layer); "
        "epochs=300 -> the tier's epochs; the TensorBoard callback dropped (its curves are read from "
        "model.fit's history instead).")
FULL_EPOCHS = 6

CLAIMS = [
    Claim("adam_beats_sgd", "000", "7. Lab: special care for deep networks", "389-393",
          "TensorFlow has a full array of available optimizers, including some that work with an amount "
          "of inertia and will safely sail past saddle points. ... Replace your "
          "tf.train.GradientDescentOptimiser with a tf.train.AdamOptimizer now.",
          "The relu five-layer net, batch 100, the document's two optimizers SGD(0.005) and Adam(0.003), "
          "same seed and data order. The measurement is the training cross-entropy (Keras' mean over the "
          "last epoch) after N steps (fast: 100 steps of the subset, one seed, a single run; full: 600 "
          "steps of 60,000 images, read from the shared 6-epoch Adam run), as the ratio mean(SGD) / "
          "mean(Adam) over seeds with a paired Fieller interval in the full tier. 'Sail past' what stalls "
          "SGD is taken as Adam's loss being at least a third lower: ratio >= 1.5.",
          {"fast": Tier(AtLeast(1.5), (0,), {"source": "subset", "epochs": 2, "at_epoch": 2}),
           "full": Tier(AtLeast(1.5), SEEDS, {"source": "load", "epochs": FULL_EPOCHS, "at_epoch": 1})},
          measure=adam_vs_sgd, port=PORT, document_value="Adam replaces SGD as the better optimizer"),
    Claim("dense_98_barrier", "000", "8. Lab: dropout, overfitting", "541",
          "Whatever we do, we do not seem to be able to break the 98% barrier in a significant way",
          "Final-epoch test accuracy of the best of the document's dense recipes (relu + Adam 0.003, "
          "relu + dropout 0.25 + Adam 0.005) per seed. 'Not in a significant way' is taken as at most "
          "98.5% (half a point above the barrier). The document trains 300 epochs; the budget allows 6 "
          "(3,600 steps; 300 epochs of both recipes would take about half an hour per seed here), and 6 "
          "epochs cannot show what 300 reach. So this budget can only refute: if even the 6-epoch "
          "nets are above 98.5% (the Student-t interval of the mean over seeds wholly above 0.985) the "
          "barrier is broken by something one can do, which refutes 'whatever we do'; otherwise the "
          "verdict is inconclusive at this budget. It cannot be reproduced here: a short run below the "
          "barrier is no evidence that 300 epochs stay below it.",
          {"full": Tier(RefuteOnly(AtMost(0.985)), SEEDS, {"source": "load", "epochs": FULL_EPOCHS})},
          measure=barrier, port=PORT, document_value="test accuracy about 98%"),
    Claim("dropout_controls_loss_not_accuracy", "000", "8. Lab: dropout, overfitting", "522",
          "the test loss is largely brought back under control, noise reappears ... but in this case at "
          "least, the test accuracy remains unchanged",
          "The document's comparison: §7's relu + Adam(0.003) without dropout vs §8's relu + dropout 0.25 + "
          "Adam(0.005), same seed, after 6 epochs. 'Brought back under control' is measured as the test "
          "loss's rise above its own minimum at the last epoch (bounce = last - min over epochs, "
          "the overfitting the document shows): without minus with dropout must be > 0 (interval above "
          "0). 'Remains unchanged': final test accuracy with minus without dropout within "
          "+-0.3 points (about two binomial standard errors of an accuracy near 98% on 10,000 test images, "
          "sqrt(0.98 * 0.02 / 10,000) = 0.14 points). "
          "Both on Student-t intervals of the mean over seeds at the Bonferroni level for two parts. "
          "The document trains 300 epochs and the budget allows 6 (3,600 steps): the verdict is about "
          "3,600 steps, where the test loss without dropout may not have bounced yet.",
          {"full": Tier(All({"bounce_reduction": AtLeast(0.0), "accuracy_change": Between(-0.003, 0.003)}),
                        SEEDS, {"source": "load", "epochs": FULL_EPOCHS})},
          measure=dropout_effect,
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
          ">= 10%. Student-t intervals of the means over seeds must lie inside both bands (Bonferroni "
          "level for two parts). A later disconnect (the document's figure runs longer) is outside "
          "these 6 epochs.",
          {"full": Tier(All({"test_min_step": Between(1200, 3000), "train_drop_after": AtLeast(0.10)}),
                        SEEDS, {"source": "load", "epochs": FULL_EPOCHS})},
          measure=disconnect, port=PORT, document_value="disconnect after a couple thousand iterations"),
    Claim("control_adam_published_first_step", "000", "7. Lab: special care for deep networks", "389-393",
          "opt = tf.keras.optimizers.Adam(learning_rate=0.1); var1 = tf.Variable(10.0); loss = (var1 ** 2)/2.0; "
          "one minimize step -> var1.numpy() 9.9 ('The first step is -learning_rate*sign(grad)')",
          "Adam's first step is -lr * m_hat / (sqrt(v_hat) + epsilon) = -lr * g / (|g| + epsilon): 10 -> "
          "9.9 up to epsilon (1e-7, a relative 1e-8 of the step) and float32 round-off of 10 - 0.1 "
          "(half an ulp at 10, about 5e-7): atol 1e-6.",
          {"fast": Tier(Close(9.9, atol=1e-6), config={"learning_rate": 0.1, "start": 10.0, "steps": 1})},
          measure=published_adam_step,
          control="tensorflow/tensorflow, tensorflow/python/keras/optimizer_v2/adam.py (TF 2.21.0), class Adam "
                  "docstring usage example: var1 = tf.Variable(10.0), Adam(learning_rate=0.1), one "
                  "minimize step of (var1 ** 2)/2.0 -> var1.numpy() 9.9",
          port="tf.keras.optimizers.Adam -> keras.optimizers.Adam (Keras 3, built as this family's run() "
               "builds its Adam); opt.minimize(loss, [var1]) -> apply_gradients with the gradient var1 "
               "(the example's comment d(loss)/d(var1) == var1), which every backend supports."),
]

test_claims = claim_test(CLAIMS)
