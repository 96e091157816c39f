"""Training dynamics of 001 (§1b, §3e, §4, §5d) and 002 (batch norm and the learning rate).

dying_relu: see below. The other claims train on the real training sets (full tier
only) and never look at a test set: they train on the FIRST ``n_train`` images of the
training set and validate on its LAST 5,000 (a held-out split of the training data);
the 10,000-image slice keeps the whole family inside its CPU budget (the augmentation
claims take 1,000 images, a set the MLP overfits).

- activation_ranking, nadam_vs_adam and the two white_noise_augmentation claims share ``mlp_run``:
  001's 300/100 MLP with each activation and its document-recommended initializer,
  inputs standardized (SELU's condition, L68), Adam/Nadam defaults.
- lr_range_test and B15 share ``lr_sweep``: the exponential learning-rate sweep of
  001 §4 (L515), plain SGD, per-batch loss against the learning rate.

A hidden ReLU unit is dead when its output is 0 for every training example the
model was trained on (its weighted sum is negative for all of them, L53). The
probe is ``models.doc001_mlp`` (Dense 300 -> Dense 100 ReLU, softmax 10) trained
with plain SGD, batch 32, on Fashion-MNIST scaled to [0, 1], once with a small and
once with a large learning rate from the same seed.
"""
import functools
import math

import keras
import numpy as np
from scipy.stats import spearmanr

from harness.kit import data, models, plots, recipes, stats, training
from harness.engine.claim import All, AtLeast, AtMost, Between, Claim, Dropped, Exact, Measured, Tier, claim_test

# --- dying ReLU (001 §1b) --------------------------------------------------------------------------


def dead_fraction(model: keras.Model, x) -> float:
    """Fraction of the hidden Dense units whose output is <= 0 on every row of x (n, 28, 28)."""
    h, dead = x, []
    for layer in model.layers[:-1]:
        h = layer(h)
        if isinstance(layer, keras.layers.Dense):
            dead.append(np.asarray(h).max(axis=0) <= 0)
    return float(np.concatenate(dead).mean())


@recipes.shared
def relu_run(source: str, lr: float, seed: int, epochs: int) -> dict:
    """Dead fraction (of 400 hidden units; None if the run diverged) and training accuracy
    per epoch of one SGD run."""
    d = data.get("fashion_mnist", source)
    x = data.scale(d.x_train)
    run = training.train(models.doc001_mlp, x, d.y_train, seed=seed, epochs=epochs, batch_size=32,
                         optimizer=lambda: keras.optimizers.SGD(learning_rate=lr), allow_nonfinite=True)
    diverged = not all(map(math.isfinite, run.history["loss"]))
    return {"dead": None if diverged else dead_fraction(run.model, x), "diverged": diverged,
            "accuracy": run.history["accuracy"]}


def dying_relu(case):
    """Dead fraction after the large minus after the small learning rate, paired by seed, over
    the seeds whose runs both stayed finite (the tier's declared drop)."""
    cfg, accuracy = case.config, {"large_lr": [], "small_lr": []}  # every seed's, dropped ones too

    def one_seed(seed):
        small, large = (relu_run(cfg["source"], cfg[lr], seed, cfg["epochs"]) for lr in ("small_lr", "large_lr"))
        accuracy["small_lr"].append(small["accuracy"])
        accuracy["large_lr"].append(large["accuracy"])
        if small["diverged"] or large["diverged"]:
            raise Dropped("a training diverged (non-finite loss)")
        return seed, large["dead"], small["dead"]

    kept = case.per_seed(one_seed)
    if len(kept) < 2:  # the reason: fewer than two seeds left is an error, not a verdict
        raise ValueError(f"{len(kept)} of {len(accuracy['small_lr'])} seeds left after the declared drop: no interval")
    seeds, a, b = (list(column) for column in zip(*kept))
    figure = plots.points({f"SGD lr {cfg['small_lr']}": b, f"SGD lr {cfg['large_lr']}": a},
                          ylabel="fraction of hidden ReLU units dead",
                          title=f"dying_relu: {len(kept)} of {len(accuracy['small_lr'])} seeds, {cfg['epochs']} epochs",
                          hline=(0.5, "document: 'half' (in some cases)"))
    return Measured(estimate=stats.paired_difference(a, b),
                    samples={"seed": seeds, "dead_large_lr": a, "dead_small_lr": b},
                    details={f"train_accuracy_{lr}": accuracy[lr] for lr in ("large_lr", "small_lr")},
                    figure=figure)


