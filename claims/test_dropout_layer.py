"""What keras.layers.Dropout and AlphaDropout do to their inputs (001 §5b).

Each layer is called on N inputs (ones for Dropout, standard normal for
AlphaDropout, the SELU fixed point) with ``training=True`` or ``False``; the
statistics read back are: the value of the kept inputs, the kept fraction, the
mean (expected-value equivalence of inverted dropout and weight scaling), the
ratio "inputs seen at test / inputs seen in training", and mean and std of the
output. With N = 1,000,000 the sampling standard errors are: kept fraction
sqrt(0.2*0.8/N) = 4e-4, mean of inverted dropout at rate 0.25 sqrt((1/3)/N) = 6e-4,
mean and std of standard-normal-like outputs 1e-3.

Training loss: the document's dropout MLP (``models.doc001_dropout_mlp``) is trained
per seed on the first n Fashion-MNIST training images (x/255); the last epoch's
loss reported by ``fit`` is compared with ``model.evaluate`` on the same images
(dropout off), and, for the same final weights, the loss with dropout on
(``model(x, training=True)``) with the loss with it off.
"""
import keras
import numpy as np
import pytest

from harness.kit import data, models, plots, stats
from harness.engine.claim import All, AtLeast, Claim, Close, Exact, Measured, Tier, claim_test
from harness.kit.training import train

pytestmark = pytest.mark.exact_numerics("Dropout's outputs and scaling are compared with formulas")

SECTION = "5b. Dropout"
N = 1_000_000


def dropout(case, x):
    """Keras Dropout(rate) of the case's config and seed called on x."""
    c, seed = case.config, case.seed
    keras.utils.set_random_seed(seed)
    return keras.ops.convert_to_numpy(keras.layers.Dropout(c["rate"], seed=seed)(x, training=c["training"]))


def dropout_on_ones(case):
    """-> (input ones (n,), Keras Dropout(rate) output (n,), details: output values and their fractions)."""
    c = case.config
    x = np.ones(c["n"], "float32")
    out = dropout(case, x)
    values, counts = np.unique(out, return_counts=True)
    return x, out, {"output_values": values, "output_fractions": counts / c["n"]}


def kept_inputs(case):
    """The value every kept input of 1.0 becomes (one value, or the test fails) and the kept fraction."""
    _, out, details = dropout_on_ones(case)
    kept = out != 0
    values = np.unique(out[kept])
    assert len(values) == 1, f"kept inputs take several values: {values.tolist()}"
    return Measured({"kept_value": values[0], "kept_fraction": kept.mean()}, details=details)


def published_example(case):
    """TF's Dropout example, np.arange(10).reshape(5, 2): every kept nonzero input's output over the input."""
    x = np.arange(10, dtype="float32").reshape(5, 2)
    out = dropout(case, x)
    kept = (out != 0) & (x != 0)
    return Measured(np.unique(out[kept] / x[kept]), details={"output": out})


def inference_identity(case):
    """max |output - input| of Dropout called with training=False."""
    x, out, details = dropout_on_ones(case)
    return Measured(float(np.abs(out - x).max()), details=details)


def expectation(case):
    """Inputs at test / inputs kept in training, and the mean of the inverted-dropout output."""
    x, out, details = dropout_on_ones(case)
    kept = out != 0
    value = {"test_to_train_inputs": len(x) / kept.sum(), "mean_output": out.mean()}
    figure = plots.points(
        {"test / kept inputs": [value["test_to_train_inputs"]], "mean output": [value["mean_output"]]},
        ylabel="ratio", title=f"Dropout({case.config['rate']}) on ones: 4/3 and 1 expected", hline=(4 / 3, "4/3"))
    return Measured(value, details=details, figure=figure)


def moments(case):
    """Mean and std of AlphaDropout's output on standard-normal inputs; plain Dropout's in details."""
    c, seed = case.config, case.seed
    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).standard_normal(c["n"]).astype("float32")
    out = keras.ops.convert_to_numpy(keras.layers.AlphaDropout(c["rate"], seed=seed)(x, training=c["training"]))
    plain = keras.ops.convert_to_numpy(keras.layers.Dropout(c["rate"], seed=seed)(x, training=c["training"]))
    figure = plots.points({"input": [x.mean(), x.std()], "AlphaDropout": [out.mean(), out.std()],
                           "Dropout": [plain.mean(), plain.std()]},
                          ylabel="mean and std", title=f"moments after dropout, rate {c['rate']}")
    return Measured({"mean": out.mean(), "std": out.std()},
                    details={"dropout_mean": plain.mean(), "dropout_std": plain.std()}, figure=figure)


