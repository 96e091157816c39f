"""What keras.layers.Dropout and AlphaDropout do to their inputs (001 §5b).

Each layer is called on N inputs (ones for Dropout, standard normal for
AlphaDropout, the SELU fixed point) with ``training=True`` or ``False``; the
statistics read back are: the value of the kept inputs, the kept fraction, the
mean (expected-value equivalence of inverted dropout and weight scaling), the
ratio "inputs seen at test / inputs seen in training", and mean and std of the
output. With N = 1,000,000 the sampling standard errors are: kept fraction
sqrt(0.2*0.8/N) = 4e-4, mean of inverted dropout at rate 0.25 sqrt((1/3)/N) = 6e-4,
mean and std of standard-normal-like outputs 1e-3.
"""
import keras
import numpy as np
import pytest

from harness import plots
from harness.claim import All, Claim, Close, Exact, Tier, cases

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


@pytest.mark.parametrize("case", cases(CLAIMS))
def test_dropout_layer(case, judge):
    keras.utils.set_random_seed(case.seeds[0])
    c = case.config
    value, details, figure = measure(c["kind"], c["rate"], c["n"], c["training"], case.seeds[0])
    judge(value, details=details, figure=figure)
