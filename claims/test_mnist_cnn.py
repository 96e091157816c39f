"""The 99% CNN of 000 §10 on MNIST, and the port of its optimizer's ``decay=`` to Keras 3.

Training as in 000 L639-657: inputs x/255 of shape (28, 28, 1), Adam(learning_rate=0.003,
decay=0.001), batch 32, sparse categorical cross-entropy. Two changes, both decided before
measuring: ``decay=`` (ignored by Keras 3, see ``lr_decay_api_port``) becomes Keras 2's
formula lr_t = 0.003 / (1 + 0.001 t), t = optimizer iterations, as
``InverseTimeDecay(0.003, decay_steps=1, decay_rate=0.001)``; and the 300 epochs with
``validation_data=(x_test, y_test)`` become a fixed, smaller epoch budget (tier config)
with no validation data: the test set is evaluated once, after the last epoch, and
nothing is selected on it.
"""
import warnings

import keras
import numpy as np
import pytest

from harness.kit import data, models, plots, stats, training
from harness.kit.backend import tf
from harness.engine.claim import All, AtLeast, Claim, Close, Exact, Measured, Tier, claim_test

LR, DECAY = 0.003, 0.001
STEPS = [0, 1, 1000, 18750]  # 18,750 iterations = 10 epochs of 60,000 images in batches of 32
DECAY_WARNING = "UserWarning: Argument `decay` is no longer supported and will be ignored."

PORT = ("Adam(learning_rate=0.003, decay=0.001) -> Adam(learning_rate=keras.optimizers.schedules."
        "InverseTimeDecay(0.003, decay_steps=1, decay_rate=0.001)) (Keras 2's decay formula); "
        "300 epochs with validation_data=(x_test, y_test) -> a fixed epoch budget (tier config) "
        "without validation data, the test set evaluated once at the end; TensorBoard callback "
        "dropped; input_shape= -> keras.Input.")


def learning_rates(optimizer: keras.optimizers.Optimizer, steps: list) -> list:
    """optimizer.learning_rate after t real apply_gradients steps (gradient 1 on one
    float32 variable), for each t of the increasing list ``steps``."""
    variable = keras.Variable(np.zeros(1, "float32"))
    optimizer.build([variable])
    gradient = tf.ones(1)

    @tf.function
    def advance(n):
        for _ in tf.range(n):
            optimizer.apply_gradients([(gradient, variable)])

    rates, done = [], 0
    for t in steps:
        advance(tf.constant(t - done))
        done = t
        assert int(optimizer.iterations) == t
        rates.append(float(optimizer.learning_rate))
    return rates


