"""Reusing, cloning and freezing layers (001 §2a), through Keras' own API.

model_A is a small Dense stack (4 inputs -> 8 -> 8 -> 3 softmax); model_B_on_A
reuses its layers but the last and adds Dense(1, sigmoid), as the document's code
does. Each fit is one epoch of plain SGD on 32 random samples (batch 8); a weight
"changed" if any entry differs after the fit.
"""
import keras
import numpy as np
import pytest

from harness.engine.claim import Claim, Exact, Measured, Tier, claim_test

pytestmark = pytest.mark.exact_numerics("API behaviour is checked exactly")

SECTION = "2a. Transfer Learning with Keras:"
PORT = "model_A built fresh instead of keras.models.load_model(\"my_model_A.h5\")."
CONFIG = {"n": 32, "features": 4, "units": 8, "batch_size": 8}

def kernels(layers):
    return [layer.get_weights()[0].copy() for layer in layers]


def changed(before, layers):
    return any(not np.array_equal(b, a) for b, a in zip(before, kernels(layers)))


def fit(model, c, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(c["n"], c["features"])).astype("float32")
    model.fit(x, rng.integers(0, 2, c["n"]).astype("float32"), batch_size=c["batch_size"], epochs=1, verbose=0)


def transfer_api(case):
    """-> what cloning, reusing and freezing did to which kernels (config["kind"]: "clone" or "freeze")."""
    c, seed = case.config, case.seed
    keras.utils.set_random_seed(seed)
    model_A = keras.Sequential([keras.Input((c["features"],)), keras.layers.Dense(c["units"], activation="relu"),
                                keras.layers.Dense(c["units"], activation="relu"),
                                keras.layers.Dense(3, activation="softmax")])
    model_B_on_A = keras.Sequential(model_A.layers[:-1])
    model_B_on_A.add(keras.layers.Dense(1, activation="sigmoid"))
    reused, output = model_B_on_A.layers[:-1], model_B_on_A.layers[-1:]
    if c["kind"] == "clone":
        clone = keras.models.clone_model(model_A)
        equal_before = all(np.array_equal(a, b) for a, b in zip(kernels(model_A.layers), kernels(clone.layers)))
        clone.set_weights(model_A.get_weights())
        equal_after = all(np.array_equal(a, b) for a, b in zip(model_A.get_weights(), clone.get_weights()))
        before_A, before_clone = kernels(model_A.layers), kernels(clone.layers)
        model_B_on_A.compile(loss="binary_crossentropy", optimizer="sgd")
        fit(model_B_on_A, c, seed)
        return Measured({"clone_kernels_equal_before_set_weights": equal_before,
                         "clone_equal_after_set_weights": equal_after,
                         "model_A_changed_by_training_B": changed(before_A, model_A.layers),
                         "clone_changed_by_training_B": changed(before_clone, clone.layers)})
    model_B_on_A.compile(loss="binary_crossentropy", optimizer="sgd")
    fit(model_B_on_A, c, seed)  # compiled and trained with every layer trainable
    for layer in reused:
        layer.trainable = False
    before, weights = kernels(reused), model_B_on_A.get_weights()
    try:
        fit(model_B_on_A, c, seed + 1)  # frozen, not recompiled
        without_recompile = changed(before, reused)
    except ValueError as error:  # JAX: the optimizer was built for the variables trainable at the first fit
        without_recompile = f"ValueError: {str(error).splitlines()[0]}"
        model_B_on_A.set_weights(weights)  # the failed JAX fit left the variables without values
    model_B_on_A.compile(loss="binary_crossentropy", optimizer="sgd")
    before, before_output = kernels(reused), kernels(output)
    fit(model_B_on_A, c, seed + 2)
    return Measured({"frozen_changed": changed(before, reused), "output_changed": changed(before_output, output)},
                    details={"frozen_changed_without_recompile": without_recompile})


CLAIMS = [
    Claim("clone_model_no_weights", "001", SECTION, "339-345",
          "model_A and model_B_on_A now share some layers. When you train model_B_on_A, it will also affect "
          "model_A ... clone_model() does not clone the weights",
          "API facts, exact: the clone's kernels differ from model_A's until set_weights copies them; training "
          "model_B_on_A changes model_A's shared kernels and leaves the clone unchanged.",
          {"fast": Tier(Exact({"clone_kernels_equal_before_set_weights": False,
                               "clone_equal_after_set_weights": True,
                               "model_A_changed_by_training_B": True,
                               "clone_changed_by_training_B": False}),
                        config={**CONFIG, "kind": "clone"})},
          measure=transfer_api, port=PORT),
    Claim("freeze_requires_compile", "001", SECTION, "352-360",
          "set every layer's trainable attribute to False and compile the model ... You must always compile "
          "your model after you freeze or unfreeze layers.",
          "API facts, exact: after freezing the reused layers and compiling, fit leaves them unchanged and "
          "changes the new output layer. Whether a fit WITHOUT recompiling also respects the freeze (or the "
          "error it raises) is recorded in details, not judged (default graph-mode fit).",
          {"fast": Tier(Exact({"frozen_changed": False, "output_changed": True}),
                        config={**CONFIG, "kind": "freeze"})},
          measure=transfer_api, port=PORT),
]

test_claims = claim_test(CLAIMS)
