"""Derivatives of Keras' activation functions around and below zero (001 §1b),
read with tf.GradientTape through ``keras.activations`` / ``keras.layers``.

The derivative is evaluated at z = -h and z = +h (h = 1e-4) for the smoothness
claims, and at z in [-100, -1e-3] (1,000 points) for the leak.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from harness.claim import All, AtLeast, AtMost, Claim, Close, Tier, cases

SECTION = "1b. Nonsaturating Activation Functions"


def derivative(activation, z):
    """d activation(z) / dz elementwise; z: float32 array; activation: a Keras identifier or layer."""
    z = tf.constant(z, tf.float32)
    fn = activation if callable(activation) else keras.activations.get(activation)
    with tf.GradientTape() as tape:
        tape.watch(z)
        y = fn(z)
    return tape.gradient(y, z).numpy()


CLAIMS = [
    Claim("elu_smooth_at_zero", "001", SECTION, "60-63, 77",
          "ELU ... alpha ... It is usually set to 1 ... ELU may perform better than SELU (since SELU is not "
          "smooth at z = 0)",
          "With alpha = 1 the ELU derivative is exp(z) left of 0 and 1 right of 0: the jump "
          "|f'(+h) - f'(-h)| at h = 1e-4 must be <= 1e-3 (exp(-1e-4) = 0.9999); SELU's jump is "
          "1.0507*(1.6733 - 1) = 0.707, so it must be >= 0.5.",
          {"fast": Tier(All({"elu": AtMost(1e-3), "selu": AtLeast(0.5)}),
                        config={"kind": "jump", "h": 1e-4, "activations": ["elu", "selu"]})}),
    Claim("leaky_relu_never_dies", "001", SECTION, "55, 79",
          "This small slope ensures that leaky ReLUs never die ... the default alpha values used by Keras "
          "(e.g., 0.3 for leaky ReLU)",
          "Keras' LeakyReLU() default slope must be 0.3 (exact within float32, atol 1e-7), and its derivative "
          "must equal that nonzero slope everywhere on z in [-100, -1e-3], so gradient descent can still "
          "move a unit whose inputs are all negative (ReLU's derivative there is 0).",
          {"fast": Tier(All({"min_negative_slope": Close(0.3, atol=1e-7), "max_negative_slope": Close(0.3, atol=1e-7),
                             "relu_max_negative_slope": Close(0.0, atol=0.0)}),
                        config={"kind": "leak", "low": -100.0, "high": -1e-3, "points": 1000})},
          port="LeakyReLU(alpha=...) is LeakyReLU(negative_slope=...) in Keras 3; the default is used."),
]


@pytest.mark.parametrize("case", cases(CLAIMS))
def test_activation_derivatives(case, judge):
    c = case.config
    if c["kind"] == "jump":
        z = np.array([-c["h"], c["h"]], "float32")
        slopes = {name: derivative(name, z) for name in c["activations"]}
        judge({name: float(abs(d[1] - d[0])) for name, d in slopes.items()}, details={"slopes": slopes})
        return
    z = np.linspace(c["low"], c["high"], c["points"]).astype("float32")
    leaky, relu = derivative(keras.layers.LeakyReLU(), z), derivative("relu", z)
    judge({"min_negative_slope": leaky.min(), "max_negative_slope": leaky.max(), "relu_max_negative_slope": relu.max()},
          details={"keras_default_negative_slope": keras.layers.LeakyReLU().negative_slope})
