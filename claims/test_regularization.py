"""l1 and l2 weight regularization (001 §5a).

The document's RegularizedDense model (Flatten, 300, 100, 10, each Dense with
kernel_regularizer=l2(0.01)) is built on (28, 28) inputs; Keras' regularization
losses (``model.losses``) and the training loss of ``compute_loss`` are compared
with 0.01 * the sum of squared kernel entries over the three layers, and with the
cross-entropy alone, on 16 random images.

Sparsity: the same model with l1, l2 or no kernel regularizer is trained with SGD
on the first n Fashion-MNIST training images (x/255) for some epochs, per seed; the
measurement is the fraction of all kernel entries (266,200) with |w| < threshold.
"""
from functools import partial

import keras
import numpy as np
import pytest

from harness.kit import data, plots, stats
from harness.engine.claim import All, AtLeast, AtMost, Claim, Close, Measured, Tier, claim_test
from harness.kit.training import train

pytestmark = pytest.mark.exact_numerics("penalties and sparsity are compared with formulas")



def regularized_mlp(regularizer):
    """001 L603-614: Flatten (28, 28), RegularizedDense 300, 100, 10 softmax (glorot_uniform);
    regularizer: a keras.regularizers instance or None for every kernel."""
    dense = partial(keras.layers.Dense, activation="elu", kernel_initializer="he_normal",
                    kernel_regularizer=regularizer)
    return keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), dense(300), dense(100),
                             dense(10, activation="softmax", kernel_initializer="glorot_uniform")])


def penalty(model) -> float:
    """The sum of a model's or layer's regularization losses."""
    return float(sum(keras.ops.convert_to_numpy(loss) for loss in model.losses))


def published_penalty(case):
    """Keras' regularizer example: Dense(5), kernel ones with L1(0.01), activity L2(0.01), on a 5x5 batch of 2."""
    layer = keras.layers.Dense(5, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L1(0.01),
                               activity_regularizer=keras.regularizers.L2(0.01))
    layer(keras.ops.ones((5, 5)) * 2.0)
    return Measured(penalty(layer))


def l2_penalty(case):
    """Regularization loss and training-loss excess over 0.01 * sum of squared kernels, on 16 random images."""
    c = case.config
    seed = case.seed
    keras.utils.set_random_seed(seed)
    model = regularized_mlp(keras.regularizers.l2(c["factor"]))
    model.compile(loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(seed)
    x = rng.random((c["n"], 28, 28)).astype("float32")
    y = rng.integers(0, 10, c["n"])
    expected = c["factor"] * sum(float(np.sum(np.square(layer.kernel.numpy()))) for layer in model.layers[1:])
    total_penalty = penalty(model)
    y_pred = model(x)
    cross_entropy = float(keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(y, y_pred)).mean())
    total = float(keras.ops.convert_to_numpy(model.compute_loss(x, y, y_pred)))
    return Measured({"penalty_over_expected": total_penalty / expected,
                     "loss_excess_over_expected": (total - cross_entropy) / expected},
                    details={"expected_penalty": expected, "penalty": total_penalty, "cross_entropy": cross_entropy,
                             "training_loss": total, "n_regularization_losses": len(model.losses)})


def sparsity(case):
    """Fraction of kernel entries with |w| < threshold after SGD training, per regularizer and seed."""
    c = case.config
    d = data.load(c["dataset"])
    x, y = data.scale(d.x_train[:c["n"]]), d.y_train[:c["n"]]
    fractions, magnitudes = {}, {}
    for name, spec in c["regularizers"].items():
        def kernels(seed, spec=spec):
            run = train(lambda: regularized_mlp(getattr(keras.regularizers, spec[0])(spec[1]) if spec else None),
                        x, y, seed=seed, epochs=c["epochs"], batch_size=c["batch_size"],
                        optimizer=lambda: keras.optimizers.SGD(learning_rate=c["learning_rate"]))
            return np.concatenate([layer.kernel.numpy().ravel() for layer in run.model.layers[1:]])
        ws = case.per_seed(kernels)
        fractions[name] = [float(np.mean(np.abs(w) < c["threshold"])) for w in ws]
        magnitudes[name] = np.log10(np.abs(ws[-1]) + 1e-12)
    figure = plots.histogram(magnitudes, xlabel=f"log10 |w| (last seed); threshold {c['threshold']:g}",
                             title="kernel magnitudes after training: l1 vs l2 vs none")
    return Measured(estimate={name: stats.mean(v) for name, v in fractions.items()}, samples=fractions,
                    figure=figure)


