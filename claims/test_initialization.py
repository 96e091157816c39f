"""Weight initialization and signal flow through deep stacks (001 §1, §1a).

The probe is ``models.dense_stack``: ``depth`` x (Dense(width) -> activation) on
784 standardized Fashion-MNIST pixels, then Dense(10) logits, built with Keras'
own initializers and measured at initialization on one batch with
``probes.forward_backward`` (loss: mean sparse cross-entropy from the logits). Per
hidden layer l = 1..L, as Glorot & Bengio (2010) plot them:

- forward: Var(a_l), the variance of the layer's activation outputs (over batch
  and units);
- backward: Var(dloss/dz_l), the variance of the back-propagated gradient at its
  pre-activations z_l (the Dense output).

The first Dense maps 784 inputs to ``width`` units (fan-in != fan-out, where the
document says neither condition can be guaranteed), so the flow is measured over
the L - 1 equal-width layers after it:

- across the stack: R_forward = Var a_L / Var a_1 and R_backward = Var dz_1 / Var dz_L
  (how much the variance changed after L - 1 layers, forward or on the way back);
- per layer: rho = R^(1/(L-1)), the geometric mean factor by which one layer
  multiplies the variance;
- the weights' own part of a layer (what an initializer sets): rho_linear_forward, the
  geometric mean over the equal-width layers of Var z_l / Var a_(l-1), and
  rho_linear_backward, of Var dloss/da_(l-1) / Var dloss/dz_l (the Dense layer's map and
  its transpose, the activation left out).
"""

import keras
import numpy as np
import pytest

from harness.kit import data, models, plots, probes, recipes, stats, training
from harness.engine import power
from harness.engine.claim import (All, AtLeast, AtMost, Between, Claim, Close, Exact, Measured, Power, Tier,
                                  claim_test, seeds_by_power)

pytestmark = pytest.mark.exact_numerics("variances per layer are measured; they must not depend on a float16 round-trip")
INITIALIZERS = {  # config name -> Keras identifier (each Dense deserializes its own instance)
    "glorot_uniform": "glorot_uniform",
    "glorot_normal": "glorot_normal",
    "he_normal": "he_normal",
    "normal_0_1": {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 1.0}},
}
LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def inputs(source: str, examples: int):
    """The first ``examples`` Fashion-MNIST training images (embedded subset or full set),
    flattened to (examples, 784) float32, standardized to mean 0 and variance 1 over all
    pixels; labels (examples,)."""
    d = data.get("fashion_mnist", source)
    x = data.scale(d.x_train[:examples]).reshape(examples, -1)
    return (x - x.mean()) / x.std(), d.y_train[:examples]


@recipes.shared
def flow(activation: str, initializer: str, seed: int, source: str, examples: int, depth: int,
         width: int) -> dict:
    """Per hidden layer (arrays of shape (depth,)): 'forward' Var(a_l), 'backward'
    Var(dloss/dz_l), 'pre_activation' Var(z_l), 'gain' Var(z_l)/Var(layer input),
    'saturated' fraction of sigma'(z_l) < sigma'(0)/10 (meaningful for sigmoid); and
    'R_forward', 'R_backward', 'rho_forward', 'rho_backward' (see the module
    docstring). Cached: claims share setups."""
    x, y = inputs(source, examples)
    training.seed_everything(seed)
    model = models.dense_stack(x.shape[1], width, depth, activation, INITIALIZERS[initializer])
    outputs, grads = probes.forward_backward(model, x, y, loss=LOSS)
    z, a, dz, da = outputs[0:-1:2], outputs[1:-1:2], grads[0:-1:2], grads[1:-1:2]
    forward = np.array([v.var() for v in a])
    backward = np.array([g.var() for g in dz])
    pre_activation = np.array([v.var() for v in z])
    sigmoid = [1 / (1 + np.exp(-v)) for v in z]
    across = {"forward": forward[-1] / forward[0], "backward": backward[0] / backward[-1]}
    linear = {"forward": pre_activation[1:] / forward[:-1],
              "backward": np.array([g.var() for g in da[:-1]]) / backward[1:]}
    return {
        **{f"rho_linear_{k}": float(np.exp(np.log(v).mean())) for k, v in linear.items()},
        "forward": forward, "backward": backward, "pre_activation": pre_activation,
        "gain": pre_activation / np.r_[x.var(), forward[:-1]],
        "saturated": np.array([np.mean(s * (1 - s) < 0.025) for s in sigmoid]),
        **{f"R_{k}": v for k, v in across.items()},
        **{f"rho_{k}": v ** (1 / (depth - 1)) for k, v in across.items()},
    }