def training_loss_with_dropout(case):
    """Per seed: fit's last-epoch loss, evaluate's loss (dropout off) and the final weights' loss
    with dropout on, all on the training images."""
    c = case.config
    d = data.load(c["dataset"])
    x, y = data.scale(d.x_train[:c["n"]]), d.y_train[:c["n"]]
    reported, evaluated, dropout_on, curves = [], [], [], {}

    def losses(seed):
        run = train(lambda: models.doc001_dropout_mlp(c["rate"]), x, y, seed=seed, epochs=c["epochs"],
                    batch_size=c["batch_size"], optimizer=c["optimizer"])
        reported.append(run.history["loss"][-1])
        evaluated.append(run.model.evaluate(x, y, batch_size=1000, verbose=0)[0])
        probs = np.concatenate([keras.ops.convert_to_numpy(run.model(x[i:i + 1000], training=True))
                                for i in range(0, len(x), 1000)])
        dropout_on.append(float(keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(y, probs)).mean()))
        curves[seed] = run.history["loss"]
    case.per_seed(losses)
    estimate = {"fit_over_evaluate": stats.paired_ratio(reported, evaluated),
                "dropout_on_over_off": stats.paired_ratio(dropout_on, evaluated)}
    figure = plots.points({"fit (last epoch)": reported, "weights, dropout on": dropout_on,
                           "evaluate (dropout off)": evaluated},
                          ylabel="training loss", title=f"Dropout({c['rate']}) MLP: training loss 3 ways")
    return Measured(estimate=estimate,
                    samples={"fit": reported, "evaluate": evaluated, "dropout_on": dropout_on},
                    details={"fit_curves": curves}, figure=figure)


def tier(rule, rate, training=True):
    return {"fast": Tier(rule, seeds=(0,), config={"rate": rate, "n": N, "training": training})}


KEPT = ("The kept value is an exact float32 quotient (atol 1e-6); the kept fraction must be 1-rate "
        "within 0.01 (25 standard errors at N = 1e6).")

