"""Training dynamics of 001 (§1b, §3e, §4, §5d) and 002 (batch norm and the learning rate).

dying_relu: see below. The other claims train on the real training sets (full tier
only) and never look at a test set: they train on the FIRST ``n_train`` images of the
training set and validate on its LAST 5,000 (a held-out split of the training data);
the 10,000-image slice keeps the whole family inside its CPU budget.

- activation_ranking, nadam_vs_adam, white_noise_augmentation share ``mlp_run``:
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
import pytest
from scipy.stats import spearmanr

from harness import data, models, plots, stats, training
from harness.claim import INCONCLUSIVE, REFUTED, All, AtLeast, AtMost, Between, Claim, Tier, cases

CLAIMS = [
    Claim("dying_relu", "001", "1b. Nonsaturating Activation Functions", "53",
          "In some cases, you may find that half of your network's neurons are dead, especially if "
          "you used a large learning rate.",
          "Rule fixed before the reported seeds: the fraction of dead hidden units (of 400) after "
          "training with the large learning rate minus that with the small one, paired by seed, must "
          "be >= 0.10 on the 95% bootstrap interval of the mean (a large lr kills at least a tenth "
          "more of the network; 'half' is an 'in some cases' statement, so the per-seed large-lr "
          "fractions are reported, not required to reach 0.5). Learning rates chosen on pilot seeds "
          "100-101 (embedded subset, 2 epochs): SGD 0.01 left 0.2-0.5% dead, 0.5 left 21-30% dead, "
          "1.0 and 2.0 diverged (NaN; a diverged net is not a dead one), so small = 0.01 "
          "(Keras' SGD default) and large = 0.5. Full tier only: a fast tier on the subset (seeds 0-2, "
          "reproduced, difference 0.33 [0.175, 0.42]) cost 45 s, over the fast tier's budget. Once the "
          "training helper reshuffled every epoch (a harness fix), some large-lr runs diverged to NaN: "
          "seeds whose run diverged are left out of the interval and listed in details (no seed left: "
          "inconclusive). MEASURED then (full, seeds 0-4): seed 1 diverged; dead fractions at lr 0.5 "
          "0.23, 0.05, 0.25, 0.12 vs <= 0.005 at lr 0.01; difference 0.16 [0.08, 0.24]: more dead units "
          "with the large rate on every seed, but the interval reaches below 0.10: inconclusive.",
          {"full": Tier(AtLeast(0.10), seeds=(0, 1, 2, 3, 4),
                        config={"source": "load", "epochs": 2, "small_lr": 0.01, "large_lr": 0.5})},
          expect=INCONCLUSIVE,
          port="Probe, not the document's code (the document has no dying-ReLU experiment): "
               "001's 300/100 MLP with ReLU, SGD(learning_rate=...), batch 32.",
          document_value="up to half the neurons dead with a large learning rate"),
]


def dead_fraction(model: keras.Model, x) -> float:
    """Fraction of the hidden Dense units whose output is <= 0 on every row of x (n, 28, 28)."""
    h, dead = x, []
    for layer in model.layers[:-1]:
        h = layer(h)
        if isinstance(layer, keras.layers.Dense):
            dead.append(np.asarray(h).max(axis=0) <= 0)
    return float(np.concatenate(dead).mean())


@functools.lru_cache(maxsize=None)
def relu_run(source: str, lr: float, seed: int, epochs: int) -> dict:
    """Dead fraction (of 400 hidden units) and training accuracy per epoch of one SGD run."""
    d = data.subset("fashion_mnist") if source == "subset" else data.load("fashion_mnist")
    x = data.scale(d.x_train)
    run = training.train(models.doc001_mlp, x, d.y_train, seed=seed, epochs=epochs, batch_size=32,
                         optimizer=lambda: keras.optimizers.SGD(learning_rate=lr))
    diverged = not np.isfinite(run.history["loss"][-1])  # a diverged net is not a dead one
    return {"dead": np.nan if diverged else dead_fraction(run.model, x), "diverged": diverged,
            "accuracy": run.history["accuracy"]}


@pytest.mark.parametrize("case", cases(CLAIMS, "dying_relu"))
def test_dying_relu(case, judge):
    cfg = case.config
    small = [relu_run(cfg["source"], cfg["small_lr"], s, cfg["epochs"]) for s in case.seeds]
    large = [relu_run(cfg["source"], cfg["large_lr"], s, cfg["epochs"]) for s in case.seeds]
    kept = [i for i in range(len(case.seeds)) if not (large[i]["diverged"] or small[i]["diverged"])]
    a, b = [large[i]["dead"] for i in kept], [small[i]["dead"] for i in kept]
    interval = stats.paired_difference_ci(a, b) if kept else None
    figure = plots.points({f"SGD lr {cfg['small_lr']}": b, f"SGD lr {cfg['large_lr']}": a},
                          ylabel="fraction of hidden ReLU units dead",
                          title=f"dying_relu: {len(case.seeds)} seeds, {cfg['epochs']} epochs",
                          hline=(0.5, "document: 'half' (in some cases)"))
    judge(interval.point if kept else float("nan"), interval=interval,
          samples={"dead_large_lr": a, "dead_small_lr": b},
          details={"diverged_seeds": [s for i, s in enumerate(case.seeds) if i not in kept],"train_accuracy_large_lr": [r["accuracy"] for r in large],
                   "train_accuracy_small_lr": [r["accuracy"] for r in small]},
          figure=figure)


MLP = {"n_train": 10_000, "epochs": 2, "batch_size": 64}  # shared by the three MLP-run claims
SLICE = ("Trained on the first 10,000 training images (CPU budget), validated on the last 5,000 "
         "training images; the test set is never used.")
SWEEP = {"steps": 500, "batch_size": 20, "lr_from": 1e-5, "lr_to": 10.0, "window": 20}
CLAIMS += [
    Claim("activation_ranking", "001", "1b. Nonsaturating Activation Functions", "74",
          "Although your mileage will vary, in general SELU > ELU > leaky ReLU (and its variants) > "
          "ReLU > tanh > logistic.",
          "Rule fixed before measuring: per seed, the Spearman rank correlation between the "
          "document's order and the order of final validation accuracy of the six activations; "
          "the 95% bootstrap interval of its mean over seeds must be >= 0.5. 'In general' with "
          "'mileage will vary' allows some swaps (one swap of neighbours gives 0.94, a random order "
          "0 on average, sd 0.45 for six items), but not an order that is mostly not the document's. "
          "Each activation gets the initializer 001 recommends (LeCun normal for SELU, He normal for "
          "the ReLU family and ELU, Glorot uniform for tanh and logistic) and inputs are standardized "
          "(SELU's condition, L68) for all. " + SLICE + " Sizes fixed on pilot seed 100 for time only. MEASURED (seeds 0-2): Spearman 0.12, 0.83, "
          "-0.09, mean 0.29 [-0.09, 0.83]: inconclusive. The six accuracies lie within 1-2 points "
          "(0.818-0.849) and their order changes from seed to seed; SELU was first on one seed.",
          {"full": Tier(AtLeast(0.5), seeds=(0, 1, 2), config=MLP)},
          expect=INCONCLUSIVE,
          port="Probe: doc001_mlp (300/100) with each activation; 'leaky_relu' is Keras 3's "
               "activation (negative_slope 0.2, the document's LeakyReLU(alpha=0.2)); Adam defaults.",
          document_value="SELU > ELU > leaky ReLU > ReLU > tanh > logistic (Spearman 1)"),
    Claim("nadam_vs_adam", "001", "3e. Adam", "493",
          "Nadam: optimization is Adam optimization plus the Nesterov trick, so it will often "
          "converge slightly faster than Adam",
          "Vague claim ('often', 'slightly'), rule fixed before measuring: the mean training loss "
          "over the first epoch (157 steps of 64, the area under the early loss curve) of Adam minus "
          "that of Nadam, paired by seed, 95% bootstrap interval of the mean >= 0 (Nadam lower: "
          "faster); wholly below 0 refutes; straddling 0 is inconclusive, an honest outcome for "
          "'slightly'. Same ReLU MLP, data and seeds as activation_ranking. " + SLICE +
          " MEASURED (seeds 0-2): first-epoch loss Adam 0.612, 0.617, 0.648 vs Nadam 0.585, 0.595, "
          "0.614; difference 0.028 [0.021, 0.034]: reproduced.",
          {"full": Tier(AtLeast(0.0), seeds=(0, 1, 2), config={**MLP, "loss_epoch": 1})},
          port="keras.optimizers.Adam() and Nadam() defaults (learning_rate=0.001; the document's "
               "lr= is learning_rate=).",
          document_value="Nadam converges slightly faster than Adam"),
    Claim("white_noise_augmentation", "001", "5d. Data Augmentation", "704",
          "Simply adding white noise will not help; the modifications should be learnable "
          "(white noise is not).",
          "Rule fixed before measuring, on final validation accuracy paired by seed (95% bootstrap "
          "intervals of the mean difference): noise_gain = (white-noise augmentation) - (none) "
          "<= 0 ('will not help'), and shift_minus_noise = (random shifts of up to 2 pixels, a "
          "learnable modification) - (white noise) >= 0. White noise: GaussianNoise(stddev=0.3) on "
          "standardized inputs (about 0.1 of the [0, 1] pixel range), train time only. Same ReLU MLP "
          "as activation_ranking. " + SLICE + " The noise level and shift size were set before any "
          "run; pilot seed 100 was used for timing. MEASURED (seeds 0-2): accuracy none 0.838, "
          "0.838, 0.829; noise 0.838, 0.835, 0.828; shift 0.801, 0.813, 0.786. noise_gain -0.0018 "
          "[-0.0034, -0.0006]: white noise did not help (that half reproduces); shift_minus_noise "
          "-0.033 [-0.041, -0.022]: the learnable shifts hurt more, so the claim as a whole is "
          "refuted here. Caveat: two epochs of an MLP barely overfit, so no augmentation has "
          "anything to fix; a longer run might change the shift half.",
          {"full": Tier(All({"noise_gain": AtMost(0.0), "shift_minus_noise": AtLeast(0.0)}),
                        seeds=(0, 1, 2), config={**MLP, "noise_std": 0.3, "shift_pixels": 2})},
          expect=REFUTED,
          port="Probe (the document has no code here): keras.layers.GaussianNoise and "
               "RandomTranslation(fill_mode='nearest') before doc001_mlp.",
          document_value="white noise does not help; learnable modifications do"),
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
          "max = highest converging grid rate. Both must hold on the 95% bootstrap interval of the "
          "mean over seeds: log2(max/best) in [0.5, 1.5] ('about half', within the grid's "
          "resolution of a factor 2) and log10(turning/best) in [0.5, 1.5] ('about 10 times', "
          "within half a decade). Grid range chosen on pilot seed 100 so that it brackets best "
          "and max. " + SLICE + " MEASURED (seeds 0-2): best 0.1, max 0.4 on every seed (0.8 "
          "diverged), so max/best = 4, not 2; turning points 0.073, 0.062, 0.075, BELOW the best "
          "constant rate (log10(turning/best) -0.16 [-0.21, -0.12]), not 10 times above it: refuted "
          "on both parts for this model and one-epoch training.",
          {"full": Tier(All({"log2_max_over_best": Between(0.5, 1.5),
                             "log10_turning_over_best": Between(0.5, 1.5)}), seeds=(0, 1, 2),
                        config={**SWEEP, "grid": (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)})},
          expect=REFUTED,
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
          "SGD, MNIST; log10(turning with BN / turning without), per seed, 95% bootstrap interval of "
          "the mean >= log10(2) = 0.301: BN must allow at least twice the learning rate (a factor 2 "
          "being the smallest step a learning rate is usually tuned by). Sweep: 200 steps of 32 "
          "(the first 6,400 training images), 1e-4 to 10, 20-step moving mean; sizes set on pilot "
          "seed 100 for time. Placed here, not in test_batch_norm.py, to share the sweep. MEASURED "
          "(seeds 0-2): turning point with BN 0.094, 0.100, 0.106; without 0.0067, 0.0056, 0.0028; "
          "log10 ratio 1.33 [1.15, 1.58] (BN about 20 times higher): reproduced.",
          {"full": Tier(AtLeast(math.log10(2)), seeds=(0, 1, 2),
                        config={"steps": 200, "batch_size": 32, "lr_from": 1e-4, "lr_to": 10.0,
                                "window": 20})},
          port="Probe: models.doc001_deep_elu(input_shape=(28, 28), batch_norm=True/False) "
               "(keras.Input((28, 28))); the schedule as in lr_range_test.",
          document_value="BN allows a higher learning rate"),
]

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


@functools.lru_cache(maxsize=None)
def mlp_run(activation: str, optimizer: str, augmentation: tuple, seed: int, epochs: int,
            batch_size: int, n_train: int) -> dict:
    """History {metric: [per epoch]} of ``models.doc001_mlp(activation, INITIALIZER[...])`` on
    standardized Fashion-MNIST; augmentation: ("none", 0) | ("noise", std) | ("shift", pixels)."""
    x, y, x_val, y_val = split("fashion_mnist", n_train, True)

    def build():
        return keras.Sequential([keras.Input((28, 28)), *augmentation_layers(*augmentation),
                                 models.doc001_mlp(activation, INITIALIZER[activation])])
    return training.train(build, x, y, seed=seed, epochs=epochs, batch_size=batch_size,
                          optimizer=optimizer, validation_data=(x_val, y_val)).history


def mlp_runs(case, **overrides) -> list:
    """``mlp_run`` for every seed of ``case`` (activation relu, Adam, no augmentation unless
    overridden); epochs, batch_size and n_train from the case's config."""
    cfg = case.config
    kw = {"activation": "relu", "optimizer": "adam", "augmentation": ("none", 0), **overrides}
    return [mlp_run(seed=s, epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                    n_train=cfg["n_train"], **kw) for s in case.seeds]


