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

from harness import data, models, plots, stats
from harness.claim import All, AtLeast, Claim, Close, Exact, Tier, cases
from harness.training import train

pytestmark = pytest.mark.exact_numerics("Dropout's outputs and scaling are compared with formulas")

SECTION = "5b. Dropout"
N = 1_000_000


def tier(rule, kind, rate, training=True):
    return {"fast": Tier(rule, seeds=(0,), config={"kind": kind, "rate": rate, "n": N, "training": training})}


KEPT = ("The kept value is an exact float32 quotient (atol 1e-6); the kept fraction must be 1-rate "
        "within 0.01 (25 standard errors at N = 1e6).")

CLAIMS = [
    Claim("dropout_scaling", "001", SECTION, "627",
          "Alternatively, we can divide each neuron's output by the keep probability during training",
          "Keras' inverted dropout at rate 0.2 keeps each input with probability 0.8 and divides it by the "
          "keep probability 1 - rate = 0.8, so a kept 1.0 becomes 1.25. " + KEPT,
          tier(All({"kept_value": Close(1.25, atol=1e-6), "kept_fraction": Close(0.8, atol=0.01)}),
               "kept", 0.2),
          port="The document's Dropout(rate=0.2) (L640-646), called on ones with training=True.",
          document_value="divide by keep probability (1-p) = 0.8 -> 1.25"),
    Claim("dropout_scaling_as_printed", "001", SECTION, "648",
          "divides the remaining inputs by the _keep probability_ (```rate```)",
          "Expected refuted: the parenthesis names `rate`, the drop probability (0.2), not the keep "
          "probability 1 - rate (0.8, as L627 says). Dividing by rate would turn a kept 1.0 into "
          "1/0.2 = 5.0; Keras gives 1/0.8 = 1.25. " + KEPT,
          tier(All({"kept_value": Close(5.0, atol=1e-6), "kept_fraction": Close(0.8, atol=0.01)}),
               "kept", 0.2),
          expect="refuted", document_value="divide by rate = 0.2 -> 5.0"),
    Claim("dropout_off_at_inference", "001", SECTION, "648",
          "After training, it does nothing at all; it just passes the inputs to the next layer.",
          "With training=False the output must equal the input exactly: max |out - in| == 0.",
          tier(Exact(0.0), "identity", 0.2, training=False)),
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
               "expectation", 0.25),
          document_value="4/3; scale by 3/4"),
    Claim("alpha_dropout_preserves_moments", "001", SECTION, "633",
          "alpha dropout: this is a variant of dropout that preserves the mean and standard deviation of its inputs",
          "On standard-normal inputs (the SELU fixed point) AlphaDropout(0.2) in training must keep mean 0 and "
          "std 1 within atol 0.01 (10 standard errors at N = 1e6). Plain Dropout(0.2), in details, changes "
          "the std (expected sqrt(1/0.8) = 1.118).",
          tier(All({"mean": Close(0.0, atol=0.01), "std": Close(1.0, atol=0.01)}), "moments", 0.2),
          port="keras.layers.AlphaDropout(rate=0.2, seed=...) as in the document's exercise (L1047-1053)."),
]
LAYER_CLAIMS = CLAIMS[:]
LOSS_CLAIMS = [
    Claim("dropout_train_loss_misleading", "001", SECTION, "631",
          "Since dropout is only active during training, comparing the training loss and the validation loss "
          "can be misleading ... So make sure to evaluate the training loss without dropout (e.g., after "
          "training).",
          "The training loss fit reports must overstate the one evaluate measures without dropout on the same "
          "images by >= 10% (paired ratio of means over seeds, interval low end >= 1.1), and the same must "
          "hold for the final weights alone (loss with dropout on / off), so that the gap is dropout's and "
          "not only fit's running average over an epoch of still-improving weights. 10%: dropout at 0.2 on "
          "the input and both hidden layers should cost at least that much likelihood on a net that fits "
          "its training set. "
          "MEASURED on seeds 0-2 (rule unchanged): fit's last-epoch loss 0.566, 0.559, 0.539 vs evaluate "
          "0.414, 0.513, 0.414 (ratio 1.24, interval [1.09, 1.37]); final weights with dropout on 0.509, "
          "0.584, 0.511 (on/off ratio 1.20, interval [1.14, 1.24]). Expected inconclusive: fit overstates "
          "the training loss in every seed (by 37%, 9%, 30%) and dropout alone accounts for most of it, "
          "but seed 1's 9% keeps the 3-seed interval from clearing 10%. "
          "RE-MEASURED after the training helper began reshuffling every epoch (before that fix Keras fed one fixed order under a global seed; the numbers above are from that run; rule unchanged): fit/evaluate 1.25 [1.23, 1.28], "
          "dropout on/off 1.19 [1.16, 1.24]: reproduced.",
          tiers={"full": Tier(All({"fit_over_evaluate": AtLeast(1.1), "dropout_on_over_off": AtLeast(1.1)}),
                        seeds=(0, 1, 2), config={"dataset": "fashion_mnist", "n": 5000, "epochs": 3,
                                                 "batch_size": 64, "rate": 0.2, "optimizer": "nadam"})},
          port="The document's model (L638-647, input_shape= -> keras.Input); compiled with "
               "\"nadam\" (Keras defaults; the optimizer of the document's exercises, L761; this model's "
               "compile is not shown)."),
]
CLAIMS = LAYER_CLAIMS + LOSS_CLAIMS


