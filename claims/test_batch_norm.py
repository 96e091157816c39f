"""Batch Normalization in 001's exercise net: faster convergence, a better model (001 exercise c).

The net is exercise a's (L727-746): Flatten, 20 x Dense(100, elu, he_uniform), softmax 10,
trained with Nadam (lr 5e-3) on raw, unscaled pixels; exercise c (L863-906) adds a BN layer
after Flatten and after every hidden Dense and lowers the learning rate to 5e-4. Validation
set: the first images of the training set (L752-755). Both are trained in the same way for
each seed, and each claim reads the validation-loss/accuracy history:

- e: the epoch (1-based) of the lowest validation loss of the net without BN, L*: that loss
  (what the document's ModelCheckpoint(save_best_only=True) keeps);
- e_BN: the first epoch at which the BN net's validation loss is <= L*; if it never gets
  there (within the budget, or before early stopping), e_BN = budget + 1, so that the seed's
  speed-up e / e_BN is < 1 and counts against the claim;
- speed-up: mean(e) / mean(e_BN) over seeds, with a paired bootstrap interval; the
  document's run gives 27 / 5 = 5.4 (L929);
- final accuracy: the validation accuracy at the epoch of lowest validation loss (what
  ``model.evaluate(X_valid, y_valid)`` of the reloaded checkpoint prints, L861, L927).

The runs are shared by the claims of a tier (``history`` is cached), and the seconds per
epoch are recorded in details (the document's "12s instead of 8s", L931, is the claim of a
later benchmark, not tested here).
"""
import functools
import time

import keras
import numpy as np
import pytest

from harness import data, device, models, plots, stats, training
from harness.claim import All, AtLeast, Between, Claim, Tier, cases

FASTER = AtLeast(2.7)
FASTER_REASON = (
    "The document's one CIFAR-10 run gives e / e_BN = 27 / 5 = 5.4. Rule: the 95% paired bootstrap "
    "interval of mean(e) / mean(e_BN) over seeds must lie at or above 2.7 = 5.4 / 2; refuted if it lies "
    "wholly below (so 'BN is not faster', speed-up <= 1, is refuted). Tolerance, a factor 2 on the low "
    "side only (more speed-up than the document's does not contradict it): 5.4 is one run's ratio of "
    "two whole-epoch counts (27 / 5 could be 26 / 6 = 4.3 with a little noise), and the Fashion-MNIST "
    "tiers use another dataset and an epoch budget far below the document's 100, which caps e (and "
    "so the ratio) at the budget; 2.7 still means the BN net needs well under half the epochs, the "
    "document's 'Much faster!'. The document's learning rates are kept although its text contradicts "
    "them: it says BN 'allowed us to use a much larger learning rate' (L929, and the authors' 'much larger "
    "learning rates', L139), but its code uses a 10x SMALLER one with BN, Nadam(lr=5e-4) (L883) "
    "against lr=5e-3 without (L761); this tests the code as run.")
PORT = ("Nadam(lr=...) -> Nadam(learning_rate=...); Flatten(input_shape=...) -> keras.Input; "
        "tf.random.set_seed(42)/np.random.seed(42) -> keras.utils.set_random_seed(seed) per reported "
        "seed. No .h5 ModelCheckpoint: the best epoch is read from the validation-loss history, and "
        "its validation accuracy is what evaluating the reloaded checkpoint on X_valid gives. BN is "
        "after each Dense's ELU as in the document's code (its text says 'before the activation "
        "function'). Training batches come from harness.training.batches (reshuffled every epoch, "
        "as fit(shuffle=True) does in TF 2.0). One compiled model per architecture is re-initialized "
        "for each seed (weights of a freshly built seeded model, optimizer state reset to its initial "
        "values): the same run as a new model (checked: identical histories), but the training step "
        "is traced once per architecture, not per seed (about 20 s of CPU for the two nets here).")
FASHION = (" Data: Fashion-MNIST, 28x28 (the chapter's dataset) as a substitute for the exercise's "
           "CIFAR-10 (absent here); raw uint8 pixels as in the document.")


def recipe(source, dataset, validation, batch_size, epochs):
    """The exercise's settings (plain data): 20 hidden layers; the first ``validation`` training
    images validate, the rest train; Nadam learning rates 5e-3 without BN, 5e-4 with;
    EarlyStopping(patience=20); ``epochs`` is the budget."""
    return {"dataset": dataset, "source": source, "validation": validation, "batch_size": batch_size,
            "epochs": epochs, "patience": 20, "depth": 20, "lr_plain": 5e-3, "lr_bn": 5e-4}


SEEDS = (0, 1, 2)
CIFAR10 = recipe("load", "cifar10", 5000, 1000, 100)  # the document's own run (L752-771, L871-902)
FULL = recipe("load", "fashion_mnist", 5000, 1000, 20)