def runs(case, initializer: str) -> list:
    cfg = case.config
    return case.per_seed(lambda seed: flow(cfg["activation"], initializer, seed, cfg["source"], cfg["examples"],
                                           cfg["depth"], cfg["width"]))


def labels(case):
    cfg = case.config
    return f"{cfg['initializer']} {cfg['activation']}", f"{cfg['contrast']} {cfg['activation']}"


def flow_figure(case, main, contrast, panels, log=True):
    """Per-layer panels {ylabel: key of flow()} for the claim's setup and its contrast."""
    name, other = labels(case)
    return plots.per_layer_panels(
        {ylabel: {name: [r[key] for r in main], other: [r[key] for r in contrast]} for ylabel, key in panels.items()},
        title=f"{case.claim.id}: {case.config['depth']} x {case.config['width']}, "
              f"{len(main)} seeds (median, min-max)", log=log, xlabel="hidden layer")


def flow_details(case, main, contrast, keys):
    return {f"{label} {key}": [r[key].tolist() for r in group]
            for label, group in zip(labels(case), (main, contrast)) for key in keys}


FLOW_PANELS = {"forward: Var(activation output)": "forward", "backward: Var(dloss / d pre-activation)": "backward"}


def signal_flow(case):
    """Rule parts forward/backward (and contrast_forward/contrast_backward): the
    per-seed statistic named by config 'statistic' ('R' across the stack or 'rho'
    per layer) of the claim's initializer (and of the contrast); their means over seeds."""
    main, contrast = runs(case, case.config["initializer"]), runs(case, case.config["contrast"])
    stat = case.config["statistic"]
    samples = {f"{prefix}{direction}": np.array([r[f"{stat}_{direction}"] for r in group])
               for prefix, group in (("", main), ("contrast_", contrast)) for direction in ("forward", "backward")}
    details = flow_details(case, main, contrast, ("forward", "backward"))
    details.update({f"{other}_{prefix}{direction}": [r[f"{other}_{direction}"] for r in group]
                    for other in {"R", "rho", "rho_linear"} - {stat}
                    for prefix, group in (("", main), ("contrast_", contrast))
                    for direction in ("forward", "backward")})
    return Measured(estimate={k: stats.mean(samples[k]) for k in case.rule.rules}, samples=samples,
                    details=details, figure=flow_figure(case, main, contrast, FLOW_PANELS))


def saturation(case):
    main, contrast = runs(case, case.config["initializer"]), runs(case, case.config["contrast"])
    samples = {"min_variance_gain": np.array([r["gain"].min() for r in main]),
               "top_layer_saturated": np.array([r["saturated"][-1] for r in main])}
    figure = flow_figure(case, main, contrast, {"Var(z_l) / Var(layer input)": "gain",
                                                "saturated fraction (sigma' < sigma'(0)/10)": "saturated"},
                         log=[True, False])
    return Measured(estimate={k: stats.mean(v) for k, v in samples.items()}, samples=samples,
                    details=flow_details(case, main, contrast, ("gain", "saturated", "forward", "backward")),
                    figure=figure)