CLAIMS = [
    Claim("dropout_scaling", "001", SECTION, "627",
          "Alternatively, we can divide each neuron's output by the keep probability during training",
          "Keras' inverted dropout at rate 0.2 keeps each input with probability 0.8 and divides it by the "
          "keep probability 1 - rate = 0.8, so a kept 1.0 becomes 1.25. " + KEPT,
          tier(All({"kept_value": Close(1.25, atol=1e-6), "kept_fraction": Close(0.8, atol=0.01)}), 0.2),
          measure=kept_inputs,
          port="The document's Dropout(rate=0.2) (L640-646), called on ones with training=True.",
          document_value="divide by keep probability (1-p) = 0.8 -> 1.25"),
    Claim("dropout_scaling_as_printed", "001", SECTION, "648",
          "divides the remaining inputs by the _keep probability_ (```rate```)",
          "The parenthesis names `rate`, the drop probability (0.2), not the keep probability 1 - rate "
          "(0.8, as L627 says). The rule is the sentence as printed: dividing by rate turns a kept 1.0 "
          "into 1/0.2 = 5.0 (dividing by the keep probability would give 1/0.8 = 1.25, far outside the "
          "tolerance). " + KEPT,
          tier(All({"kept_value": Close(5.0, atol=1e-6), "kept_fraction": Close(0.8, atol=0.01)}), 0.2),
          measure=kept_inputs, document_value="divide by rate = 0.2 -> 5.0"),
    Claim("dropout_off_at_inference", "001", SECTION, "648",
          "After training, it does nothing at all; it just passes the inputs to the next layer.",
          "With training=False the output must equal the input exactly: max |out - in| == 0.",
          tier(Exact(0.0), 0.2, training=False), measure=inference_identity),
    Claim("dropout_weight_scaling_equivalence", "001", SECTION, "627",
          "Suppose p = 25%, in which case during testing a neuron would be connected to 4/3 times as many "
          "input neurons as it would be (on average) during training ... multiply each input connection "
          "weight by the keep probability (1-p) after training. Alternatively, we can divide each neuron's "
          "output by the keep probability during training",
          "At rate 0.25: inputs at test / inputs kept in training must be 4/3 within rtol 0.005 (~9 standard "
          "errors), and the mean of Keras' inverted-dropout output on ones must be 1 (what the unscaled "
          "test-time input gives) within atol 0.003 (5 standard errors): in expectation dividing by the "
          "keep probability in training equals multiplying by it at test.",
          tier(All({"test_to_train_inputs": Close(4 / 3, rtol=0.005), "mean_output": Close(1.0, atol=0.003)}),
               0.25),
          measure=expectation, document_value="4/3; scale by 3/4"),
    Claim("alpha_dropout_preserves_moments", "001", SECTION, "633",
          "alpha dropout: this is a variant of dropout that preserves the mean and standard deviation of its inputs",
          "On standard-normal inputs (the SELU fixed point) AlphaDropout(0.2) in training must keep mean 0 and "
          "std 1 within atol 0.01 (10 standard errors at N = 1e6). Plain Dropout(0.2), in details, changes "
          "the std (expected sqrt(1/0.8) = 1.118).",
          tier(All({"mean": Close(0.0, atol=0.01), "std": Close(1.0, atol=0.01)}), 0.2),
          measure=moments,
          port="keras.layers.AlphaDropout(rate=0.2, seed=...) as in the document's exercise (L1047-1053)."),
    Claim("dropout_train_loss_misleading", "001", SECTION, "631",
          "Since dropout is only active during training, comparing the training loss and the validation loss "
          "can be misleading ... So make sure to evaluate the training loss without dropout (e.g., after "
          "training).",
          "The training loss fit reports must overstate the one evaluate measures without dropout on the same "
          "images by >= 10% (paired ratio of means over seeds, Fieller interval low end >= 1.1, at the "
          "Bonferroni level for two parts), and the same must hold for the final weights alone (loss with "
          "dropout on / off), so that the gap is dropout's and not only fit's running average over an epoch "
          "of still-improving weights. 10%: dropout at 0.2 on the input and both hidden layers should cost at "
          "least that much likelihood on a net that fits its training set. 10 seeds: a seed is three epochs "
          "on 5,000 images, well under a minute.",
          tiers={"full": Tier(All({"fit_over_evaluate": AtLeast(1.1), "dropout_on_over_off": AtLeast(1.1)}),
                              seeds=tuple(range(10)),
                              config={"dataset": "fashion_mnist", "n": 5000, "epochs": 3, "batch_size": 64,
                                      "rate": 0.2, "optimizer": "nadam"})},
          measure=training_loss_with_dropout,
          port="The document's model (L638-647, input_shape= -> keras.Input); compiled with "
               "\"nadam\" (Keras defaults; the optimizer of the document's exercises, L761; this model's "
               "compile is not shown)."),
    Claim("control_dropout_published_example", "001", SECTION, "627",
          "tf.keras.layers.Dropout(.2) on np.arange(10).reshape(5, 2) with training=True -> [[0, 1.25], "
          "[2.5, 3.75], [5, 6.25], [7.5, 8.75], [10, 0]] (TensorFlow's Dropout docstring)",
          "Which inputs are dropped depends on the random draw (the example's tf.random.set_seed(0) is "
          "TensorFlow's generator, not Keras 3's), but every kept input is published as 1.25 times itself "
          "(divided by the keep probability 0.8): each kept nonzero output over its input must be 1.25 "
          "within float32 atol 1e-6.",
          {"fast": Tier(Close([1.25], atol=1e-6), seeds=(0,), config={"rate": 0.2, "training": True})},
          measure=published_example,
          control="tensorflow/tensorflow, tensorflow/python/keras/layers/core.py (TF 2.21.0), class Dropout "
                  "docstring: outputs [[0, 1.25], [2.5, 3.75], [5, 6.25], [7.5, 8.75], [10, 0]]"),
]

test_claims = claim_test(CLAIMS)