# --- activation ranking, Nadam vs Adam, noise vs shift augmentation (001, MLP runs) ------------

VALIDATION = 5000  # the last images of the training set, held out for validation
DOC_ORDER = ("selu", "elu", "leaky_relu", "relu", "tanh", "sigmoid")  # 001 L74, best first
INITIALIZER = {"selu": "lecun_normal", "elu": "he_normal", "leaky_relu": "he_normal",
               "relu": "he_normal", "tanh": "glorot_uniform", "sigmoid": "glorot_uniform"}  # 001 §1a-b


@functools.lru_cache(maxsize=None)
def split(name: str, n_train: int, standardize: bool):
    """(x_train, y_train, x_val, y_val) of the TRAINING set of ``name``: its first n_train
    and last VALIDATION images, x float32 (n, 28, 28) in [0, 1], or standardized with
    the training slice's pixel mean and standard deviation."""
    d = data.load(name)
    x, x_val = data.scale(d.x_train[:n_train]), data.scale(d.x_train[-VALIDATION:])
    if standardize:
        mean, std = x.mean(), x.std()
        x, x_val = (x - mean) / std, (x_val - mean) / std
    return x, d.y_train[:n_train], x_val, d.y_train[-VALIDATION:]


def augmentation_layers(kind: str, size: float) -> list:
    """Train-time-only input layers on (28, 28): none; "noise": GaussianNoise(stddev=size)
    (white noise, standardized units); "shift": RandomTranslation by up to ``size`` pixels
    each way (fill "nearest": the border is background)."""
    if kind == "noise":
        return [keras.layers.GaussianNoise(size)]
    if kind == "shift":
        return [keras.layers.Reshape((28, 28, 1)),
                keras.layers.RandomTranslation(size / 28, size / 28, fill_mode="nearest"),
                keras.layers.Reshape((28, 28))]
    return []


@recipes.shared
def mlp_run(activation: str, optimizer: str, augmentation: tuple, seed: int, epochs: int,
            batch_size: int, n_train: int, validate_every: int = 1) -> dict:
    """History {metric: [per epoch]} of ``models.doc001_mlp(activation, INITIALIZER[...])`` on
    standardized Fashion-MNIST; augmentation: ("none", 0) | ("noise", std) | ("shift", pixels);
    val_* every ``validate_every`` epochs (one entry per validation)."""
    x, y, x_val, y_val = split("fashion_mnist", n_train, True)

    def build():
        return keras.Sequential([keras.Input((28, 28)), *augmentation_layers(*augmentation),
                                 models.doc001_mlp(activation, INITIALIZER[activation])])
    return training.train(build, x, y, seed=seed, epochs=epochs, batch_size=batch_size,
                          optimizer=optimizer, validation_data=(x_val, y_val), validation_freq=validate_every).history


def mlp_runs(case, **overrides) -> list:
    """``mlp_run`` for every seed of ``case`` (activation relu, Adam, no augmentation unless
    overridden); epochs, batch_size and n_train from the case's config."""
    cfg = case.config
    kw = {"activation": "relu", "optimizer": "adam", "augmentation": ("none", 0), **overrides}
    return case.per_seed(lambda s: mlp_run(seed=s, epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                                           n_train=cfg["n_train"], **kw))