def variance_growth(case):
    """Var(z_L) / Var(z_2) per seed: the pre-activation variance at the top hidden layer
    relative to the first equal-width one."""
    main, contrast = runs(case, case.config["initializer"]), runs(case, case.config["contrast"])
    samples = np.array([r["pre_activation"][-1] / r["pre_activation"][1] for r in main])
    figure = flow_figure(case, main, contrast, {"Var(z_l), pre-activation": "pre_activation",
                                                "Var(a_l), sigmoid output": "forward"})
    return Measured(estimate=stats.mean(samples), samples=samples,
                    details=flow_details(case, main, contrast, ("pre_activation", "forward", "saturated")),
                    figure=figure)


def glorot_formulas(case):
    fan_in, fan_out = case.config["shape"]
    fan_avg = (fan_in + fan_out) / 2
    r = np.sqrt(3 / fan_avg)
    normal = case.per_seed(lambda s: np.asarray(keras.initializers.GlorotNormal(seed=s)(case.config["shape"]), float))
    uniform = case.per_seed(lambda s: np.asarray(keras.initializers.GlorotUniform(seed=s)(case.config["shape"]), float))
    samples = {"normal_variance_ratio": [w.var() * fan_avg for w in normal],
               "uniform_variance_ratio": [w.var() * fan_avg for w in uniform],
               "uniform_max_over_r": [np.abs(w).max() / r for w in uniform]}
    spread = samples["uniform_max_over_r"]
    reference = keras.initializers.GlorotNormal()
    figure = plots.points({k: v for k, v in samples.items() if "variance" in k},
                          ylabel="variance x fan_avg", title=f"glorot_formulas: kernel {case.config['shape']}",
                          hline=(1.0, "document: 1/fan_avg"))
    return Measured({"normal_variance_ratio": samples["normal_variance_ratio"],
                     "uniform_variance_ratio": samples["uniform_variance_ratio"],
                     "uniform_max_over_r_lowest": min(spread), "uniform_max_over_r_highest": max(spread)},
                    samples=samples,
                    details={"fan_avg": fan_avg, "r": r,
                             "glorot_normal": {"distribution": reference.distribution, "mode": reference.mode,
                                               "scale": reference.scale},
                             "normal_max_abs_in_target_std": [np.abs(w).max() * np.sqrt(fan_avg) for w in normal]},
                    figure=figure)


TRUNCNORM_STD = 0.87962566103423978  # published: std of a standard normal truncated at +-2 (see the control)


def truncated_normal_std(case):
    """The draws behind GlorotNormal's truncation, measured as glorot_formulas measures kernels: per
    seed, a kernel of ``shape`` from keras.initializers.TruncatedNormal(0, 1): its variance over the
    published truncated variance 0.87962566103423978**2, and its largest |w| (the truncation bound)."""
    kernels = case.per_seed(lambda s: np.asarray(keras.initializers.TruncatedNormal(0.0, 1.0, seed=s)(case.config["shape"]),
                                                 float))
    samples = {"variance_ratio": [w.var() / TRUNCNORM_STD ** 2 for w in kernels],
               "max_abs": [np.abs(w).max() for w in kernels]}
    return Measured({"variance_ratio": samples["variance_ratio"], "max_abs_highest": max(samples["max_abs"])},
                    samples=samples, details={"std": [w.std() for w in kernels]})


def keras_default(case):
    layer = keras.layers.Dense(10)
    return Measured({"kernel_initializer": type(layer.kernel_initializer).__name__},
                    details={"kernel_initializer_config": layer.kernel_initializer.get_config(),
                             "bias_initializer": type(layer.bias_initializer).__name__})