CLAIMS = [
    Claim("l2_loss_added", "001", "5a. l1 and l2 Regularization", "591-601",
          "The l2() function returns a regularizer that will be called at each step during training to "
          "compute the regularization loss. This is then added to the final loss.",
          "Both the regularization loss (sum of model.losses) and the training loss minus the "
          "cross-entropy must equal 0.01 * sum of squared kernels (biases are not regularized): "
          "ratios 1 within rtol 1e-5 (float32 sums over ~266,000 weights, relative error ~1e-6).",
          {"fast": Tier(All({"penalty_over_expected": Close(1.0, rtol=1e-5),
                             "loss_excess_over_expected": Close(1.0, rtol=1e-5)}),
                        config={"factor": 0.01, "n": 16})},
          measure=l2_penalty,
          port="input_shape=[28, 28] -> keras.Input((28, 28)); the loss is read through Model.compute_loss.",
          document_value="0.01 * sum(w**2) added to the loss"),
    Claim("l1_sparsity", "001", "3. Faster Optimizers, NOTE: TRAINING SPARSE MODELS", "499-505",
          "A better option is to apply strong l1 regularization during training ... as it pushes the "
          "optimizer to zero out as many weights as it can.",
          "With SGD at learning rate 0.05 the l1(0.01) subgradient moves every weight 5e-4 toward 0 per step, "
          "so a weight the data do not hold up ends within 5e-4 of 0 (< the 1e-3 threshold) after ~100-200 "
          "steps (He-normal init std 0.05 in the first layer); l2(0.01) only shrinks weights by 0.1% per "
          "step and no regularizer leaves the init's ~2% below 1e-3. 'Many' is read as: at least half of "
          "the kernel entries below 1e-3 with l1, at most 10% with l2 or none (Student-t intervals "
          "of the mean over 10 seeds, each at the Bonferroni level for three parts). Full tier for its "
          "cost (three trainings per seed).",
          {"full": Tier(All({"l1": AtLeast(0.5), "l2": AtMost(0.1), "none": AtMost(0.1)}), seeds=tuple(range(10)),
                        config={"dataset": "fashion_mnist", "n": 5000, "epochs": 1, "batch_size": 32,
                                "learning_rate": 0.05, "threshold": 1e-3,
                                "regularizers": {"l1": ["L1", 0.01], "l2": ["L2", 0.01], "none": None}})},
          measure=sparsity,
          port="The document's RegularizedDense (L603-614) with keras.regularizers.L1(0.01) or L2(0.01) or "
               "none; compiled with keras.optimizers.SGD(learning_rate=0.05) (the document shows no compile).",
          document_value="many weights zeroed (no number)"),
    Claim("control_regularizer_published_example", "001", "5a. l1 and l2 Regularization", "591-601",
          "Dense(5, kernel_initializer='ones', kernel_regularizer=L1(0.01), activity_regularizer=L2(0.01)) "
          "on ones((5, 5)) * 2.0: the kernel term is 0.25, the activity term (divided by the batch size) 5, "
          "sum(layer.losses) 5.25 (Keras' regularizers docstring)",
          "Read as the family reads penalties (the sum of the losses Keras collects): 5.25 within float32 "
          "rtol 1e-6.",
          {"fast": Tier(Close(5.25, rtol=1e-6))},
          measure=published_penalty,
          control="keras-team/keras, keras/src/regularizers/regularizers.py (Keras 3.15.1), Regularizer "
                  "docstring example: ops.sum(layer.losses) 5.25"),
]

test_claims = claim_test(CLAIMS)