def activation_ranking(case):
    """Spearman correlation per seed between the document's order and the order of final
    validation accuracy of the six activations."""
    acc = {a: [h["val_accuracy"][-1] for h in mlp_runs(case, activation=a)] for a in DOC_ORDER}
    table = np.array([acc[a] for a in DOC_ORDER])  # (activation in document order, seed)
    rhos = [float(spearmanr(-np.arange(len(DOC_ORDER)), table[:, i]).statistic) for i in range(table.shape[1])]
    spearman = stats.mean(rhos)
    figure = plots.points(acc, ylabel="validation accuracy (held-out training images)",
                          title=f"activation_ranking: document order left to right, Spearman {spearman.point:.2f}")
    return Measured(estimate=spearman, samples={"spearman_per_seed": rhos},
                    details={"val_accuracy": acc,
                             "order_per_seed": [[DOC_ORDER[j] for j in np.argsort(-table[:, i])]
                                                for i in range(table.shape[1])]},
                    figure=figure)


def nadam_vs_adam(case):
    """Mean training loss over the first epoch, Adam minus Nadam, paired by seed."""
    adam, nadam = mlp_runs(case, optimizer="adam"), mlp_runs(case, optimizer="nadam")
    epoch = case.config["loss_epoch"]
    a, n = [h["loss"][epoch - 1] for h in adam], [h["loss"][epoch - 1] for h in nadam]
    figure = plots.curves({"Adam": [h["loss"] for h in adam], "Nadam": [h["loss"] for h in nadam]},
                          ylabel="training loss (mean over the epoch's batches)",
                          title=f"nadam_vs_adam: {len(adam)} seeds")
    return Measured(estimate=stats.paired_difference(a, n), samples={"adam_loss": a, "nadam_loss": n},
                    details={"adam_val_accuracy": [h["val_accuracy"] for h in adam],
                             "nadam_val_accuracy": [h["val_accuracy"] for h in nadam]},
                    figure=figure)


def augmentation_runs(case) -> dict:
    """{"none" | "noise" | "shift": histories per seed} of the augmentation claims; an error
    unless the runs without augmentation overfit (mean final training minus validation
    accuracy >= config["overfit_gap"]): where nothing overfits no augmentation can help, and
    the comparison would say nothing. Validated after the last epoch only."""
    cfg = case.config
    runs = {kind: mlp_runs(case, augmentation=(kind, size), validate_every=cfg["epochs"])
            for kind, size in (("none", 0), ("noise", cfg["noise_std"]), ("shift", cfg["shift_pixels"]))}
    gap = float(np.mean([h["accuracy"][-1] - h["val_accuracy"][-1] for h in runs["none"]]))
    if gap < cfg["overfit_gap"]:
        raise ValueError(f"runs without augmentation overfit by {gap:.4f} < {cfg['overfit_gap']}: nothing to fix")
    return runs


def augmentation_gain(case):
    """Final validation accuracy of config["variants"] = [a, b] (augmentations), a - b paired by seed."""
    runs = augmentation_runs(case)
    acc = {kind: [h["val_accuracy"][-1] for h in hs] for kind, hs in runs.items()}
    a, b = case.config["variants"]
    figure = plots.points(acc, ylabel="validation accuracy (held-out training images)",
                          title=f"{case.claim.id}: {len(acc[a])} seeds, {case.config['epochs']} epochs")
    return Measured(estimate=stats.paired_difference(acc[a], acc[b]), samples=acc,
                    details={"final_train_accuracy": {k: [h["accuracy"][-1] for h in hs] for k, hs in runs.items()}},
                    figure=figure)


# --- learning-rate sweeps: lr range test (001 §4) and BN vs no BN (002 B15) --------------------

SWEEP_MODELS = {"mlp": functools.partial(models.doc001_mlp, "relu", "he_normal"),
                "deep_elu": functools.partial(models.doc001_deep_elu, (28, 28), False),
                "deep_elu_bn": functools.partial(models.doc001_deep_elu, (28, 28), True)}