@pytest.mark.parametrize("case", cases(CLAIMS, "activation_ranking"))
def test_activation_ranking(case, judge):
    acc = {a: [h["val_accuracy"][-1] for h in mlp_runs(case, activation=a)] for a in DOC_ORDER}
    table = np.array([acc[a] for a in DOC_ORDER])  # (activation in document order, seed)
    rhos = [spearmanr(-np.arange(len(DOC_ORDER)), table[:, i]).statistic for i in range(table.shape[1])]
    interval = stats.bootstrap_ci(rhos)
    figure = plots.points(acc, ylabel="validation accuracy (held-out training images)",
                          title=f"activation_ranking: document order left to right, Spearman "
                                f"{interval.point:.2f} [{interval.low:.2f}, {interval.high:.2f}]")
    judge(interval.point, interval=interval, samples={"spearman_per_seed": rhos},
          details={"val_accuracy": acc,
                   "measured_order_per_seed": [[DOC_ORDER[j] for j in np.argsort(-table[:, i])]
                                               for i in range(table.shape[1])]},
          figure=figure)


@pytest.mark.parametrize("case", cases(CLAIMS, "nadam_vs_adam"))
def test_nadam_vs_adam(case, judge):
    adam, nadam = mlp_runs(case, optimizer="adam"), mlp_runs(case, optimizer="nadam")
    epoch = case.config["loss_epoch"]
    a, n = [h["loss"][epoch - 1] for h in adam], [h["loss"][epoch - 1] for h in nadam]
    interval = stats.paired_difference_ci(a, n)
    figure = plots.curves({"Adam": [h["loss"] for h in adam], "Nadam": [h["loss"] for h in nadam]},
                          ylabel="training loss (mean over the epoch's batches)",
                          title=f"nadam_vs_adam: {len(case.seeds)} seeds")
    judge(interval.point, interval=interval, samples={"adam_loss": a, "nadam_loss": n},
          details={"adam_val_accuracy": [h["val_accuracy"] for h in adam],
                   "nadam_val_accuracy": [h["val_accuracy"] for h in nadam]},
          figure=figure)