def measure(kind, rate, n, training, seed):
    """-> (value, details, figure) for one kind of statistic of a Dropout output of shape (n,)."""
    if kind == "moments":
        x = np.random.default_rng(seed).standard_normal(n).astype("float32")
        out = keras.layers.AlphaDropout(rate, seed=seed)(x, training=training).numpy()
        plain = keras.layers.Dropout(rate, seed=seed)(x, training=training).numpy()
        value = {"mean": out.mean(), "std": out.std()}
        figure = plots.points({"input": [x.mean(), x.std()], "AlphaDropout": [out.mean(), out.std()],
                               "Dropout": [plain.mean(), plain.std()]},
                              ylabel="mean and std", title=f"moments after dropout, rate {rate}")
        return value, {"dropout_mean": plain.mean(), "dropout_std": plain.std()}, figure
    x = np.ones(n, "float32")
    out = keras.layers.Dropout(rate, seed=seed)(x, training=training).numpy()
    kept = out != 0
    value = {"kept": {"kept_value": np.unique(out[kept]).tolist() if kept.any() else [],
                      "kept_fraction": kept.mean()},
             "identity": float(np.abs(out - x).max()),
             "expectation": {"test_to_train_inputs": n / kept.sum(), "mean_output": out.mean()}}[kind]
    if kind == "kept":
        assert len(value["kept_value"]) == 1, value["kept_value"]
        value["kept_value"] = value["kept_value"][0]
    values, counts = np.unique(out, return_counts=True)
    figure = None if kind != "expectation" else plots.points(
        {"test / kept inputs": [value["test_to_train_inputs"]], "mean output": [value["mean_output"]]},
        ylabel="ratio", title=f"Dropout({rate}) on ones: 4/3 and 1 expected", hline=(4 / 3, "4/3"))
    return value, {"output_values": values, "output_fractions": counts / n}, figure


@pytest.mark.parametrize("case", cases(LOSS_CLAIMS))
def test_training_loss_with_dropout(case, judge):
    c = case.config
    d = data.load(c["dataset"])
    x, y = data.scale(d.x_train[:c["n"]]), d.y_train[:c["n"]]
    reported, evaluated, dropout_on, curves = [], [], [], {}
    for seed in case.seeds:
        run = train(lambda: models.doc001_dropout_mlp(c["rate"]), x, y, seed=seed, epochs=c["epochs"],
                    batch_size=c["batch_size"], optimizer=c["optimizer"])
        reported.append(run.history["loss"][-1])
        evaluated.append(run.model.evaluate(x, y, batch_size=1000, verbose=0)[0])
        probs = np.concatenate([run.model(x[i:i + 1000], training=True).numpy() for i in range(0, len(x), 1000)])
        dropout_on.append(float(keras.losses.sparse_categorical_crossentropy(y, probs).numpy().mean()))
        curves[seed] = run.history["loss"]
    interval = {"fit_over_evaluate": stats.paired_ratio_ci(reported, evaluated),
                "dropout_on_over_off": stats.paired_ratio_ci(dropout_on, evaluated)}
    figure = plots.points({"fit (last epoch)": reported, "weights, dropout on": dropout_on,
                           "evaluate (dropout off)": evaluated},
                          ylabel="training loss", title=f"Dropout({c['rate']}) MLP: training loss 3 ways")
    judge({k: iv.point for k, iv in interval.items()}, interval=interval,
          samples={"fit": reported, "evaluate": evaluated, "dropout_on": dropout_on}, details={"fit_curves": curves},
          figure=figure)


@pytest.mark.parametrize("case", cases(LAYER_CLAIMS))
def test_dropout_layer(case, judge):
    keras.utils.set_random_seed(case.seeds[0])
    c = case.config
    value, details, figure = measure(c["kind"], c["rate"], c["n"], c["training"], case.seeds[0])
    judge(value, details=details, figure=figure)