def lr_decay_port(case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_written = keras.optimizers.Adam(learning_rate=LR, decay=DECAY)
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    steps = case.config["steps"]
    return Measured({"decay_warning": " | ".join(messages),
                     "as_written_lr": learning_rates(as_written, steps),
                     "ported_lr": learning_rates(models.doc000_adam(), steps)},
                    details={"steps": steps})


def cnn_test_accuracy(case):
    """Every seed's test accuracy after the tier's epochs; the rule reads the lowest. The config
    may name another model and optimizer (default: the document's) and keep only the first
    ``n_train`` training images."""
    c = case.config
    mnist = data.get("mnist", c["source"])
    n_train = c.get("n_train", len(mnist.x_train))
    x_train, x_test = data.scale(mnist.x_train[:n_train])[..., None], data.scale(mnist.x_test)[..., None]
    build, optimizer = getattr(models, c.get("model", "doc000_cnn")), c.get("optimizer", models.doc000_adam)

    def one_seed(seed):
        run = training.train(build, x_train, mnist.y_train[:n_train], seed=seed, epochs=c["epochs"],
                             batch_size=c["batch_size"], optimizer=optimizer, share_model=True,
                             steps_per_execution=training.FUSED)
        loss, accuracy = run.model.evaluate(x_test, mnist.y_test, verbose=0)
        return seed, {"accuracy": accuracy, "loss": loss, "curve": run.history["accuracy"], "seconds": run.seconds}

    runs = dict(case.per_seed(one_seed))
    accuracy, curves = ({seed: r[k] for seed, r in runs.items()} for k in ("accuracy", "curve"))
    values = list(accuracy.values())
    threshold = case.rule.threshold
    figure = plots.seeds_and_curves(
        accuracy, curves, ylabel="test accuracy (once, after the last epoch)",
        curve_ylabel="training accuracy (dropout on)", hline=(threshold, f"{threshold:.1%}"),
        title=f"{build.__name__}, {len(x_train):,} training / {len(x_test):,} test images, epochs: {c['epochs']}")
    mean = stats.mean_ci(values) if len(values) > 1 else None  # a detail: the rule reads each run
    return Measured(min(values), samples=values,
                    details={"mean_interval": mean.to_dict() if mean else None,
                             "test_loss": [r["loss"] for r in runs.values()],
                             "train_seconds": [r["seconds"] for r in runs.values()], "n_train": len(x_train),
                             "n_test": len(x_test)},
                    figure=figure)


CLAIMS = [
    Claim(
        "cnn_99_percent", "000", "10. Lab: the 99% challenge", "581-590, 616-658",
        "Go for it and break the 99% limit.",
        "The document's number: every reported seed must reach 99.0% test accuracy, so "
        "the judged value is the minimum over the 5 seeds (no interval: the rule is about each run; "
        "the Student-t interval of the mean is in details). All 60,000 training images, 8 epochs "
        "(15,000 Adam steps; lr decayed to 0.003/16 = 1.9e-4), fixed before the reported runs from a "
        "pilot (seeds 100, 101; 54,000 training images, the other 6,000 training images as "
        "validation, never the test set) in which validation accuracy had levelled off by then; the "
        "document's 300 epochs would cost well over an hour per seed on a 2-core CPU. Nightly tier: "
        "5 x 8 epochs of this CNN on all of MNIST are beyond the full tier's time budget on a 2-core CPU.",
        {"nightly": Tier(AtLeast(0.99), seeds=tuple(range(5)),
                         config={"source": "load", "epochs": 8, "batch_size": 32})},
        measure=cnn_test_accuracy,
        port=PORT, document_value=">= 99% test accuracy (after 300 epochs)"),
    Claim(
        "lr_decay_api_port", "000", "10. Lab: the 99% challenge", "644",
        "optimizer=tf.keras.optimizers.Adam(learning_rate=0.003, decay=0.001)",
        "A check of the port (the premise of models.doc000_adam), exact API behaviour, float32 "
        "tolerance (rtol 1e-6; float32 rounding is 6e-8). as_written: Keras 3 accepts decay= with a "
        "UserWarning and ignores it, so the document's code as printed trains at a constant 0.003: "
        "the warning's text must match exactly and the optimizer's learning_rate must stay 0.003 "
        "after t steps. ported: InverseTimeDecay(0.003, decay_steps=1, decay_rate=0.001) must give "
        "Keras 2's decayed rate lr / (1 + decay * iterations) = 0.003 / (1 + 0.001 t) after t real "
        "apply_gradients steps, t = 0, 1, 1000, 18750.",
        {"fast": Tier(All({"decay_warning": Exact(DECAY_WARNING),
                           "as_written_lr": Close([LR] * len(STEPS), rtol=1e-6),
                           "ported_lr": Close([LR / (1 + DECAY * t) for t in STEPS], rtol=1e-6)}),
                      config={"steps": STEPS})},
        measure=lr_decay_port,
        marks=(pytest.mark.exact_numerics("learning rates are compared with Keras 2's formula"),
               pytest.mark.tensorflow_only("TF 2.0's decay= argument, stepped in a tf.function loop")),
        port="decay=0.001 -> learning_rate=InverseTimeDecay(0.003, decay_steps=1, decay_rate=0.001)",
        document_value="lr_t = 0.003 / (1 + 0.001 t) (Keras 2 semantics of decay=)"),
    Claim(
        "control_kerasio_convnet_99_percent", "000", "10. Lab: the 99% challenge", "581-590",
        "A simple convnet that achieves ~99% test accuracy on MNIST (keras-io; its run: Test accuracy: 0.9922)",
        "keras-io's setup: its convnet (34,826 parameters), Adam with Keras' defaults, batch 128, 15 "
        "epochs on the first 54,000 training images (its validation_split=0.1 holds out the last 6,000; "
        "they only validate), tested once on the 10,000 test images. '~99%' is read as every seed at "
        ">= 98.5% (what rounds to 99%); the judged value is the minimum over 5 seeds. Nightly tier: "
        "the publisher's 15 epochs cost minutes per seed on a 2-core CPU.",
        {"nightly": Tier(AtLeast(0.985), seeds=tuple(range(5)),
                         config={"source": "load", "model": "kerasio_mnist_convnet", "optimizer": "adam",
                                 "n_train": 54000, "epochs": 15, "batch_size": 128})},
        measure=cnn_test_accuracy,
        control="keras-team/keras-io, examples/vision/md/mnist_convnet.md (commit 38324b7; source "
                "examples/vision/mnist_convnet.py): description '~99% test accuracy', printed Test accuracy "
                "0.9922000169754028 after 15 epochs",
        port="one-hot labels with categorical_crossentropy -> integer labels with "
             "sparse_categorical_crossentropy (the same loss); validation_split=0.1 -> the first 54,000 "
             "training images, without validation."),
]

test_claims = claim_test(CLAIMS)