@pytest.mark.parametrize("case", cases(CLAIMS, "white_noise_augmentation"))
def test_white_noise_augmentation(case, judge):
    cfg = case.config
    acc = {kind: [h["val_accuracy"][-1] for h in mlp_runs(case, augmentation=(kind, size))]
           for kind, size in (("none", 0), ("noise", cfg["noise_std"]), ("shift", cfg["shift_pixels"]))}
    intervals = {"noise_gain": stats.paired_difference_ci(acc["noise"], acc["none"]),
                 "shift_minus_noise": stats.paired_difference_ci(acc["shift"], acc["noise"])}
    figure = plots.points(acc, ylabel="validation accuracy (held-out training images)",
                          title=f"white_noise_augmentation: {len(case.seeds)} seeds, {cfg['epochs']} epochs")
    judge({k: v.point for k, v in intervals.items()}, interval=intervals, samples=acc, figure=figure)


# --- learning-rate sweeps: lr range test (001 §4) and BN vs no BN (002 B15) --------------------

SWEEP_MODELS = {"mlp": functools.partial(models.doc001_mlp, "relu", "he_normal"),
                "deep_elu": functools.partial(models.doc001_deep_elu, (28, 28), False),
                "deep_elu_bn": functools.partial(models.doc001_deep_elu, (28, 28), True)}