@recipes.shared
def lr_sweep(model: str, dataset: str, seed: int, steps: int, batch_size: int, lr_from: float,
             lr_to: float, window: int) -> dict:
    """One epoch of plain SGD over the first steps*batch_size training images, the learning
    rate multiplied by (lr_to/lr_from)**(1/steps) after every step (001 L515).
    Returns "lr" and "loss" per step (the batch's loss, recovered from Keras' running mean),
    "smoothed" (moving mean over ``window`` steps, non-finite -> inf) and "turning_lr":
    the learning rate of the smoothed loss's minimum, where the loss starts to climb."""
    x, y, _, _ = split(dataset, steps * batch_size, False)
    rate = (lr_to / lr_from) ** (1 / steps)
    schedule = keras.optimizers.schedules.ExponentialDecay(lr_from, decay_steps=1, decay_rate=rate)
    means = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: means.append(logs["loss"]))
    training.train(SWEEP_MODELS[model], x, y, seed=seed, epochs=1, batch_size=batch_size,
                   optimizer=lambda: keras.optimizers.SGD(learning_rate=schedule), callbacks=[record],
                   allow_nonfinite=True)
    k = np.arange(1, steps + 1)
    means = np.array(means, float)
    with np.errstate(invalid="ignore"):  # inf - inf once the loss has diverged
        loss = k * means - (k - 1) * np.concatenate([[0.0], means[:-1]])
    smoothed = np.convolve(np.where(np.isfinite(loss), loss, np.inf), np.ones(window) / window, "valid")
    lr = lr_from * rate ** np.arange(steps)
    turning = int(np.argmin(smoothed)) + window // 2
    return {"lr": lr, "loss": loss, "smoothed": smoothed, "turning_lr": float(lr[turning])}


@recipes.shared
def constant_lr_run(lr: float, seed: int, steps: int, batch_size: int) -> dict:
    """One epoch of SGD(lr) on the sweep's MLP and images; final validation loss (inf if not
    finite) and accuracy on the held-out training images."""
    x, y, x_val, y_val = split("fashion_mnist", steps * batch_size, False)
    h = training.train(SWEEP_MODELS["mlp"], x, y, seed=seed, epochs=1, batch_size=batch_size,
                       optimizer=lambda: keras.optimizers.SGD(learning_rate=lr),
                       validation_data=(x_val, y_val), allow_nonfinite=True).history
    loss = h["val_loss"][-1]
    return {"val_loss": loss if math.isfinite(loss) else math.inf, "val_accuracy": h["val_accuracy"][-1]}


def sweeps(case, model: str, dataset: str) -> list:
    cfg = case.config
    return case.per_seed(lambda s: lr_sweep(model, dataset, s, cfg["steps"], cfg["batch_size"], cfg["lr_from"],
                                            cfg["lr_to"], cfg["window"]))


def sweep_figure(groups: dict, title: str):
    """Smoothed sweep loss per step, one band per group, turning points marked."""
    return plots.curves_marked(
        {k: [r["smoothed"] for r in v] for k, v in groups.items()},
        {f"{k}: turning point": [(int(np.argmin(r["smoothed"])) + 1, float(np.min(r["smoothed"]))) for r in v]
         for k, v in groups.items()},
        ylabel="training loss (moving mean)", xlabel="sweep step (learning rate grows exponentially)",
        title=title, log=True)


def lr_range_test(case):
    """Per seed: the sweep's turning point, and the best and the largest converging constant
    learning rate of the grid; log2(max/best) and log10(turning/best)."""
    cfg = case.config
    sweep_runs = sweeps(case, "mlp", "fashion_mnist")

    def grid(seed) -> dict:
        runs = {}
        for lr in cfg["grid"]:  # upwards until the first run that does not converge
            runs[lr] = constant_lr_run(lr, seed, cfg["steps"], cfg["batch_size"])
            if not runs[lr]["val_loss"] < math.log(10):
                break
        return runs

    grid_runs = case.per_seed(grid)
    turning = [sweep["turning_lr"] for sweep in sweep_runs]
    max_lr = [max(lr for lr, r in runs.items() if r["val_loss"] < math.log(10)) for runs in grid_runs]
    best_lr = [min(runs, key=lambda lr: runs[lr]["val_loss"]) for runs in grid_runs]
    value = {"log2_max_over_best": np.log2(np.array(max_lr) / best_lr),
             "log10_turning_over_best": np.log10(np.array(turning) / best_lr)}
    return Measured(estimate={k: stats.mean(v) for k, v in value.items()},
                    samples={"turning_lr": turning, "max_lr": max_lr, "best_lr": best_lr, **value},
                    details={"grid_runs": [{str(lr): r for lr, r in runs.items()} for runs in grid_runs]},
                    figure=sweep_figure({"MLP, SGD": sweep_runs}, f"lr_range_test: {len(sweep_runs)} seeds"))