ACROSS = Between(1 / 2, 2)
ACROSS_BAND = (
    "Preserved = after the L - 1 equal-width layers of the stack (9 in the fast tier, 19 in the full) the "
    "variance is the same within a factor 2 either way, forward (R_forward = Var a_L / Var a_1) and "
    "backward (R_backward = Var dz_1 / Var dz_L): R in [1/2, 2], on the Student-t interval of the mean "
    "over seeds, both directions at the Bonferroni level for two parts. The document gives no number; "
    "a factor 2 in variance (sqrt 2 in standard deviation) leaves room for finite-width sampling noise "
    "(a few percent per layer at width 100) but not for a drift that compounds over depth. Why across "
    "the stack and not per layer: an initializer at twice Glorot's scale (variance x4) on a tanh stack "
    "saturates the units, so its forward variance stays nearly constant and its backward variance grows "
    "by a modest factor per layer; a band on the per-layer factor wide enough for real networks cannot "
    "tell it from Glorot, while the compounded change over 9 or 19 layers can. The rule was checked on "
    "pilot seeds (>= 100, never reported) against GlorotUniform at twice and at half its scale "
    "(VarianceScaling(4 or 1/4, fan_avg, uniform)): both fall outside the band in both tiers (twice: "
    "backward; half: both directions). The band judges whole layers (weights and activation): if the "
    "activation shrinks the variance at every layer, the compounded change counts against 'equal "
    "variance' whatever the initializer's own scale.")
PER_LAYER = Between(2 / 3, 3 / 2)
PER_LAYER_BAND = (
    "Preserved = each equal-width layer changes the variance by less than a factor 1.5 either way, as a "
    "geometric mean over the stack: rho in [2/3, 3/2], on the Student-t interval of the mean over seeds "
    "(Bonferroni level for the rule's parts). The document gives no number. With ReLU a mis-scaled "
    "initializer cannot hide behind saturation: ReLU is positively homogeneous, so weights at c times "
    "the right scale multiply every layer's variance by c^2, forward and backward; c = 2 or 1/2 gives "
    "rho = 4 or 1/4, far outside the band.")
PROBE = ("Probe net, not the document's code: Dense and Activation as separate layers, softmax folded "
         "into the loss (from_logits=True; identical gradients), inputs standardized over all pixels.")
FAST = {"source": "subset", "examples": 1000, "depth": 10, "width": 100}
FULL = {"source": "load", "examples": 2000, "depth": 20, "width": 100}  # 001's own 20 x 100 net (L737)
GLOROT = ("glorot_uniform", "glorot_normal")  # (fast, full): both tiers' "Glorot"


def flow_tiers(rule, **setup):
    """fast: subset, 10 x 100, seeds 0-2 (unless a claim's pilot chose more: seeds_by_power); full: real
    data, 20 x 100, seeds 0-9.
    setup: activation, initializer, contrast, statistic; a value is one name or a (fast, full) pair."""
    pick = lambda i: {k: v[i] if isinstance(v, tuple) else v for k, v in setup.items()}  # noqa: E731
    return {"fast": Tier(rule, seeds=(0, 1, 2), config={**FAST, **pick(0)}),
            "full": Tier(rule, seeds=tuple(range(10)), config={**FULL, **pick(1)})}


SHAPE = (784, 300)  # the kernel of 001's first hidden layer (L161): fan_avg = 542
N = SHAPE[0] * SHAPE[1]
TOLERANCE = 5 * np.sqrt(2 / N)
STATISTICAL = (f"Each of {N:,} weights is a draw, so the sample variance has relative standard error "
               f"sqrt((kurtosis - 1)/n) <= sqrt(2/n) = {np.sqrt(2 / N):.4f} (kurtosis <= 3 for the normal, "
               f"truncated normal and uniform); variance * fan_avg must be 1 within 5 standard errors, "
               f"atol {TOLERANCE:.4f}, for every seed. The uniform's largest |w| must be r up to float32 "
               f"rounding (one ulp, 2^-23) and reach it: P(max|w| < r (1 - 20/n)) = e^-20; over the seeds, "
               f"the lowest maximum must be >= r (1 - 20/n) and the highest <= r (1 + 2^-23).")