@functools.lru_cache(maxsize=None)
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
                   optimizer=lambda: keras.optimizers.SGD(learning_rate=schedule), callbacks=[record])
    k = np.arange(1, steps + 1)
    means = np.array(means, float)
    with np.errstate(invalid="ignore"):  # inf - inf once the loss has diverged
        loss = k * means - (k - 1) * np.concatenate([[0.0], means[:-1]])
    smoothed = np.convolve(np.where(np.isfinite(loss), loss, np.inf), np.ones(window) / window, "valid")
    lr = lr_from * rate ** np.arange(steps)
    turning = int(np.argmin(smoothed)) + window // 2
    return {"lr": lr, "loss": loss, "smoothed": smoothed, "turning_lr": float(lr[turning])}


@functools.lru_cache(maxsize=None)
def constant_lr_run(lr: float, seed: int, steps: int, batch_size: int) -> dict:
    """One epoch of SGD(lr) on the sweep's MLP and images; final validation loss (inf if not
    finite) and accuracy on the held-out training images."""
    x, y, x_val, y_val = split("fashion_mnist", steps * batch_size, False)
    h = training.train(SWEEP_MODELS["mlp"], x, y, seed=seed, epochs=1, batch_size=batch_size,
                       optimizer=lambda: keras.optimizers.SGD(learning_rate=lr),
                       validation_data=(x_val, y_val)).history
    loss = h["val_loss"][-1]
    return {"val_loss": loss if math.isfinite(loss) else math.inf, "val_accuracy": h["val_accuracy"][-1]}