def bn_allows_higher_lr(case):
    """log10 of the sweep's turning point with BN over without, per seed."""
    plain_runs, bn_runs = sweeps(case, "deep_elu", "mnist"), sweeps(case, "deep_elu_bn", "mnist")
    a, b = [r["turning_lr"] for r in bn_runs], [r["turning_lr"] for r in plain_runs]
    return Measured(estimate=stats.mean(np.log10(np.array(a) / b)), samples={"turning_lr_bn": a, "turning_lr_no_bn": b},
                    figure=sweep_figure({"20 x Dense 100 ELU": plain_runs, "with BN": bn_runs},
                                        f"B15: lr sweep turning points, {len(a)} seeds"))


def published_mlp_summary(case):
    """What ``model.summary()`` prints for this family's probe, ``models.doc001_mlp()`` (the
    300/100 ReLU MLP that relu_run and mlp_run train), read with ``models.summary``: per-layer
    parameter counts and output shapes, and the total / trainable / non-trainable counts."""
    s = models.summary(models.doc001_mlp())
    return Measured({k: s[k] for k in ("layers", "shapes", "total", "trainable", "non_trainable")},
                    details={"names": s["names"]})


# --- claims -----------------------------------------------------------------------------------------

MLP = {"n_train": 10_000, "epochs": 2, "batch_size": 64}  # shared by the three MLP-run claims
MLP_SEEDS = tuple(range(10))  # a seed costs a few 2-epoch runs on 10,000 images: well under a minute
SLICE = ("Trained on the first 10,000 training images (CPU budget), validated on the last 5,000 "
         "training images; the test set is never used.")
AUGMENTED = {"n_train": 1_000, "epochs": 100, "batch_size": 64, "noise_std": 0.3, "shift_pixels": 2,
             "overfit_gap": 0.05}
AUGMENTATION = ("An augmentation can only help where the net overfits, so the same ReLU MLP as activation_ranking "
                "trains on the first 1,000 training images for 100 epochs (validated on the last 5,000 training "
                "images after the last epoch; the test set is never used), and the run is an error unless the runs "
                "without augmentation overfit (mean final training minus validation accuracy >= 5 points). Set on "
                "pilot seeds 100-102 before the reported seeds: the net without augmentation overfits 1,000 images "
                "well within 40 epochs, while the augmented nets still gained between 40 and 100 epochs. 10 seeds; "
                "the two claims share the runs.")
AUGMENTATION_POST_HOC = ("split from one two-part claim and moved to a training set the net overfits (was: 10,000 "
                         "images, 2 epochs, where no augmentation can help), after the reported run was seen "
                         "(issue 20 item 6, ceb5659)")
SWEEP = {"steps": 500, "batch_size": 20, "lr_from": 1e-5, "lr_to": 10.0, "window": 20}