SATURATION_QUOTE = ("the logistic sigmoid activation function and ... a normal distribution with a mean of 0 and a "
                    "standard deviation of 1 results in variance of the outputs of each layer being much greater "
                    "than the variance of its inputs ... until the activation function saturates at the top layers")
SATURATION_SETUP = dict(activation="sigmoid", initializer="normal_0_1", contrast=GLOROT)

CLAIMS = [
    Claim("glorot_preserves_variance", "001", "1a. Glorot and He Initialization", "17-25",
          "we need the variance of the outputs of each layer to be equal to the variance of its inputs, "
          "and we need the gradients to have equal variance before and after flowing through a layer in "
          "the reverse direction ... Glorot and Bengio proposed a good compromise",
          "What an initializer sets is the weights' part of each layer: the Dense map forward (Var z_l / "
          "Var a_(l-1)) and its transpose backward (Var dloss/da_(l-1) / Var dloss/dz_l), which Glorot's "
          "Var w = 1/fan_avg makes 1 when fan_in = fan_out. Preserved = the geometric mean of that factor "
          "over the equal-width layers is in [2/3, 3/2], forward and backward, on the Student-t interval "
          "of the mean over seeds (Bonferroni level for the two parts). Weights at c times Glorot's scale "
          "multiply both factors by c^2 whatever the activation, so an initializer at twice or half the "
          "scale gives 4 or 1/4, far outside the band: the rule tells Glorot from a mis-scaled "
          "initializer, which a band on whole layers of a tanh stack cannot (tanh's saturation hides a "
          "too-large scale). What the activation then does to the variance is judged separately "
          "(glorot_preserves_variance_across_stack). Activation tanh, as in Glorot and Bengio (2010); "
          "contrast in the figure: the same stack with N(0, 1) weights.",
          flow_tiers(All({"forward": PER_LAYER, "backward": PER_LAYER}),
                     activation="tanh", initializer=GLOROT, contrast="normal_0_1", statistic="rho_linear"),
          measure=signal_flow, port=PROBE, document_value="variance equal across each layer, forward and backward"),
    Claim("glorot_preserves_variance_across_stack", "001", "1a. Glorot and He Initialization", "17-25",
          "The signal should flow properly in both directions ... We don't want the signal to die out, nor "
          "do we want it to explode and saturate ... Glorot and Bengio proposed a good compromise",
          ACROSS_BAND + " Activation tanh: Glorot's derivation assumes an activation symmetric about 0 with "
          "unit slope there (tanh, or none); the document's parenthetical 'logistic' is checked separately "
          "(glorot_preserves_variance_logistic). Contrast in the figure: the same stack with N(0, 1) weights.",
          flow_tiers(All({"forward": ACROSS, "backward": ACROSS}),
                     activation="tanh", initializer=GLOROT, contrast="normal_0_1", statistic="R"),
          measure=signal_flow, port=PROBE, document_value="variance equal across layers, forward and backward"),
    Claim("glorot_preserves_variance_logistic", "001", "1a. Glorot and He Initialization", "17-21",
          "Glorot initialization (when using the logistic activation function)",
          ACROSS_BAND + " The same rule as glorot_preserves_variance, with the logistic sigmoid the document "
          "names. Glorot's derivation assumes unit slope at 0; the logistic's slope there is 1/4, which "
          "enters the backward variance squared (1/16 per layer), and its outputs have mean 1/2, not 0: "
          "both are what the rule can see. Contrast in the figure: the same stack with N(0, 1) weights.",
          flow_tiers(All({"forward": ACROSS, "backward": ACROSS}),
                     activation="sigmoid", initializer=GLOROT, contrast="normal_0_1", statistic="R"),
          measure=signal_flow, port=PROBE, document_value="variance equal across layers, forward and backward"),
    Claim("he_init_relu", "001", "1a. Glorot and He Initialization", "29-34",
          'you can change this to He initialization by setting: keras.layers.Dense(10, activation="relu", '
          'kernel_initializer="he_normal")',
          PER_LAYER_BAND + " He initialization (Var w = 2/fan_in) is the ReLU counterpart of Glorot's: forward "
          "and backward rho must be preserved. Contrast (the 'contrast_' parts): the same ReLU stack with "
          "Keras' default GlorotUniform, where fan_in = fan_out gives Var w = 1/fan_in and ReLU keeps half "
          "of the second moment, so He et al. (2015) predict rho = 1/2 forward and backward: rule "
          "[0.4, 0.6] (halving, +-20%).",
          flow_tiers(All({"forward": PER_LAYER, "backward": PER_LAYER,
                          "contrast_forward": Between(0.4, 0.6), "contrast_backward": Between(0.4, 0.6)}),
                     activation="relu", initializer="he_normal", contrast="glorot_uniform", statistic="rho"),
          measure=signal_flow, port=PROBE, document_value="He init for ReLU (no number)"),
    Claim("sigmoid_normal_init_variance_explodes", "001", "1. The Vanishing/Exploding Gradients", "13",
          SATURATION_QUOTE,
          "A layer's outputs are read as its weighted sums z_l (what the sigmoid receives): the sigmoid's "
          "own outputs have variance <= 1/4 and could not grow. gain_l = Var(z_l) / Var(input of layer l) "
          "(the standardized pixels for l = 1, a_(l-1) after); 'much greater' = at least 10x (an order of "
          "magnitude) at every layer: min over layers >= 10. 'Saturates at the top layers': a unit is "
          "saturated when sigma'(z) < sigma'(0)/10 (it passes back less than a tenth of the gradient it "
          "passes at 0; output within 0.026 of 0 or 1); most of the top hidden layer's outputs must be: "
          "fraction >= 0.5. Both on the Student-t interval of the mean over seeds at the Bonferroni level "
          "for two parts. A width-100 top layer whose Var z is near width/2 sits close to the 0.5 line "
          "(P(|z| > 3.64) ~ 0.6 for a normal z of variance 50), so few seeds may not settle it. The gain part "
          "alone does not single out N(0, 1): with Glorot the logistic's mean of 0.5 makes Var z_l large "
          "relative to Var a_(l-1) as well; the saturation part is what separates them. 'Keeps increasing "
          "after each layer' is its own claim (sigmoid_normal_init_variance_explodes_keeps_increasing). "
          "Contrast in the figure: Glorot.",
          seeds_by_power(flow_tiers(All({"min_variance_gain": AtLeast(10), "top_layer_saturated": AtLeast(0.5)}),
                                    **SATURATION_SETUP),
                         "fast", 5, Power(0.806, power.FAST_PILOT)),
          measure=saturation, port=PROBE,
          document_value="output variance >> input variance; saturation at the top layers",
          post_hoc="fast tier: seeds 3 -> 5, the count whose power reaches 0.8 on pilot seeds 100-129, "
                   "after reported inconclusive runs were seen (8064392)"),
    Claim("sigmoid_normal_init_variance_explodes_keeps_increasing", "001", "1. The Vanishing/Exploding Gradients",
          "13", "Going forward in the network, the variance keeps increasing after each layer until the "
          "activation function saturates at the top layers",
          "The same stack and reading of 'outputs' as sigmoid_normal_init_variance_explodes: Var(z_l), the "
          "pre-activation variance of hidden layer l. The first Dense has fan-in 784 and the others 100, "
          "so layer 1 is not comparable with the rest; the increase is read over the equal-width layers "
          "2..L. 'Keeps increasing after each layer' = Var(z_l) grows from layer to layer, so that over "
          "the 8 (fast) or 18 (full) steps from layer 2 to layer L it at least doubles: "
          "Var(z_L) / Var(z_2) >= 2 on the Student-t interval of the mean over seeds. Doubling is a low bar "
          "(9% per step over 8 steps, 4% over 18): a variance that levels off after the first layers, as "
          "a saturated stack's must (Var z_l <= fan_in * E[a^2] <= 100 for a sigmoid a in (0, 1) and "
          "N(0, 1) weights), falls short of it. Contrast in the figure: Glorot.",
          flow_tiers(AtLeast(2.0), **SATURATION_SETUP),
          measure=variance_growth, port=PROBE,
          document_value="variance keeps increasing layer after layer until saturation"),
    Claim("glorot_formulas", "001", "1a. Glorot and He Initialization", "21-27",
          "Normal distribution with mean 0 and variance sigma^2 = 1/fan_avg, or Uniform distribution "
          "between -r and +r, with r = sqrt(3/fan_avg)",
          STATISTICAL + " Keras' GlorotNormal is a normal truncated at 2 standard deviations of an "
          "underlying normal whose stddev is divided by 0.8796 so that the truncated variance is "
          "1/fan_avg: its variance is the document's, its shape is not Gaussian (no weight beyond "
          "2.27 target standard deviations; reported in details).",
          {"fast": Tier(All({"normal_variance_ratio": Close(1.0, atol=TOLERANCE),
                             "uniform_variance_ratio": Close(1.0, atol=TOLERANCE),
                             "uniform_max_over_r_lowest": AtLeast(1 - 20 / N),
                             "uniform_max_over_r_highest": AtMost(1 + 2 ** -23)}),
                        seeds=(0, 1, 2), config={"shape": SHAPE})},
          measure=glorot_formulas, document_value="variance 1/fan_avg; r = sqrt(3/fan_avg)"),
    Claim("keras_default_glorot_uniform", "001", "1a. Glorot and He Initialization", "46",
          "Keras default: Glorot with a uniform distribution",
          "An API fact: a Dense layer built with no kernel_initializer must hold a GlorotUniform.",
          {"fast": Tier(Exact({"kernel_initializer": "GlorotUniform"}))},
          measure=keras_default, document_value="GlorotUniform"),
    Claim("control_truncated_normal_published_std", "001", "1a. Glorot and He Initialization", "21-27",
          "stddev = math.sqrt(scale) / .87962566103423978, where 0.87962566103423978 is "
          "scipy.stats.truncnorm.std(a=-2, b=2, loc=0., scale=1.) (TensorFlow's VarianceScaling; Keras 3 "
          "divides by the same constant)",
          STATISTICAL + " Here the variance of TruncatedNormal(0, 1) draws over 0.87962566103423978^2 (the "
          "published truncated standard deviation, squared) must be 1 within that atol for every seed: the "
          "same variance measure as glorot_formulas, on the constant its GlorotNormal reading rests on. "
          "TruncatedNormal re-draws values beyond two standard deviations, so no |w| may exceed 2 "
          "(float32 round-off allowed).",
          {"fast": Tier(All({"variance_ratio": Close(1.0, atol=TOLERANCE),
                             "max_abs_highest": AtMost(2 * (1 + 2 ** -23))}),
                        seeds=(0, 1, 2), config={"shape": SHAPE})},
          measure=truncated_normal_std,
          control="tensorflow/tensorflow, tensorflow/python/ops/init_ops_v2.py (TF 2.21.0), VarianceScaling."
                  "__call__, truncated_normal branch: '# constant from scipy.stats.truncnorm.std(a=-2, b=2, "
                  "loc=0., scale=1.)' stddev = math.sqrt(scale) / .87962566103423978 (the same constant in "
                  "keras-team/keras, keras/src/initializers/random_initializers.py, Keras 3.15.1)",
          port="Drawn with Keras 3's keras.initializers.TruncatedNormal(mean=0, stddev=1, seed) on the "
               "backend in use, not with TensorFlow's or scipy's generator."),
]

test_claims = claim_test(CLAIMS)