def sweeps(case, model: str, dataset: str) -> list:
    cfg = case.config
    return [lr_sweep(model, dataset, s, cfg["steps"], cfg["batch_size"], cfg["lr_from"], cfg["lr_to"],
                     cfg["window"]) for s in case.seeds]


def sweep_figure(groups: dict, title: str):
    """Smoothed sweep loss per step, one band per group, turning points marked."""
    return plots.curves_marked(
        {k: [r["smoothed"] for r in v] for k, v in groups.items()},
        {f"{k}: turning point": [(int(np.argmin(r["smoothed"])) + 1, float(np.min(r["smoothed"]))) for r in v]
         for k, v in groups.items()},
        ylabel="training loss (moving mean)", xlabel="sweep step (learning rate grows exponentially)",
        title=title, log=True)


@pytest.mark.parametrize("case", cases(CLAIMS, "lr_range_test"))
def test_lr_range_test(case, judge):
    cfg = case.config
    turning, max_lr, best_lr, grid_runs = [], [], [], []
    for seed, sweep in zip(case.seeds, sweeps(case, "mlp", "fashion_mnist")):
        runs = {}
        for lr in cfg["grid"]:  # upwards until the first run that does not converge
            runs[lr] = constant_lr_run(lr, seed, cfg["steps"], cfg["batch_size"])
            if not runs[lr]["val_loss"] < math.log(10):
                break
        converged = [lr for lr, r in runs.items() if r["val_loss"] < math.log(10)]
        turning.append(sweep["turning_lr"])
        max_lr.append(max(converged))
        best_lr.append(min(runs, key=lambda lr: runs[lr]["val_loss"]))
        grid_runs.append(runs)
    value = {"log2_max_over_best": np.log2(np.array(max_lr) / best_lr),
             "log10_turning_over_best": np.log10(np.array(turning) / best_lr)}
    intervals = {k: stats.bootstrap_ci(v) for k, v in value.items()}
    judge({k: v.point for k, v in intervals.items()}, interval=intervals,
          samples={"turning_lr": turning, "max_lr": max_lr, "best_lr": best_lr, **value},
          details={"grid_runs": [{str(lr): r for lr, r in runs.items()} for runs in grid_runs]},
          figure=sweep_figure({"MLP, SGD": sweeps(case, "mlp", "fashion_mnist")},
                              f"lr_range_test: best constant lr {best_lr}, max {max_lr}"))


@pytest.mark.parametrize("case", cases(CLAIMS, "B15_bn_allows_higher_lr"))
def test_bn_allows_higher_lr(case, judge):
    plain_runs, bn_runs = sweeps(case, "deep_elu", "mnist"), sweeps(case, "deep_elu_bn", "mnist")
    a, b = [r["turning_lr"] for r in bn_runs], [r["turning_lr"] for r in plain_runs]
    interval = stats.bootstrap_ci(np.log10(np.array(a) / b))
    judge(interval.point, interval=interval, samples={"turning_lr_bn": a, "turning_lr_no_bn": b},
          figure=sweep_figure({"20 x Dense 100 ELU": plain_runs, "with BN": bn_runs},
                              f"B15: lr sweep turning points, {len(case.seeds)} seeds"))