CLAIMS = [
    Claim("dying_relu", "001", "1b. Nonsaturating Activation Functions", "53",
          "In some cases, you may find that half of your network's neurons are dead, especially if "
          "you used a large learning rate.",
          "Rule fixed before the reported seeds: the fraction of dead hidden units (of 400) after "
          "training with the large learning rate minus that with the small one, paired by seed, must "
          "be >= 0.10 on the Student-t interval of the mean (a large lr kills at least a tenth "
          "more of the network; 'half' is an 'in some cases' statement, so the per-seed large-lr "
          "fractions are reported, not required to reach 0.5). Learning rates chosen on pilot seeds "
          "100-101 (embedded subset, 2 epochs) among SGD 0.01, 0.5, 1.0 and 2.0: small = 0.01 (Keras' "
          "SGD default), large = 0.5, the largest whose pilot runs did not diverge (a diverged net is "
          "not a dead one). A run at 0.5 can still diverge on some seeds: such seeds are dropped "
          "(declared in the tier, listed in the entry) and the interval rests on the others; fewer "
          "than two seeds left is an error, not a verdict. 10 seeds: one costs two 2-epoch runs, "
          "under a minute. Full tier only: a fast tier on the subset costs more than the fast "
          "tier's budget.",
          {"full": Tier(AtLeast(0.10), seeds=tuple(range(10)),
                        config={"source": "load", "epochs": 2, "small_lr": 0.01, "large_lr": 0.5},
                        drop="seeds whose training loss became NaN or inf at either learning rate "
                             "(a diverged net is not a dead one)")},
          post_hoc="full tier: seeds 5 -> 10 and the drop rule written after an inconclusive reported run (b315ad8); not yet confirmed on fresh seeds",
          measure=dying_relu,
          port="Probe, not the document's code (the document has no dying-ReLU experiment): "
               "001's 300/100 MLP with ReLU, SGD(learning_rate=...), batch 32.",
          document_value="up to half the neurons dead with a large learning rate"),
    Claim("activation_ranking", "001", "1b. Nonsaturating Activation Functions", "74",
          "Although your mileage will vary, in general SELU > ELU > leaky ReLU (and its variants) > "
          "ReLU > tanh > logistic.",
          "Rule fixed before measuring: per seed, the Spearman rank correlation between the "
          "document's order and the order of final validation accuracy of the six activations; "
          "the Student-t 95% interval of its mean over 10 seeds must be >= 0.5. 'In general' with "
          "'mileage will vary' allows some swaps (one swap of neighbours gives 0.94, a random order "
          "0 on average, sd 0.45 for six items), but not an order that is mostly not the document's. "
          "Power of this rule (computed from the exact null distribution of Spearman's rho for six "
          "items, not measured): if each seed's order were random, the rule would say reproduced "
          "with probability below 1e-4, refuted 0.89, inconclusive 0.11; if the accuracies follow "
          "the document's order with seed-to-seed noise of sd 1.5 times the gap between neighbouring "
          "activations (mean rho 0.77), reproduced 0.92; with noise of 2 gaps (mean rho 0.67), "
          "reproduced 0.5. Each activation gets the initializer 001 recommends (LeCun normal for "
          "SELU, He normal for the ReLU family and ELU, Glorot uniform for tanh and logistic) and "
          "inputs are standardized (SELU's condition, L68) for all. " + SLICE + " Sizes fixed on "
          "pilot seed 100 for time only; a seed costs six 2-epoch runs, under a minute.",
          {"full": Tier(AtLeast(0.5), seeds=MLP_SEEDS, config=MLP)},
          measure=activation_ranking,
          port="Probe: doc001_mlp (300/100) with each activation; 'leaky_relu' is Keras 3's "
               "activation (negative_slope 0.2, the document's LeakyReLU(alpha=0.2)); Adam defaults.",
          document_value="SELU > ELU > leaky ReLU > ReLU > tanh > logistic (Spearman 1)"),
    Claim("nadam_vs_adam", "001", "3e. Adam", "493",
          "Nadam: optimization is Adam optimization plus the Nesterov trick, so it will often "
          "converge slightly faster than Adam",
          "Vague claim ('often', 'slightly'), rule fixed before measuring: the mean training loss "
          "over the first epoch (157 steps of 64, the area under the early loss curve) of Adam minus "
          "that of Nadam, paired by seed, Student-t 95% interval of the mean difference >= 0 (Nadam "
          "lower: faster); wholly below 0 refutes; straddling 0 is inconclusive, an honest outcome "
          "for 'slightly'. Same ReLU MLP, data and 10 seeds as activation_ranking. " + SLICE,
          {"full": Tier(AtLeast(0.0), seeds=MLP_SEEDS, config={**MLP, "loss_epoch": 1})},
          measure=nadam_vs_adam,
          port="keras.optimizers.Adam() and Nadam() defaults (learning_rate=0.001; the document's "
               "lr= is learning_rate=).",
          document_value="Nadam converges slightly faster than Adam"),
    Claim("white_noise_augmentation", "001", "5d. Data Augmentation", "704",
          "Simply adding white noise will not help; the modifications should be learnable "
          "(white noise is not).",
          "'Will not help' = white-noise augmentation does not raise final validation accuracy by more "
          "than half a point (the suite's equivalence margin) over no augmentation: the Student-t 95% "
          "interval of the paired (same seed) difference, noise minus none, wholly <= +0.005 "
          "reproduces, wholly above refutes. White noise: GaussianNoise(stddev=0.3) on standardized "
          "inputs (about 0.1 of the [0, 1] pixel range), train time only. " + AUGMENTATION,
          {"full": Tier(AtMost(0.005), seeds=MLP_SEEDS, config={**AUGMENTED, "variants": ["noise", "none"]})},
          measure=augmentation_gain,
          port="Probe (the document has no code here): keras.layers.GaussianNoise before doc001_mlp.",
          document_value="white noise does not help",
          post_hoc=AUGMENTATION_POST_HOC + "; threshold 0 -> +0.005, since at 0 no augmentation without "
                                           "effect could ever reproduce 'will not help'"),
    Claim("white_noise_augmentation_learnable_beats_noise", "001", "5d. Data Augmentation", "704",
          "the modifications should be learnable (white noise is not)",
          "A learnable modification (random shifts of up to 2 pixels each way) gives a final validation "
          "accuracy at least that of white noise: the Student-t 95% interval of the paired difference, "
          "shifts minus noise, wholly >= 0 reproduces, wholly below refutes. " + AUGMENTATION,
          {"full": Tier(AtLeast(0.0), seeds=MLP_SEEDS, config={**AUGMENTED, "variants": ["shift", "noise"]})},
          measure=augmentation_gain,
          port="Probe (the document has no code here): keras.layers.RandomTranslation(fill_mode='nearest') "
               "and GaussianNoise before doc001_mlp.",
          document_value="learnable modifications help, white noise does not",
          post_hoc=AUGMENTATION_POST_HOC),
    Claim("lr_range_test", "001", "4. Learning Rate Scheduling", "515",
          "the optimal learning rate is about half of the maximum learning rate (i.e., the learning "
          "rate above which the training algorithm diverges) [...] typically about 10 times lower "
          "than the turning point",
          "Rule fixed before the reported seeds, from the document's numbers. Sweep as written: "
          "500 SGD steps, learning rate from 1e-5 to 10 multiplied by exp(log(1e6)/500) every step "
          "(batch 20, so the 500 steps are one pass over the 10,000-image slice); turning point = "
          "the learning rate at the minimum of the 20-step moving mean of the batch loss. "
          "Then one epoch of plain SGD at each constant learning rate of a factor-2 grid "
          "(0.025 ... 1.6, upwards until the first run that does not converge, i.e. whose "
          "validation loss is not below ln 10, chance); best = lowest validation loss, "
          "max = highest converging grid rate. Both must hold on the Student-t interval of the "
          "mean over 10 seeds (Bonferroni level for two parts): log2(max/best) in [0.5, 1.5] "
          "('about half', within the grid's resolution of a factor 2) and log10(turning/best) in "
          "[0.5, 1.5] ('about 10 times', within half a decade). Grid range chosen on pilot seed 100 "
          "so that it brackets best and max. " + SLICE + " A seed costs one sweep and a few "
          "one-epoch runs, under a minute.",
          {"full": Tier(All({"log2_max_over_best": Between(0.5, 1.5),
                             "log10_turning_over_best": Between(0.5, 1.5)}), seeds=tuple(range(10)),
                        config={**SWEEP, "grid": (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)})},
          measure=lr_range_test,
          port="Probe: doc001_mlp (ReLU, He normal) on Fashion-MNIST in [0, 1]; the per-step "
               "multiplication is keras.optimizers.schedules.ExponentialDecay(1e-5, decay_steps=1, "
               "decay_rate=exp(log(1e6)/500)); 'train it normally' shortened to one epoch.",
          document_value="best lr ~ max lr / 2 ~ turning point / 10"),
    Claim("B15_bn_allows_higher_lr", "002", "Chapter II, Batch Normalization", "1272",
          "by narrowing the amount of shift between the weights, convergence can happen sooner "
          "using a higher learning rate and reducing the overall amount of training time",
          "Rule fixed before the reported seeds: the highest usable learning rate is the turning "
          "point of 001's exponential learning-rate sweep (the rate beyond which the loss climbs), "
          "on 001's deep net (20 x Dense 100 ELU He uniform) with and without its BN layers, plain "
          "SGD, MNIST; log10(turning with BN / turning without), per seed, Student-t 95% interval "
          "of the mean over 10 seeds >= log10(2) = 0.301: BN must allow at least twice the learning "
          "rate (a factor 2 being the smallest step a learning rate is usually tuned by). Sweep: 200 "
          "steps of 32 (the first 6,400 training images), 1e-4 to 10, 20-step moving mean; sizes "
          "set on pilot seed 100 for time; a seed costs two 200-step sweeps, under a minute. Placed "
          "here, not in test_batch_norm.py, to share the sweep.",
          {"full": Tier(AtLeast(math.log10(2)), seeds=tuple(range(10)),
                        config={"steps": 200, "batch_size": 32, "lr_from": 1e-4, "lr_to": 10.0,
                                "window": 20})},
          measure=bn_allows_higher_lr,
          port="Probe: models.doc001_deep_elu(input_shape=(28, 28), batch_norm=True/False) "
               "(keras.Input((28, 28))); the schedule as in lr_range_test.",
          document_value="BN allows a higher learning rate"),
    Claim("control_fashion_mlp_published_summary", "001", "1b. Nonsaturating Activation Functions", "53, 74",
          "Total params: 266,610 / Trainable params: 266,610 / Non-trainable params: 0 (Géron's summary of "
          "the Fashion-MNIST MLP: Flatten (None, 784) 0, Dense (None, 300) 235,500, Dense (None, 100) "
          "30,100, Dense (None, 10) 1,010)",
          "Exact: a parameter count and an output shape are integers that the architecture fixes (784 x 300 "
          "+ 300, 300 x 100 + 100, 100 x 10 + 10), whatever the initial weights, so the family's builder "
          "must print Géron's summary line for line. Activations and initializers change no count.",
          {"fast": Tier(Exact({"layers": [0, 235500, 30100, 1010],
                               "shapes": [[None, 784], [None, 300], [None, 100], [None, 10]],
                               "total": 266610, "trainable": 266610, "non_trainable": 0}))},
          measure=published_mlp_summary,
          control="ageron/handson-ml2, 10_neural_nets_with_keras.ipynb (commit 07443d4), code cell [27] "
                  "model.summary() of the cell [25] model (Flatten input_shape=[28, 28], Dense 300 relu, "
                  "Dense 100 relu, Dense 10 softmax): flatten (None, 784) 0, dense (None, 300) 235500, "
                  "dense_1 (None, 100) 30100, dense_2 (None, 10) 1010; Total params 266,610, Trainable "
                  "266,610, Non-trainable 0",
          port="Flatten(input_shape=[28, 28]) -> keras.Input((28, 28)) then Flatten() (models.doc001_mlp); "
               "the Input is not a layer of the model in Keras 3, as it was not in Géron's summary."),
]

test_claims = claim_test(CLAIMS)