CLAIMS = [
    Claim("bn_speeds_convergence", "001", "1c. Batch Normalization; Exercises c", "139-145, 863-929",
          "The previous model took 27 epochs to reach the lowest validation loss, while the new model "
          "achieved that same loss in just 5 epochs",
          FASTER_REASON + FASHION + " full: 55,000 / 5,000 split and batch 1000 as the document, "
          "20-epoch budget (about 6 min of CPU for the 6 runs here), so EarlyStopping(patience=20) "
          "never fires and e is at most 20 (the document's was 27). "
          "fast: the embedded subset, 4,500 train / 500 validation, batch 100 so that an epoch has "
          "45 steps as the document's CIFAR-10 epoch (45,000 / 1000), 6-epoch budget (the 20-layer net "
          "is kept: its two training steps alone take about 20 s of CPU to trace). "
          "MEASURED on seeds 0, 1, 2 after the rule was fixed: full: reproduced, e = 17, 20, 18 and "
          "e_BN = 6, 6, 6, speed-up 3.06, interval [2.83, 3.33] (document 5.4); L* = 0.379, 0.371, "
          "0.373. Caveat: e is close to the 20-epoch budget (the net without BN still improves) while "
          "the BN net's loss is lowest around epoch 6-8 and then rises (overfitting), so a longer "
          "budget could lower L* below anything the BN net reaches. fast: expected refuted, e = 6, 6, 6 "
          "(the budget) and e_BN = 4, never (7), 6: speed-up 1.06, interval [0.86, 1.50]; in 6 epochs of "
          "45 steps the BN net (10x smaller learning rate, moving averages of 21 BN layers still warming "
          "up: its first validation losses are 2-3) only catches up with the net without BN. The fast "
          "tier was then dropped: it cannot show the claim and cost 40 s of the fast tier's 60 s "
          "(the numbers above are its last run).",
          {"full": Tier(FASTER, SEEDS, FULL)},
          port=PORT + " fast tier: batch 100 instead of 1000.",
          document_value="27 / 5 = 5.4 epochs ratio (CIFAR-10)"),
    Claim("bn_speeds_convergence_cifar10", "001", "Exercises c", "863-929",
          "The previous model took 27 epochs to reach the lowest validation loss, while the new model "
          "achieved that same loss in just 5 epochs",
          FASTER_REASON + " The document's exact recipe: CIFAR-10 raw pixels, 45,000 / 5,000, batch "
          "1000, 100 epochs, EarlyStopping(patience=20).",
          {"full": Tier(FASTER, SEEDS, CIFAR10)}, port=PORT,
          document_value="27 / 5 = 5.4 epochs ratio"),
    Claim("bn_better_final_model", "001", "Exercises c", "930",
          "The final model is also much better, with 45.0% accuracy instead of 40%",
          "Validation accuracy of the best-validation-loss epoch (the checkpoint the document "
          "reloads and evaluates on X_valid: it prints 0.4084 without BN, L861, and 0.4542 with, "
          "L927). Rules on 95% bootstrap intervals over seeds: the paired gain BN - no BN at least "
          "2.5 points, half the document's 5 ('much better'; refuted if BN is not better by 2.5), and "
          "the BN net's accuracy in [0.40, 0.50], the document's 45% +- 5 points (one run of the "
          "document's, another TensorFlow and Keras; an MLP on CIFAR-10 varies by a few points "
          "between seeds). The document's exact recipe, as in bn_speeds_convergence_cifar10 (the "
          "same runs).",
          {"full": Tier(All({"gain": AtLeast(0.025), "bn_accuracy": Between(0.40, 0.50)}), SEEDS, CIFAR10)},
          port=PORT, document_value="45.0% vs 40% (printed 0.4542 vs 0.4084)"),
]


class EpochTimer(keras.callbacks.Callback):
    """Wall seconds of each epoch (training and validation), in ``self.seconds``."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def split(dataset: str, source: str, validation: int):
    """((x_train, y_train), (x_valid, y_valid)), uint8 images unscaled: the first ``validation``
    training images validate (L752-755)."""
    d = data.load(dataset) if source == "load" else data.subset(dataset)
    return (d.x_train[validation:], d.y_train[validation:]), (d.x_train[:validation], d.y_train[:validation])


@functools.lru_cache(maxsize=None)
def compiled(input_shape: tuple, batch_norm: bool, depth: int, learning_rate: float):
    """doc001_deep_elu compiled with Nadam as in the document, its optimizer built;
    -> (model, the optimizer's initial variable values)."""
    model = models.doc001_deep_elu(input_shape, batch_norm, depth)
    model.compile(optimizer=keras.optimizers.Nadam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=device.ACTIVE["xla"])
    model.optimizer.build(model.trainable_variables)
    return model, [v.numpy() for v in model.optimizer.variables]


@functools.lru_cache(maxsize=None)
def history(dataset, source, validation, batch_size, epochs, patience, depth, batch_norm, learning_rate,
            seed) -> dict:
    """Train one net from its seeded initialization: {"val_loss", "val_accuracy", "loss",
    "accuracy": one value per epoch run, "seconds": wall seconds per epoch}."""
    (x, y), valid = split(dataset, source, validation)
    model, start = compiled(x.shape[1:], batch_norm, depth, learning_rate)
    training.seed_everything(seed)
    model.set_weights(models.doc001_deep_elu(x.shape[1:], batch_norm, depth).get_weights())
    for variable, value in zip(model.optimizer.variables, start):
        variable.assign(value)
    timer = EpochTimer()
    fit = model.fit(training.batches(x, y, batch_size=batch_size, seed=seed), epochs=epochs,
                    validation_data=valid, validation_batch_size=batch_size, verbose=0,
                    callbacks=[keras.callbacks.EarlyStopping(patience=patience), timer])
    return {**{k: np.asarray(v) for k, v in fit.history.items()}, "seconds": np.asarray(timer.seconds)}


def runs(case) -> list:
    """Per seed, (history without BN, history with BN)."""
    cfg = dict(case.config)
    lr = {False: cfg.pop("lr_plain"), True: cfg.pop("lr_bn")}
    return [tuple(history(**cfg, batch_norm=bn, learning_rate=lr[bn], seed=seed) for bn in (False, True))
            for seed in case.seeds]


def convergence(plain: dict, bn: dict, budget: int) -> dict:
    """e, L*, e_BN (budget + 1 if never reached) and the final accuracies, for one seed."""
    e = int(np.argmin(plain["val_loss"]))
    reached = np.flatnonzero(bn["val_loss"] <= plain["val_loss"][e])
    best_bn = int(np.argmin(bn["val_loss"]))
    return {"e": e + 1, "L*": float(plain["val_loss"][e]), "bn_best_epoch": best_bn + 1,
            "e_bn": int(reached[0]) + 1 if reached.size else budget + 1, "reached": bool(reached.size),
            "accuracy": float(plain["val_accuracy"][e]), "bn_accuracy": float(bn["val_accuracy"][best_bn]),
            "epochs_run": [len(plain["val_loss"]), len(bn["val_loss"])],
            "epoch_seconds": [float(np.median(h["seconds"][1:])) for h in (plain, bn)]}


def measure(case):
    pairs = runs(case)
    return pairs, [convergence(plain, bn, case.config["epochs"]) for plain, bn in pairs]


def details(per_seed: list) -> dict:
    """Per-seed measurements, and the BN / no-BN seconds per epoch (median over epochs 2 on)."""
    return {"per_seed": per_seed,
            "epoch_seconds_ratio_bn_over_plain": [bn / plain for plain, bn in (s["epoch_seconds"] for s in per_seed)],
            "document_epoch_seconds": "12 s with BN vs 8 s without (L931): ratio 1.5"}


@pytest.mark.parametrize("case", cases(CLAIMS, "bn_speeds_convergence", "bn_speeds_convergence_cifar10"))
def test_convergence_speed(case, judge):
    pairs, per_seed = measure(case)
    e, e_bn = [s["e"] for s in per_seed], [s["e_bn"] for s in per_seed]
    interval = stats.paired_ratio_ci(e, e_bn)
    cfg = case.config
    figure = plots.curves_marked(
        {f"no BN (Nadam {cfg['lr_plain']:g})": [p["val_loss"] for p, _ in pairs],
         f"BN (Nadam {cfg['lr_bn']:g})": [b["val_loss"] for _, b in pairs]},
        {"no BN: lowest loss L* (epoch e)": [(s["e"], s["L*"]) for s in per_seed],
         "BN: first epoch <= L* (e_BN; budget + 1: never)": [(s["e_bn"], s["L*"]) for s in per_seed]},
        ylabel="validation loss", log=True,
        title=f"{case.claim.id} [{case.tier}]: {cfg['dataset']}, {len(case.seeds)} seeds (median, min-max); "
              f"speed-up {interval.point:.2f}")
    judge(interval.point, interval=interval, samples={"e": e, "e_bn": e_bn,
                                                      "speed_up": [a / b for a, b in zip(e, e_bn)]},
          details=details(per_seed), figure=figure)


@pytest.mark.parametrize("case", cases(CLAIMS, "bn_better_final_model"))
def test_final_accuracy(case, judge):
    _, per_seed = measure(case)
    plain, bn = [s["accuracy"] for s in per_seed], [s["bn_accuracy"] for s in per_seed]
    intervals = {"gain": stats.paired_difference_ci(bn, plain), "bn_accuracy": stats.bootstrap_ci(bn)}
    figure = plots.points({"no BN": plain, "BN": bn}, ylabel="validation accuracy (best-loss epoch)",
                          title=f"{case.claim.id}: {len(case.seeds)} seeds", hline=(0.45, "document, BN: 45.0%"))
    judge({k: v.point for k, v in intervals.items()}, interval=intervals,
          samples={"accuracy": plain, "bn_accuracy": bn}, details=details(per_seed), figure=figure)
