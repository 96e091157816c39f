"""002's statements about what the Keras API does (inventory rows A01-A47), checked on
Keras 3 through the API itself, on each of its backends; the claims about TensorFlow's own
API (tensorflow.keras import paths, SavedModel and TF checkpoints, ImageDataGenerator, the
document's TF 2.0 code as printed) are marked ``tensorflow_only`` and skip on JAX and PyTorch.

Groups of claims, each with its measuring functions above its list: the document's code
run as printed, layers and losses, the API's names, optimizer update rules,
learning-rate schedules against the document's formulas, ImageDataGenerator, fit's
batching (through the ``probes.BatchRecorder`` probe), fit/evaluate in inference mode,
checkpoints and early stopping, save/restore, and keras.datasets' MNIST. Where a block
of the document's code is the subject, its claim is checked twice: ``<id>_as_written``
(the block run as printed on today's Keras: reproduced when it runs and does what the
document says, refuted when it fails as its config declares (harness/kit/failures.py) or does
something else; any other exception is an error) and ``<id>`` (the
statement on the ported code, the port in ``Claim.port``).
"""
import functools
import importlib
import importlib.metadata
import math
import os
import warnings

import h5py
import keras
import numpy as np
import pytest

from harness.kit import backend, data, device, failures, models, plots, stats, training
from harness.kit.backend import tf
from harness.engine.claim import All, AtMost, Between, Claim, Close, Exact, Measured, Tier, claim_test, plain
from harness.kit.failures import CODE_WRONG, LIBRARY_CHANGED, expected
from harness.kit.probes import BatchRecorder

pytestmark = pytest.mark.exact_numerics("API behaviour is checked exactly")

SEEDS = (0, 1, 2, 3, 4)
EXACT_API = "An API fact: Keras either does this or not, so the rule is exact."
IDG_API = "tf.keras.preprocessing.image.ImageDataGenerator"


def fast(rule, seeds=(0,), across_seeds="", **config):
    return {"fast": Tier(rule, seeds, config, across_seeds=across_seeds)}


def full(rule, seeds=(0,), **config):
    return {"full": Tier(rule, seeds, config)}


def claim(id, section, lines, quote, reason, tiers, tensorflow_only="", **kwargs):
    """A 002 claim; tensorflow_only: which TensorFlow API it is about (it then skips on JAX and PyTorch)."""
    marks = (pytest.mark.tensorflow_only(tensorflow_only),) if tensorflow_only else ()
    return Claim(id, "002", f"Chapter {section}", lines, quote, reason, tiers, marks=marks, **kwargs)


def binomial_band(p, n, k=5.0):
    """(low, high) = p -/+ k standard errors of a proportion measured on n draws."""
    se = math.sqrt(p * (1 - p) / n)
    return p - k * se, p + k * se


def m06():
    """002 M06 (L573-585): 4 features -> Dense 10 relu -> Dense 10 relu -> Dense 5 softmax."""
    return models.doc002_dnn(n_inputs=4, n_outputs=5, activation="relu", output_activation="softmax")


def teacher_data(seed, n=64, noise=0.3):
    """Training and validation sets of n examples each: features N(0, 1) of shape (n, 4), labels
    the argmax of one random linear teacher (5 classes), a fraction ``noise`` replaced at random."""
    rng = np.random.default_rng(seed)
    teacher = rng.normal(size=(4, 5))
    x = rng.normal(size=(2 * n, 4)).astype("float32")
    y = np.where(rng.uniform(size=2 * n) < noise, rng.integers(0, 5, 2 * n), np.argmax(x @ teacher, axis=1))
    return (x[:n], y[:n]), (x[n:], y[n:])


def same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


# --- the document's code, run as printed ------------------------------------------------------

def execute(case, namespace: dict):
    """Run the case's document code in ``namespace``: None, or the failure it raised, the one
    its config declares (any other exception propagates: harness/kit/failures.py)."""
    return failures.run(lambda: exec(case.config["code"], namespace), case.config["failure"])


def as_written_result(failure, does, **details) -> Measured:
    """The verdict's value: whether the code ran, and whether it did what the document says."""
    return Measured({"runs": failure is None, "does_what_it_says": bool(failure is None and does)},
                    details={"failure": failure, **details})


def document_namespace(seed, epochs, batch_size=None):
    """The names the document's training blocks use: 002's M06 compiled with Adam(0.05) and
    metrics=['acc'] (as the document's models are), x_train/y_train from ``teacher_data``."""
    (x, y), _ = teacher_data(seed)
    training.seed_everything(seed)
    model = m06()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.05), metrics=["acc"])
    return {"model": model, "x_train": x, "y_train": y, "epochs": epochs, "batch_size": batch_size}


def rmsprop_as_written(case):
    from tensorflow.keras import optimizers
    namespace = {"optimizers": optimizers}
    failure = execute(case, namespace)
    does, details = False, {}
    if failure is None:
        optimizer, variable = namespace["optimizer"], keras.Variable(np.ones(2, "float32"))
        optimizer.apply_gradients([(np.ones(2, "float32"), variable)])
        config = optimizer.get_config()
        details = {"learning_rate": float(config["learning_rate"]), "rho": config["rho"]}
        does = (bool(np.all(np.isfinite(np.asarray(variable))))
                and round(float(config["learning_rate"]), 9) == 0.001 and config["rho"] == 0.9)
    return as_written_result(failure, does, **details)


def checkpoint_as_written(case, tmp_path, monkeypatch):
    from tensorflow.keras.callbacks import ModelCheckpoint
    monkeypatch.chdir(tmp_path)
    namespace = {"ModelCheckpoint": ModelCheckpoint, **document_namespace(case.seed, case.config["epochs"])}
    failure = execute(case, namespace)
    written = sorted(os.listdir(tmp_path))
    return as_written_result(failure, written == case.config["files"], files_written=written)


def load_checkpoint_as_written(case, tmp_path, monkeypatch):
    from tensorflow.keras.models import load_model
    monkeypatch.chdir(tmp_path)
    namespace = document_namespace(case.seed, epochs=3)
    saved = namespace["model"]
    saved.fit(namespace["x_train"], namespace["y_train"], epochs=3, verbose=0)
    saved.export("mymodel-03.ckpt", verbose=False)  # the SavedModel folder TF 2.0's ModelCheckpoint wrote
    namespace = {"load_model": load_model}
    failure = execute(case, namespace)
    restored = namespace.get("model")
    does = isinstance(restored, keras.Model) and same_weights(restored, saved)
    return as_written_result(failure, does, checkpoint=sorted(os.listdir("mymodel-03.ckpt")))


def model_save_as_written(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    failure = execute(case, document_namespace(case.seed, epochs=1, batch_size=16))
    folder = tmp_path / "mymodel"
    return as_written_result(failure, folder.is_dir() and (folder / "saved_model.pb").exists(),
                             written=sorted(os.listdir(tmp_path)))


def save_weights_as_written(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    failure = execute(case, document_namespace(case.seed, epochs=1, batch_size=16))
    try:
        variables, unreadable = [name for name, _ in tf.train.list_variables(str(tmp_path / "myweights"))], None
    except Exception as reading:  # no TensorFlow checkpoint at that prefix
        variables, unreadable = [], f"{type(reading).__name__}: {str(reading)[:160]}"
    return as_written_result(failure, bool(variables), written=sorted(os.listdir(tmp_path)),
                             checkpoint_variables=variables[:20], checkpoint_unreadable=unreadable)


def import_as_written(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    failure = execute(case, namespace)
    return as_written_result(failure, callable(namespace.get("load_weights")))


def as_written(id, section, lines, quote, does, measure, tensorflow_only, failure, port="", **config):
    """A block of the document's code run as printed: ``does`` says what the document says it does;
    ``tensorflow_only``: the TensorFlow API the block is about; ``failure``: how it is expected to
    fail today (harness/kit/failures.py)."""
    reason = ("The document's code, run as printed on today's Keras 3 / TensorFlow (in an empty working "
              "directory, with the names it imports; where the block trains, 002's M06 compiled on "
              f"synthetic data): reproduced if it runs and {does}; refuted if it raises the failure its "
              "config declares (type, message pattern, cause), recorded in details, or does something "
              "else. Any other exception is an error.")
    return claim(id, section, lines, quote, reason,
                 fast(Exact({"runs": True, "does_what_it_says": True}), failure=failure, **config),
                 measure=measure, port=port, tensorflow_only=tensorflow_only)


AS_WRITTEN = [
    as_written("A24_rmsprop_ctor_as_written", "III, Adaptive Learning Rate", "2301",
               "optimizer = optimizers.RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)",
               "the optimizer holds learning rate 0.001 (float32) and rho 0.9 and takes a finite step "
               "(apply_gradients of a gradient of ones on a variable of ones)",
               rmsprop_as_written, "TF 2.0's tensorflow.keras.optimizers keywords lr= and decay=",
               expected("ValueError", r"Argument\(s\) not recognized: \{'lr'", LIBRARY_CHANGED),
               code="optimizer = optimizers.RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)"),
    as_written("A25_ckpt_epoch_format_as_written", "III, Checkpointing", "2032-2042",
               "For example, if it's the third epoch, the file would be 'mymodel-03.ckpt'.",
               "a fit of 3 epochs writes exactly mymodel-01.ckpt, mymodel-02.ckpt and mymodel-03.ckpt",
               checkpoint_as_written, "TF 2.0's tensorflow.keras.callbacks.ModelCheckpoint writing .ckpt",
               expected("ValueError", r"filepath provided must end in `\.keras`", LIBRARY_CHANGED),
               port="epochs = 3; the model and data as in the reason.",
               code='filepath = "mymodel-{epoch:02d}.ckpt"\ncheckpoint = ModelCheckpoint(filepath)\n'
                    "model.fit(x_train, y_train, epochs=epochs, callbacks=[checkpoint])",
               epochs=3, files=["mymodel-01.ckpt", "mymodel-02.ckpt", "mymodel-03.ckpt"]),
    as_written("A26_ckpt_period_as_written", "III, Checkpointing", "2057-2068",
               "checkpoint = ModelCheckpoint(filepath, period=4)",
               "a fit of 8 epochs writes exactly mymodel-04.ckpt and mymodel-08.ckpt",
               checkpoint_as_written, "TF 2.0's tensorflow.keras.callbacks.ModelCheckpoint(period=)",
               expected("TypeError", r"unexpected keyword argument 'period'", LIBRARY_CHANGED),
               port="The block ends with the comment '# Train the model and use the callbacks parameter' "
                    "and no code: the fit line of the previous block (L2042) is run after it, epochs = 8.",
               code='filepath = "mymodel-{epoch:02d}.ckpt"\ncheckpoint = ModelCheckpoint(filepath, period=4)\n'
                    "model.fit(x_train, y_train, epochs=epochs, callbacks=[checkpoint])",
               epochs=8, files=["mymodel-04.ckpt", "mymodel-08.ckpt"]),
    as_written("A27_load_model_ckpt_as_written", "III, Checkpointing", "2047-2054",
               "model = load_model('mymodel-03.ckpt')",
               "the model it returns has the weights the model had when the checkpoint was written",
               load_checkpoint_as_written, "a TensorFlow SavedModel loaded by tensorflow.keras.models.load_model",
               expected("ValueError", r"File format not supported: filepath=mymodel-03\.ckpt", LIBRARY_CHANGED),
               port="The document's ModelCheckpoint cannot write 'mymodel-03.ckpt' on Keras 3 (see "
                    "A25_ckpt_epoch_format_as_written), so the checkpoint it would have written with TF 2.0, "
                    "a TensorFlow SavedModel folder of that name, is written with model.export after 3 "
                    "epochs of fit.",
               code="model = load_model('mymodel-03.ckpt')"),
    as_written("A31_model_save_savedmodel_as_written", "III, Save", "3106-3113",
               "model.save('mymodel')",
               "it writes a folder 'mymodel' in TensorFlow SavedModel format (a saved_model.pb inside)",
               model_save_as_written, "model.save to a TensorFlow SavedModel folder",
               expected("ValueError", r"Invalid filepath extension for saving", LIBRARY_CHANGED),
               port="epochs = 1, batch_size = 16.",
               code="model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size)\nmodel.save('mymodel')"),
    as_written("A32_save_weights_tfckpt_as_written", "III, Save", "3116-3123",
               "model.save_weights('myweights')",
               "it writes a TensorFlow checkpoint with the prefix 'myweights' (tf.train.list_variables "
               "reads variables from it); whether it holds the parameters only is the ported claim's subject",
               save_weights_as_written, "save_weights to a TensorFlow checkpoint (tf.train.list_variables)",
               expected("ValueError", r"filename must end in `\.weights\.h5`", LIBRARY_CHANGED),
               port="epochs = 1, batch_size = 16.",
               code="model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size)\n"
                    "model.save_weights('myweights')"),
    as_written("A33_load_weights_import_as_written", "III, Restore", "3142",
               "from tensorflow.keras.models import load_weights",
               "it gives a callable load_weights (the block's next lines load the files of the two Save "
               "blocks, which are the subject of the A31/A32 claims)",
               import_as_written, "the tensorflow.keras.models import path",
               expected("ImportError", r"cannot import name 'load_weights'", CODE_WRONG),
               code="from tensorflow.keras.models import load_weights"),
]


# --- layers, activations and losses -------------------------------------------------------

DROPOUT_ROWS, DROPOUT_UNITS = 200, 512


def dense_default(case):
    layer = keras.layers.Dense(4, kernel_initializer="identity", bias_initializer="zeros")
    x = np.array([[-2.5, -0.5, 0.0, 3.0], [1e-3, -7.0, 250.0, -1e-4]], "float32")
    out = keras.ops.convert_to_numpy(layer(x))
    return Measured({"activation": layer.activation.__name__, "unchanged": bool(np.array_equal(out, x))},
                    details={"output": out})


def activations(case):
    z = np.linspace(-30, 30, 601).astype("float32")
    logits = np.random.default_rng(case.seed).normal(0, 3, (256, 10)).astype("float32")
    relu, sigmoid, softmax = map(keras.ops.convert_to_numpy, (keras.activations.relu(z), keras.activations.sigmoid(z),
                                                             keras.activations.softmax(logits)))
    return Measured({"relu_is_max_z_0": bool(np.array_equal(relu, np.maximum(z, 0))),
                     "sigmoid_in_0_1": bool(sigmoid.min() >= 0 and sigmoid.max() <= 1),
                     "softmax_in_0_1": bool(softmax.min() >= 0 and softmax.max() <= 1),
                     "softmax_sum_error": float(np.abs(softmax.sum(axis=1) - 1).max())},
                    details={"sigmoid_points_exactly_1": int((sigmoid == 1).sum()), "sigmoid_min": float(sigmoid.min()),
                             "sigmoid_monotone": bool(np.all(np.diff(sigmoid) >= 0))})


def dropout_rate(case):
    ones = np.ones(case.config["shape"], "float32")

    def masks(seed):
        layer = keras.layers.Dropout(case.config["rate"], seed=seed)
        first, second = (keras.ops.convert_to_numpy(layer(ones, training=True)) for _ in range(2))
        return (float((first == 0).mean()), int((first == 0).sum()), set(np.unique(first[first != 0]).tolist()),
                float(((first == 0) == (second == 0)).mean()))
    runs = case.per_seed(masks)
    fractions = [fraction for fraction, _, _, _ in runs]
    dropped = sum(count for _, count, _, _ in runs)
    kept = set().union(*(values for _, _, values, _ in runs))
    agreement = [same for _, _, _, same in runs]
    interval = stats.proportion_ci(dropped, ones.size * len(runs), confidence=case.confidence)
    figure = plots.points({"Dropout(0.5)": fractions}, ylabel="fraction of units dropped",
                          title="A04: dropped fraction per seed (200 x 512 units)",
                          hline=(0.5, "document: 1/2"))
    return Measured({"dropped_fraction": interval.point, "kept_values": sorted(kept)},
                    interval={"dropped_fraction": interval}, samples=fractions, figure=figure,
                    details={"mask_agreement_between_two_calls": agreement})


def dropout_inference(case):
    seed = case.seed
    x = np.random.default_rng(seed).normal(size=(64, 32)).astype("float32")
    layer = keras.layers.Dropout(0.5, seed=seed)
    model = keras.Sequential([keras.Input((32,)), layer])
    inference, called, dropped = map(keras.ops.convert_to_numpy,
                                     (layer(x, training=False), model(x), layer(x, training=True)))
    return Measured({"training_false_identity": bool(np.array_equal(inference, x)),
                     "model_call_identity": bool(np.array_equal(called, x)),
                     "training_true_changes": not np.array_equal(dropped, x)})


def dropout_relu_order(case):
    def diff(seed):
        x = np.random.default_rng(seed).normal(size=(64, 32)).astype("float32")
        relu = keras.layers.ReLU()
        before = relu(keras.layers.Dropout(0.5, seed=seed)(x, training=True))
        after = keras.layers.Dropout(0.5, seed=seed)(relu(x), training=True)
        return float(np.abs(keras.ops.convert_to_numpy(before) - keras.ops.convert_to_numpy(after)).max())
    diffs = case.per_seed(diff)
    return Measured(max(diffs), samples=diffs)


def sparse_vs_categorical(case):
    rng = np.random.default_rng(case.seed)
    probs = keras.ops.convert_to_numpy(keras.activations.softmax(rng.normal(0, 3, (256, 10)).astype("float32")))
    labels = rng.integers(0, 10, 256)
    sparse = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(labels, probs))
    onehot = keras.ops.convert_to_numpy(
        keras.losses.categorical_crossentropy(keras.utils.to_categorical(labels, 10), probs))
    return Measured(float(np.abs(sparse - onehot).max()),
                    details={"max_loss": float(onehot.max()), "mean_loss": float(onehot.mean())})


def to_categorical(case):
    labels = [0, 3, 9, 3]
    onehot = keras.utils.to_categorical(labels, 10)
    return Measured({"shape": list(onehot.shape), "one_hot": bool(np.array_equal(onehot, np.eye(10)[labels]))},
                    details={"dtype": str(onehot.dtype)})


def bn_inputs(seed, rows=256, features=8):
    """(rows, features) float32: feature means in [-5, 5], standard deviations in [1, 3]."""
    rng = np.random.default_rng(seed)
    means, stds = rng.uniform(-5, 5, features), rng.uniform(1, 3, features)
    return (means + stds * rng.normal(size=(rows, features))).astype("float32")


def bn_batch_stats(case):
    x = bn_inputs(case.seed)
    layer = keras.layers.BatchNormalization()
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    standardized = (x - x.mean(axis=0)) / x.std(axis=0)
    inference = keras.ops.convert_to_numpy(layer(x, training=False))
    return Measured(float(np.abs(out - standardized).max()),
                    details={"epsilon": layer.epsilon, "normalized": "the layer's inputs, per feature",
                             "output_mean_abs_max": float(np.abs(out.mean(axis=0)).max()),
                             "output_std": out.std(axis=0),
                             "inference_mode_differs_by": float(np.abs(inference - standardized).max())})


def standardization_error(values):
    """max over columns of max(|mean|, |std - 1|), the statistics taken down axis 0: 0 for
    columns that are standardized (subtract the mean, divide by the standard deviation)."""
    return float(max(np.abs(values.mean(axis=0)).max(), np.abs(values.std(axis=0) - 1).max()))


def sgd_001():
    return keras.optimizers.SGD(0.01)


@functools.cache
def bn_net(features: int, batch_norm: bool):
    """A builder of Dense(16) -> [BatchNormalization()] -> Dense(1) on ``features`` inputs."""
    def build():
        norm = [keras.layers.BatchNormalization()] if batch_norm else []
        return keras.Sequential([keras.Input((features,)), keras.layers.Dense(16), *norm, keras.layers.Dense(1)])
    return build


def bn_model(seed, features, batch_norm=True):
    """bn_net under ``seed``, compiled (mse, SGD(0.01)) once per architecture and re-initialized."""
    return training.seeded_model(bn_net(features, batch_norm), seed=seed, optimizer=sgd_001, loss="mse",
                                 share_model=True)


def first_shifts(model, inputs, y):
    """The first (Dense) layer's kernel change in one SGD step on (x, y), for each x in
    ``inputs``, each step from the model's current variables (restored afterwards; the
    optimizer's step count is not, which plain SGD(0.01) does not read)."""
    dense, start = model.layers[0], [np.array(v) for v in model.variables]
    shifts = []
    for x in inputs:
        before = np.array(dense.kernel)
        model.train_on_batch(x, y)
        shifts.append(np.array(dense.kernel) - before)
        for variable, value in zip(model.variables, start, strict=True):
            variable.assign(value)
    return shifts


def bn_weight_shift(case):
    """Dense(16) -> BatchNormalization() -> Dense(1) trained with SGD: per step, how far the
    Dense kernel's shift (per unit, over its incoming weights) is from standardized, and the
    same statistic for the activations BN outputs (its normalized values (out - beta) / gamma,
    per unit over the batch)."""
    shift_errors, activation_errors, kernel_std, bn_call_changes_kernel, scale_ratio = [], [], [], [], {}

    def steps(seed):
        x = bn_inputs(seed, features=case.config["features"])
        y = (x @ np.random.default_rng(seed + 1000).normal(size=(x.shape[1], 1))).astype("float32")
        model = bn_model(seed, x.shape[1])
        plain = bn_model(seed, x.shape[1], batch_norm=False)  # the same Dense weights, no BN between them
        for layer, source in zip((plain.layers[0], plain.layers[-1]), (model.layers[0], model.layers[-1])):
            layer.set_weights(source.get_weights())
        scale_ratio[seed] = {}
        for name, net in (("with_bn", model), ("without_bn", plain)):
            shift, shift_x10 = first_shifts(net, [x, 10 * x], y)
            scale_ratio[seed][name] = float(np.linalg.norm(shift_x10) / np.linalg.norm(shift))
        dense, bn = model.layers[:2]
        kernel_std.append([float(np.array(dense.kernel).std(axis=0).mean())])
        for _ in range(case.config["steps"]):
            before = np.array(dense.kernel)
            model.train_on_batch(x, y)
            shift = np.array(dense.kernel) - before
            shift_errors.append(standardization_error(shift))
            after_step = np.array(dense.kernel)
            normalized = (keras.ops.convert_to_numpy(bn(dense(x), training=True)) - np.array(bn.beta)) / np.array(bn.gamma)
            activation_errors.append(standardization_error(normalized))
            bn_call_changes_kernel.append(not np.array_equal(np.array(dense.kernel), after_step))
        kernel_std[-1].append(float(np.array(dense.kernel).std(axis=0).mean()))
    case.per_seed(steps)
    return Measured(max(shift_errors), samples=shift_errors,
                    details={"activation_standardization_error_max": max(activation_errors),
                             "bn_call_changes_kernel": any(bn_call_changes_kernel),
                             "kernel_std_per_unit_mean_before_after": kernel_std,
                             "first_shift_norm_ratio_inputs_x10": scale_ratio})


LAYERS = [
    claim("A01_default_linear_activation", "I, Activation Functions", "308",
          "By default, when no activation function is specified, the values from one layer are "
          "passed as-is (unchanged) to the next layer.",
          EXACT_API + " A Dense(4) without activation, kernel set to the identity and bias to 0, "
          "must return its input bit for bit, negatives included, and name its activation 'linear'.",
          fast(Exact({"activation": "linear", "unchanged": True})), measure=dense_default),
    claim("A02_relu_sigmoid_softmax_defs", "I, Activation Functions", "334, 450, 563",
          "The sigmoid squashes all values to be between 0 and 1 ... squash them into a range "
          "between 0 and 1 and where all the values add up to 1",
          "keras.activations on z in [-30, 30] (601 points) and on 256 rows of 10 logits (N(0, 3^2)): "
          "relu must equal max(z, 0) exactly (L334: values > 0 as-is, otherwise zero); sigmoid and "
          "softmax outputs must lie in [0, 1] (closed: float32 rounds sigmoid(z) to exactly 1 for "
          "z > ~17); softmax rows must sum to 1 within 2e-6 (float32: 10 terms each rounded to "
          "~6e-8 plus the sum's rounding, ~1.2e-6 at worst).",
          fast(All({"relu_is_max_z_0": Exact(True), "sigmoid_in_0_1": Exact(True),
                    "softmax_in_0_1": Exact(True), "softmax_sum_error": AtMost(2e-6)})),
          measure=activations),
    claim("A04_dropout_half", "I, Overfitting and Dropout", "740",
          "if you specify a dropout of 50% (0.5), on each forward feed of data a random selection of "
          "1/2 of the nodes will not send a signal",
          "Dropout(0.5) in training mode on a (200, 512) array of ones, per seed. The fraction of "
          "zeros must be 1/2 within 5 standard errors of a proportion over all 5 x 102,400 draws "
          "(its Clopper-Pearson interval over all the draws, independent Bernoulli trials, must lie "
          "inside that band). "
          "Keras' inverted dropout also scales the kept signal by 1/(1-0.5): every kept value must be "
          "exactly 2.0 (the document does not say this; it is what the nodes that do send a signal send).",
          fast(All({"dropped_fraction": Between(*binomial_band(0.5, DROPOUT_ROWS * DROPOUT_UNITS * len(SEEDS))),
                    "kept_values": Exact([2.0])}),
               seeds=SEEDS, rate=0.5, shape=[DROPOUT_ROWS, DROPOUT_UNITS],
               across_seeds="The dropped fraction is a proportion over all seeds' draws, each unit an independent "
                            "Bernoulli trial, read on one Clopper-Pearson interval."),
          post_hoc="interval method moved to Clopper-Pearson after the per-seed t interval was seen on the reported seeds (b315ad8)",
          measure=dropout_rate),
    claim("A05_dropout_training_only", "I, Overfitting and Dropout", "740",
          "a random selection on each forward feed during training will not pass a signal forward",
          EXACT_API + " Outside training (layer called with training=False, or the model called as "
          "in predict) Dropout(0.5) must return its input unchanged; in training it must not.",
          fast(Exact({"training_false_identity": True, "model_call_identity": True,
                      "training_true_changes": True})), measure=dropout_inference),
    claim("A06_dropout_before_after_relu", "I, Overfitting and Dropout", "744",
          "it does not matter whether you add the Dropout layer before or after the activation function",
          "With the same dropout mask (two Dropout layers with the same seed), Dropout->ReLU and "
          "ReLU->Dropout must give identical outputs: relu(m*x/(1-r)) = m*relu(x)/(1-r) for a mask "
          "m in {0, 1}. Exact (max |difference| over 5 seeds == 0).",
          fast(Exact(0.0), seeds=SEEDS), measure=dropout_relu_order),
    claim("A07_sparse_ce_is_onehot_ce", "III, One-Hot Encoding", "1637",
          "the loss function will receive the labels as scalar values and dynamically convert them to "
          "one-hot encoded labels before performing the cross entropy loss calculation",
          "Per-example sparse_categorical_crossentropy(y, p) against categorical_crossentropy("
          "to_categorical(y, 10), p) on 256 softmax outputs of N(0, 3^2) logits. The two routes "
          "compute -log p_y in float32 differently (log-softmax vs renormalise-and-clip), so they "
          "may differ by a few ulps of losses up to ~16 (ulp 1.9e-6): max |difference| <= 4e-6.",
          fast(AtMost(4e-6)), measure=sparse_vs_categorical),
    claim("A09_to_categorical", "III, One-Hot Encoding", "1621",
          "Note how we pass the value 10 to to_categorical() to indicate the size of the one-hot "
          "encoded labels (number of classes).",
          EXACT_API + " to_categorical([0, 3, 9, 3], 10) must be 4 rows of 10 columns, row i the "
          "one-hot vector of label i.",
          fast(Exact({"shape": [4, 10], "one_hot": True})), measure=to_categorical),
    claim("A47_bn_normalizes_activations", "III, Steps", "2178",
          "the activations are rescaled using standardization (i.e., subtract the batch mean and divide "
          "by the batch standard deviation)",
          "BatchNormalization() in training mode on 256 x 8 inputs with feature means in [-5, 5] and "
          "standard deviations in [1, 3], against (x - batch mean) / batch std. Keras adds "
          "epsilon=1e-3 to the variance: a relative effect <= eps/(2 sigma^2) = 5e-4 for sigma >= 1, "
          "on |z| <= ~4 in 256 rows: max |difference| <= 2e-3.",
          fast(AtMost(2e-3)), measure=bn_batch_stats),
    claim("A47_bn_normalizes_weights_shift", "II, Batch Normalization", "1272",
          "Batch normalization is a technique applied to the output of a layer (before or after the "
          "activation function). Without going into the statistics aspect, it normalizes the shift in "
          "the weights as they are being trained.",
          "The sentence names the weights, not the layer's output, as what gets normalized. 'Normalize' "
          "is read as the document itself defines batch normalization's rescaling (L2178): subtract the "
          "mean, divide by the standard deviation, so the normalized quantity has mean 0 and standard "
          "deviation 1. The real layer is put where L1272 puts it, on the output of a layer: Dense(16) -> "
          "BatchNormalization() -> Dense(1) on 8 features (means in [-5, 5], std in [1, 3], targets of a "
          "random linear teacher), SGD(0.01), 10 training steps per seed, 5 seeds. The shift in the "
          "weights is the Dense kernel's change in one step; weights have no batch axis, so it is "
          "standardized per unit over the unit's 8 incoming weights, the way BN standardizes each unit "
          "over the batch. Value: the largest max(|mean|, |std - 1|) of the shift over units, steps and "
          "seeds; 'normalized' if <= 0.05, a tolerance far above what BN's epsilon leaves on the "
          "activations. The same statistic for BN's own normalized output ((out - beta)/gamma, per unit "
          "over the batch) is recorded in details as the control (the measurement sees a normalization "
          "where one happens), with whether a BN call changes the kernel at all, the kernel's per-unit "
          "std before/after, and the norm of the first shift when the inputs are scaled by 10, with and "
          "without BN (through the backward pass BN divides by the batch std, which makes the shift "
          "independent of the input's scale: a property of the gradient, recorded, not scored).",
          fast(AtMost(0.05), seeds=SEEDS, features=8, steps=10), measure=bn_weight_shift,
          document_value="the shift in the weights is normalized"),
]


# --- names the document relies on ------------------------------------------------------------

def layer_classes(case):
    sigmoid = keras.layers.Activation("sigmoid")
    z = np.linspace(-5, 5, 11).astype("float32")
    present = [n for n in ("ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Sigmoid", "Tanh", "GELU")
               if hasattr(keras.layers, n)]
    return Measured({"ReLU": hasattr(keras.layers, "ReLU"), "Sigmoid": hasattr(keras.layers, "Sigmoid"),
                     "Activation('sigmoid')": bool(np.array_equal(keras.ops.convert_to_numpy(sigmoid(z)),
                                                                  keras.ops.convert_to_numpy(keras.activations.sigmoid(z))))},
                    details={"activation_layer_classes": present})


def keras_builtin(case):
    tf_keras = importlib.import_module("tensorflow.keras")
    requirements = importlib.metadata.requires("tensorflow") or []
    return Measured({"tensorflow.keras": tf_keras.Sequential is keras.Sequential,
                     "keras required by tensorflow": any(r.startswith("keras") for r in requirements)},
                    details={"keras_version": keras.__version__, "module": tf_keras.__name__,
                             "requirements": [r for r in requirements if r.startswith("keras")]})


def dataset_loaders(case):
    datasets = importlib.import_module("tensorflow.keras.datasets")
    return Measured({name: callable(getattr(getattr(datasets, name, None), "load_data", None))
                     for name in ("mnist", "cifar10", "cifar100")})


def idg_import(case):
    namespace = {}
    exec(case.claim.quote, namespace)
    in_keras = hasattr(importlib.import_module("keras.preprocessing.image"), "ImageDataGenerator")
    return Measured(isinstance(namespace.get("ImageDataGenerator"), type),
                    details={"class": repr(namespace.get("ImageDataGenerator")),
                             "keras.preprocessing.image.ImageDataGenerator": in_keras,
                             "note": "legacy class; affine transforms need scipy, brightness needs Pillow"})


NAMES = [
    claim("A03_no_sigmoid_layer_class", "I, DNN Binary Classifier", "480",
          "Not all the activation functions have their own class method, like the ReLU(). ... "
          "there is a class called Activation() for creating any of the supported activations.",
          EXACT_API + " keras.layers must have a ReLU class and no Sigmoid class, and "
          "Activation('sigmoid') must compute keras.activations.sigmoid.",
          fast(Exact({"ReLU": True, "Sigmoid": False, "Activation('sigmoid')": True})), measure=layer_classes),
    claim("A36_keras_builtin", "I, The Input Layer", "141",
          "With Tensorflow 2.0, Keras is builtin and the recommended model API, referred to now as TF.Keras.",
          EXACT_API + " Checked today: tensorflow.keras must import and give Keras' Sequential, and "
          "installing tensorflow must bring Keras (a requirement of the tensorflow distribution). "
          "'Recommended' is an opinion and is not tested.",
          fast(Exact({"tensorflow.keras": True, "keras required by tensorflow": True})), measure=keras_builtin,
          tensorflow_only="tensorflow.keras, Keras as shipped with TensorFlow"),
    claim("A37_builtin_datasets", "III, Dataset Splitting", "1550",
          "MNIST and CIFAR-10/100 are built into the TF.Keras framework",
          EXACT_API + " tensorflow.keras.datasets must have mnist, cifar10 and cifar100 loaders with "
          "load_data(). The loaders download on first use; that is not exercised (no network).",
          fast(Exact({"mnist": True, "cifar10": True, "cifar100": True})), measure=dataset_loaders,
          tensorflow_only="the tensorflow.keras.datasets import path"),
    claim("A38_idg_import", "III, TF.Keras ImageDataGenerator", "2746",
          "from tensorflow.keras.preprocessing.image import ImageDataGenerator",
          EXACT_API + " The document's import line must still give the (legacy) ImageDataGenerator.",
          fast(Exact(True)), measure=idg_import, tensorflow_only=IDG_API),
]


# --- optimizer update rules ---------------------------------------------------------------------

def document_update(w0, grads, learning_rate, momentum=0.0):
    """The document's rules in float64, the weights after each step. L2237: weight +=
    -learning_rate * gradient; L2277-2278: velocity = momentum * velocity - learning_rate *
    gradient; weight += velocity (with momentum 0 the two are the same rule)."""
    weight, velocity, after = np.array(w0, float), 0.0, []
    for gradient in np.array(grads, float):
        velocity = momentum * velocity - learning_rate * gradient
        weight = weight + velocity
        after.append(weight.tolist())
    return after


W0 = [1.0, -2.0, 0.5]
GRADS = [[0.5, 0.25, -4.0], [-1.0, 2.0, 0.5], [3.0, -0.5, 1.0]]
FLOAT32_STEPS = ("keras.optimizers.SGD applied to a float32 variable (W0 = [1, -2, 0.5]) with the listed "
                 "gradients; the weights after every step must equal the document's rule within "
                 "atol 1e-6 (float32 rounding of values of order 1 over three steps).")
DEFAULT_OPTIMIZERS = ["SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam"]
OPTIMIZERS_2283 = {  # the document's name -> (keras.optimizers class, constructor arguments)
    "Adadelta": ("Adadelta", {}), "Adagrad": ("Adagrad", {}), "Adam": ("Adam", {}),
    "AdaMax": ("Adamax", {}), "AMSGrad": ("Adam", {"amsgrad": True}),
    "Momentum": ("SGD", {"momentum": 0.9}), "Nadam": ("Nadam", {}),
    "Nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}), "RMSprop": ("RMSprop", {}),
}


def sgd_steps(case):
    optimizer = keras.optimizers.SGD(learning_rate=case.config["learning_rate"], momentum=case.config["momentum"])
    weight = keras.Variable(np.array(W0, "float32"))
    after = []
    for gradient in case.config["grads"]:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient, "float32"), weight)])
        after.append(weight.numpy().tolist())
    return Measured(after)


def adapts(case):
    """One step of each listed optimizer, from 0, on two parameters with the gradients
    ``gradients``: whether the step per unit gradient differs between them by more than
    ``rtol`` (a step proportional to the gradient: one learning rate for every parameter)."""
    gradient = np.array(case.config["gradients"], "float32")
    ratios = {}
    for name, (cls, kwargs) in OPTIMIZERS_2283.items():
        weight = keras.Variable(np.zeros_like(gradient))
        getattr(keras.optimizers, cls)(**kwargs).apply_gradients([(keras.ops.convert_to_tensor(gradient), weight)])
        per_unit = weight.numpy() / gradient
        ratios[name] = float(per_unit[0] / per_unit[1])
    assert all(map(math.isfinite, ratios.values())), ratios
    return Measured({name: abs(r - 1) > case.config["rtol"] for name, r in ratios.items()},
                    details={"step per unit gradient, small gradient over large": ratios})


def default_decay(case):
    ratios, warned = {}, []
    for name in case.config["optimizers"]:
        optimizer = getattr(keras.optimizers, name)()
        weight = keras.Variable(np.ones(2, "float32"))
        start = float(optimizer.learning_rate)
        for _ in range(case.config["steps"]):
            optimizer.apply_gradients([(keras.ops.ones(2), weight)])
        ratios[name] = float(optimizer.learning_rate) / start
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.optimizers.SGD(decay=0.01)
        warned = [str(w.message) for w in caught]
    return Measured(ratios, details={"SGD(decay=0.01) warns": warned})


def rmsprop_port(case):
    rng = np.random.default_rng(case.seed)
    x, y = rng.normal(size=(16, 13)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    optimizer = keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9)
    model = models.doc002_dnn()
    model.compile(loss="mean_squared_error", optimizer=optimizer, run_eagerly=True)
    loss = float(model.train_on_batch(x, y))
    with_none = keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=None)
    try:
        with_none.apply_gradients([(keras.ops.ones(2), keras.Variable(np.ones(2, "float32")))])
        none_error = None
    except Exception as error:  # what keeping epsilon=None does (why the port drops it)
        none_error = f"{type(error).__name__}: {error}"
    config = optimizer.get_config()
    return Measured({"learning_rate": round(float(config["learning_rate"]), 9), "rho": config["rho"],
                     "epsilon": config["epsilon"], "step_finite": math.isfinite(loss)},
                    details={"loss": loss, "epsilon=None at the first step": none_error})


OPTIMIZER_RULES = [
    claim("A17_sgd_update_rule", "III, Small vs Large Learning Rate", "2237",
          "weight += -learning_rate * gradient", FLOAT32_STEPS,
          fast(Close(document_update(W0, GRADS[:2], 0.1), atol=1e-6),
               learning_rate=0.1, momentum=0.0, grads=GRADS[:2]), measure=sgd_steps),
    claim("A18_momentum_rule", "III, Momentum", "2277-2278",
          "velocity = (momentum * velocity) - (learning_rate * gradient) weight += velocity",
          FLOAT32_STEPS + " Momentum 0.9 (nesterov=False, the default).",
          fast(Close(document_update(W0, GRADS, 0.1, 0.9), atol=1e-6),
               learning_rate=0.1, momentum=0.9, grads=GRADS), measure=sgd_steps),
    claim("A23_adaptive_lr_list", "III, Adaptive Learning Rate", "2283-2293",
          "There are many popular algorithms that dynamically adapt the learning rate: Adadelta Adagrad "
          "Adam AdaMax AMSGrad Momentum Nadam Nesterov RMSprop",
          "An optimizer adapts the learning rate when each parameter's step per unit gradient is set by "
          "that parameter's own gradients: two parameters whose gradients differ by 1000x then move by "
          "steps that are not in the gradients' ratio. One learning rate for every parameter (plain "
          "gradient descent, and momentum, whose velocity sums the same multiples of each gradient) "
          "gives steps exactly in that ratio. Each of the nine, built through keras.optimizers as the "
          "port says (defaults otherwise), takes one step from 0 on a float32 variable with gradients [1e-3, 1]; "
          "it adapts when the two steps per unit gradient differ by more than rtol 1e-3 (float32 "
          "rounding of a proportional step is ~1e-7). Exact: all nine must adapt.",
          fast(Exact({name: True for name in OPTIMIZERS_2283}), gradients=[1e-3, 1.0], rtol=1e-3),
          post_hoc="rule rewritten to test adaptation, not existence, after the reported run (b9fb113)",
          measure=adapts, document_value="all nine adapt the learning rate",
          port="Names mapped to Keras: AdaMax -> Adamax, AMSGrad -> Adam(amsgrad=True), "
               "Momentum -> SGD(momentum=0.9), Nesterov -> SGD(momentum=0.9, nesterov=True)."),
    claim("A19_default_time_decay", "III, Decay", "2251",
          "By default, TF.Keras optimizers use time-based decay.",
          "Each optimizer, default-constructed, takes 3 steps on a float32 variable; time-based decay "
          "lr0/(1 + decay*t) with any decay >= 1e-6 lowers the learning rate by >= 3e-6 relative in "
          "3 steps, above float32 resolution (1.2e-7), so the rule is lr_3/lr_0 <= 1 - 1e-6 for every "
          "optimizer. For reference: Keras 3 optimizers have no decay by default (a constant "
          "learning rate; the `decay` argument is ignored with a warning), and TF 2.0's default was "
          "decay=0.0 too, which the document's own L2301 passes.",
          fast(All({name: AtMost(1 - 1e-6) for name in DEFAULT_OPTIMIZERS}),
               optimizers=DEFAULT_OPTIMIZERS, steps=3), measure=default_decay,
          document_value="learning rate decays by default"),
    claim("A24_rmsprop_ctor", "III, Adaptive Learning Rate", "2298-2304",
          "For TF.Keras, these learning rate algorithms are specified when the optimizer is defined for "
          "minimizing the loss function. ... optimizers.RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0)",
          EXACT_API + " The ported optimizer must hold the document's settings (learning rate 0.001 "
          "in float32, rho 0.9, epsilon 1e-7 = what epsilon=None meant in TF 2.0, the backend "
          "epsilon) and a model compiled with it and loss='mean_squared_error' must take a finite step.",
          fast(Exact({"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-07, "step_finite": True})),
          measure=rmsprop_port,
          port="lr= -> learning_rate=; epsilon=None dropped (Keras default 1e-7, TF 2.0's meaning of "
               "None; keeping None fails at the first step); decay=0.0 dropped (Keras 3 ignores decay "
               "with a warning; 0.0 meant no decay). The model is 002's M01 regressor on 16 random rows."),
]


# --- learning-rate schedules against the document's formulas -------------------------------------

STEPS = [0, 1, 2, 5, 10, 20, 50, 100]
SPE, EPOCHS = 100, 10  # cosine: steps per epoch, epochs; evaluated at the end of each epoch
SCHEDULE_FLOAT32 = ("The Keras schedule is evaluated in float32 at the listed iterations; it must equal "
                    "the document's formula (float64) within rtol 1e-5 and atol 1e-7 (float32 pow/cos "
                    "of arguments up to ~30 lose a few ulps).")


def time_compounded(lr0, decay, steps):
    """L2256 read as written: ``Learning_rate *= 1 / (1 + decay * iteration)`` at every iteration."""
    return [lr0 * float(np.prod(1 / (1 + decay * np.arange(1, t + 1)))) for t in steps]


def cosine(c, iterations, argument):
    """L2268: ``c * (1 + cos(pi * argument(iteration)))``."""
    return [c * (1 + math.cos(math.pi * argument(i))) for i in iterations]


def schedule(case):
    lr = getattr(keras.optimizers.schedules, case.config["schedule"])(**case.config["kwargs"])
    return Measured([float(lr(step)) for step in case.config["steps"]],
                    details={"document_formula": case.rule.expected})


SCHEDULES = [
    claim("A20_time_based_formula", "III, Time-based Decay", "2256",
          "Learning_rate *= (1 / (1 + decay * iteration))",
          SCHEDULE_FLOAT32 + " As printed, `*=` applies the factor at every iteration, so the factors "
          "compound: lr_t = lr0 * prod_{i<=t} 1/(1 + decay*i). Keras' time-based decay "
          "(InverseTimeDecay, and TF 2.0's optimizer decay=) is lr0 / (1 + decay*t), not compounded "
          "(lr0 0.1, decay 0.01).",
          fast(Close(time_compounded(0.1, 0.01, STEPS), rtol=1e-5, atol=1e-7),
               schedule="InverseTimeDecay", steps=STEPS,
               kwargs={"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.01}), measure=schedule,
          document_value="lr *= 1/(1 + decay*iteration), every iteration",
          port="decay= (time-based) -> keras.optimizers.schedules.InverseTimeDecay(decay_steps=1)"),
    claim("A20_time_based_formula_closed_form", "III, Time-based Decay", "2256",
          "Learning_rate *= (1 / (1 + decay * iteration))",
          SCHEDULE_FLOAT32 + " Read as the closed form lr = lr0 / (1 + decay * iteration) (lr0 0.1, "
          "decay 0.01), which is what Keras computes.",
          fast(Close([0.1 / (1 + 0.01 * t) for t in STEPS], rtol=1e-5, atol=1e-7),
               schedule="InverseTimeDecay", steps=STEPS,
               kwargs={"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.01}), measure=schedule,
          document_value="lr0 / (1 + decay*iteration)",
          port="decay= (time-based) -> keras.optimizers.schedules.InverseTimeDecay(decay_steps=1)"),
    claim("A21_step_based_formula", "III, Step-based Decay", "2262",
          "learning_rate = initial_learning_rate * decay**iteration",
          SCHEDULE_FLOAT32 + " lr0 0.1, decay 0.96, against ExponentialDecay(decay_steps=1).",
          fast(Close([0.1 * 0.96 ** t for t in STEPS], rtol=1e-5, atol=1e-7),
               schedule="ExponentialDecay", steps=STEPS,
               kwargs={"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.96}), measure=schedule,
          document_value="lr0 * decay**iteration"),
    claim("A22_cosine_formula", "III, Cosine Decay", "2268-2269",
          "learning_rate = c * (1 + cos(pi * (steps_per_epoch * interaction)/epochs)) "
          "# where c is typically in range 0.45 to 0.55",
          SCHEDULE_FLOAT32 + " As printed, with c = 0.5 (lr0 = 1, so c is in the document's range), "
          "100 steps per epoch, 10 epochs and the iteration counted in epochs, against Keras' "
          "CosineDecay(lr0, decay_steps = 100*10) at the end of each epoch. A cosine schedule's "
          "argument is the fraction of training done, pi*step/(steps_per_epoch*epochs); the printed "
          "argument is steps_per_epoch times that (here 10*pi per epoch, where cos is 1 and lr is 2c).",
          fast(Close(cosine(0.5, range(EPOCHS + 1), lambda i: SPE * i / EPOCHS), rtol=1e-5, atol=1e-7),
               schedule="CosineDecay", steps=[SPE * i for i in range(EPOCHS + 1)],
               kwargs={"initial_learning_rate": 1.0, "decay_steps": SPE * EPOCHS}), measure=schedule,
          document_value="c*(1 + cos(pi*steps_per_epoch*iteration/epochs))"),
    claim("A22_cosine_formula_per_epoch", "III, Cosine Decay", "2268-2269",
          "learning_rate = c * (1 + cos(pi * (steps_per_epoch * interaction)/epochs))",
          SCHEDULE_FLOAT32 + " With the argument read as pi*iteration/epochs (iteration in epochs) and "
          "c = lr0/2 = 0.5: Keras' CosineDecay (alpha=0) at the end of each of 10 epochs.",
          fast(Close(cosine(0.5, range(EPOCHS + 1), lambda i: i / EPOCHS), rtol=1e-5, atol=1e-7),
               schedule="CosineDecay", steps=[SPE * i for i in range(EPOCHS + 1)],
               kwargs={"initial_learning_rate": 1.0, "decay_steps": SPE * EPOCHS}), measure=schedule,
          document_value="c*(1 + cos(pi*iteration/epochs)), c = lr0/2"),
]


# --- ImageDataGenerator (tf.keras.preprocessing.image, legacy) -----------------------------------

IDG_DRAWS = 400  # images drawn per seed for the flip frequencies
RANGE_DRAWS = 1000  # random transforms sampled per seed for the ranges
SUBSET_BATCH = 64
IDG_PORT = "The apple photo is replaced by a synthetic image (40 x 60, asymmetric) or a bright square on black."


def asymmetric_image(height=40, width=60):
    """(height, width, 3) uint8, every pixel different from its mirror images."""
    return (np.arange(height * width * 3).reshape(height, width, 3) % 251).astype(np.uint8)


def square_image(height=40, width=40, side=10):
    """(height, width, 3) float32 black image with a centred side x side square of value 200."""
    image = np.zeros((height, width, 3), "float32")
    top, left = (height - side) // 2, (width - side) // 2
    image[top:top + side, left:left + side] = 200.0
    return image


def box(image):
    """(top row, left column, height, width) of the pixels above 100 in channel 0."""
    rows, cols = np.nonzero(np.asarray(image)[..., 0] > 100)
    return int(rows.min()), int(cols.min()), int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def generator(**kwargs):
    from tensorflow.keras.preprocessing.image import ImageDataGenerator
    return ImageDataGenerator(**kwargs)


def idg_flips(case):
    image, draws = asymmetric_image(), case.config["draws"]
    outcomes = {"none": image, "left-right": image[:, ::-1], "up-down": image[::-1], "both": image[::-1, ::-1]}
    fractions = {name: [] for name in outcomes}

    def outcome_counts(seed):
        # flow seeds batch b with seed + b: seeds spaced by `draws` keep the seeds' draws disjoint
        flow = generator(horizontal_flip=True, vertical_flip=True).flow(image[None], batch_size=1, seed=seed * draws)
        counts, unmatched = dict.fromkeys(outcomes, 0), 0
        for _ in range(draws):
            x = next(flow)[0]
            match = [name for name, flipped in outcomes.items() if np.array_equal(x, flipped)]
            if match:
                counts[match[0]] += 1
            else:
                unmatched += 1
        return counts, unmatched
    runs = case.per_seed(outcome_counts)
    for counts, _ in runs:
        for name in outcomes:
            fractions[name].append(counts[name] / draws)
    others = sum(unmatched for _, unmatched in runs)
    identity = sum(counts["none"] for counts, _ in runs)
    interval = stats.proportion_ci(identity, draws * len(runs), confidence=case.confidence)
    figure = plots.points(fractions, ylabel="fraction of draws", hline=(0.25, "1/4 each"),
                          title=f"A39: outcome of each draw, {draws} draws per seed")
    return Measured({"identity_fraction": interval.point, "non_flip_outputs": others},
                    interval={"identity_fraction": interval}, samples=fractions, figure=figure)


def idg_dtype(case):
    x = next(generator(horizontal_flip=True).flow(asymmetric_image()[None], batch_size=1, seed=case.seed))
    return Measured(x.dtype.name)


def sampled(case, kwargs):
    """The ``param`` of get_random_transform over all seeds (``draws`` each), per seed, and the
    seeds in the order they were drawn."""
    draws, shape = case.config["draws"], asymmetric_image().shape
    idg = generator(**kwargs)
    runs = case.per_seed(lambda seed: (seed, [idg.get_random_transform(shape, seed=seed * draws + i)[case.config["param"]]
                                              for i in range(draws)]))
    per_seed = [values for _, values in runs]
    return np.concatenate(per_seed), per_seed, [seed for seed, _ in runs]


def idg_range(case):
    values, per_seed, _ = sampled(case, case.config["kwargs"])
    figure = plots.histogram({case.config["param"]: values}, xlabel=case.config["param"], band=(-60, 60),
                             title=f"A41: sampled rotation angles, {len(values)} draws")
    return Measured({"min": float(values.min()), "max": float(values.max())}, figure=figure,
                    samples={"min": [min(s) for s in per_seed], "max": [max(s) for s in per_seed]})


def idg_brightness(case):
    values, per_seed, seeds = sampled(case, case.config["kwargs"])
    base = np.random.default_rng(seeds[0]).integers(20, 120, (40, 60, 3)).astype("float32")
    idg = generator()
    means = {str(f): float(idg.apply_transform(base, {"brightness": f}).mean()) for f in (0.5, 2)}
    figure = plots.histogram({"brightness factor": values}, xlabel="factor", band=(0.5, 2),
                             title=f"A44: sampled brightness factors, {len(values)} draws")
    return Measured({"min": float(values.min()), "max": float(values.max()),
                     **{f: "darker" if m < base.mean() else "brighter" for f, m in means.items()}},
                    details={"mean_before": float(base.mean()), "mean_after": means,
                             "samples_min_max": [[min(s), max(s)] for s in per_seed]},
                    figure=figure)


def idg_zoom(case):
    square, idg = square_image(), generator()
    zoomed = {z: idg.apply_transform(square, {"zx": z, "zy": z}) for z in (0.5, 2.0)}
    sides = {z: box(image)[2] for z, image in zoomed.items()}
    top, left, rows, cols = box(idg.apply_transform(square_image(40, 60), {"zx": 0.5, "zy": 0.5}))
    sampled_z = [generator(zoom_range=(0.5, 2)).get_random_transform(square.shape, seed=i)["zx"] for i in range(1000)]
    direction = {z: "zoom in" if side > 10 else "zoom out" for z, side in sides.items()}
    return Measured({"0.5": direction[0.5], "2": direction[2.0]},
                    details={"square_side_before": 10, "square_side_after": {str(z): s for z, s in sides.items()},
                             "sampled_zoom_min_max": [min(sampled_z), max(sampled_z)],
                             "40x60_image_zoom_0.5_square_centre_before_after": [
                                 [19.5, 29.5], [top + (rows - 1) / 2, left + (cols - 1) / 2]],
                             "40x60_note": "the square's centre before and after a zoom of 0.5 on a "
                                           "non-square image: whether the zoom is centred there too"})


def idg_shift(case):
    image, draws = square_image(40, 60), case.config["draws"]
    top, left, _, _ = box(image)
    axes, moved = {}, {}
    for name in ("width_shift_range", "height_shift_range"):
        idg = generator(**{name: 0.2})
        boxes = np.array([b for per_seed in case.per_seed(
            lambda seed: [box(idg.random_transform(image, seed=seed * draws + i)) for i in range(draws)])
            for b in per_seed])
        rows, cols = np.abs(boxes[:, 0] - top).max(), np.abs(boxes[:, 1] - left).max()
        axes[name] = "vertical" if rows and not cols else "horizontal" if cols and not rows else "both"
        moved[name] = {"max_rows": int(rows), "max_columns": int(cols)}
    return Measured(axes, details={"largest_shift_px": moved, "image_height_width": [40, 60]})


def idg_norm_order(case):
    seed = case.seed
    base = np.random.default_rng(seed).integers(30, 120, (40, 60, 3)).astype("float32")
    survived, undone = {}, {}
    for name, kwargs in (("normalization", {"rescale": 1 / 255}),
                         ("standardization", {"samplewise_center": True, "samplewise_std_normalization": True})):
        idg = generator(**kwargs)
        out = {f: idg.standardize(idg.apply_transform(base.copy(), {"brightness": f})) for f in (0.5, 1.0, 2.0)}
        survived[name] = max(float(np.abs(out[f] - out[1.0]).mean() / np.abs(out[1.0]).mean()) for f in (0.5, 2.0))
        undone[name] = survived[name] < 0.1
    inside = generator(brightness_range=(0.5, 2), samplewise_center=True, samplewise_std_normalization=True)
    reference = generator(samplewise_center=True, samplewise_std_normalization=True).standardize(base.copy())
    flowed = next(inside.flow(np.repeat(base[None], 8, 0), batch_size=8, shuffle=False, seed=seed))
    return Measured(undone,
                    details={"change_surviving": survived,
                             "idg_flow_brightness_then_standardize_max_change": float(
                                 np.abs(flowed - reference).mean() / np.abs(reference).mean()),
                             "idg_order": "random_transform (brightness) runs before standardize() in flow"})


def idg_subset(case):
    image, batch = asymmetric_image(), case.config["batch"]

    def kept_originals(seed):
        x = next(generator(rotation_range=30).flow(np.repeat(image[None], batch, 0), batch_size=batch,
                                                   shuffle=False, seed=seed * 1000))
        return [np.array_equal(xi, image) for xi in x], len(x)
    runs = case.per_seed(kept_originals)
    fractions = [float(np.mean(same)) for same, _ in runs]
    unchanged = sum(sum(same) for same, _ in runs)
    sizes = {size for _, size in runs}
    interval = stats.proportion_ci(unchanged, batch * len(runs), confidence=case.confidence)
    figure = plots.points({"unchanged images": fractions}, ylabel="fraction of the batch",
                          hline=(0.5, "document: e.g. 50%"), title=f"A46: originals left in a batch of {batch}")
    return Measured(interval.point, interval=interval, samples=fractions, figure=figure,
                    details={"batch_sizes_out": sorted(sizes)})


IDG = [
    claim("A39_idg_random_incl_identity", "III, Flip (TF.Keras ImageDataGenerator)", "2741",
          "The generator will randomly select an augmentation (including no augmentation) per iteration.",
          "ImageDataGenerator(horizontal_flip=True, vertical_flip=True).flow of one image, 400 draws per "
          "seed: every output must be one of the four flips (none, left-right, up-down, both) exactly, "
          "and 'no augmentation' must come up; each flip is taken with probability 1/2, so none has "
          "probability 1/4: its frequency must lie within 5 standard errors of 1/4 over all 5 x 400 draws "
          "(its Clopper-Pearson interval over all the draws, independent Bernoulli trials, must lie "
          "inside that band).",
          fast(All({"identity_fraction": Between(*binomial_band(0.25, IDG_DRAWS * len(SEEDS))), "non_flip_outputs": Exact(0)}),
               seeds=SEEDS, draws=IDG_DRAWS,
               across_seeds="The identity fraction is a proportion over all seeds' draws, each draw an independent "
                            "Bernoulli trial, read on one Clopper-Pearson interval."),
          measure=idg_flips, tensorflow_only=IDG_API, port=IDG_PORT,
          post_hoc="interval method moved to Clopper-Pearson after the per-seed t interval was seen on the reported seeds (b315ad8)"),
    claim("A40_idg_float32", "III, Flip (TF.Keras ImageDataGenerator)", "2742",
          "After transformation (augmentation), the pixel values will be 32-bit float.",
          EXACT_API + " flow() on a uint8 batch must yield float32 arrays.",
          fast(Exact("float32")), measure=idg_dtype, tensorflow_only=IDG_API, port=IDG_PORT),
    claim("A41_idg_rotation_range", "III, Rotation (TF.Keras ImageDataGenerator)", "2775",
          "we use the rotation_range parameter to set random rotations between -60 and 60 degrees",
          "get_random_transform of ImageDataGenerator(rotation_range=60), 1,000 draws per seed: all "
          "angles must lie in [-60, 60] and both ends must be reached within 1 degree (a uniform draw "
          "misses [59, 60] 5,000 times with probability (119/120)^5000 ~ 1e-18).",
          fast(All({"min": Between(-60, -59), "max": Between(59, 60)}), seeds=SEEDS,
               kwargs={"rotation_range": 60}, param="theta", draws=RANGE_DRAWS), measure=idg_range,
          tensorflow_only=IDG_API),
    claim("A42_idg_zoom_direction", "III, Zoom (TF.Keras ImageDataGenerator)", "2784",
          "we use the zoom_range parameter to set random values between 0.5 (zoom out) and 2 (zoom in)",
          "apply_transform with zx = zy = 0.5 and 2 on a 40 x 40 image with a centred 10 x 10 square: "
          "a zoom in makes the square larger, a zoom out smaller. The document's words: 0.5 zooms out, "
          "2 zooms in. The direction is read off the square's size, not off the parameter's name: "
          "apply_transform's affine matrix maps output pixels to input coordinates, so which factor "
          "enlarges is a property of the implementation.",
          fast(Exact({"0.5": "zoom out", "2": "zoom in"})), measure=idg_zoom, tensorflow_only=IDG_API,
          document_value="0.5 = zoom out, 2 = zoom in", port=IDG_PORT),
    claim("A43_idg_shift_range", "III, Shift (TF.Keras ImageDataGenerator)", "2793",
          "we use the width_shift_range and height_shift_range to set random values between 0 and 20% in "
          "shift horizontally or vertically",
          "random_transform of ImageDataGenerator(width_shift_range=0.2) and of (height_shift_range=0.2) "
          "on a 40 x 60 image with a bright square, 20 draws per seed: the axis along which the square "
          "moves (rows only: vertical, columns only: horizontal). The document (and the names) say "
          "width = horizontal, height = vertical.",
          fast(Exact({"width_shift_range": "horizontal", "height_shift_range": "vertical"}),
               seeds=SEEDS, draws=20), measure=idg_shift, tensorflow_only=IDG_API,
          document_value="width = horizontal, height = vertical, 0-20%", port=IDG_PORT),
    claim("A44_idg_brightness", "III, Brightness (TF.Keras ImageDataGenerator)", "2802",
          "we use the brightness_range parameter to set random values between 0.5 (darker) and 2 (brighter)",
          "ImageDataGenerator(brightness_range=(0.5, 2)): sampled factors (1,000 per seed) must lie in "
          "[0.5, 2] and reach both ends within 0.01 (missing one has probability (1 - 0.01/1.5)^5000 "
          "~ 3e-15); apply_transform with factor 0.5 must darken (lower mean) and 2 brighten.",
          fast(All({"min": Between(0.5, 0.51), "max": Between(1.99, 2.0), "0.5": Exact("darker"),
                    "2": Exact("brighter")}),
               seeds=SEEDS, kwargs={"brightness_range": (0.5, 2)},
               param="brightness", draws=RANGE_DRAWS), measure=idg_brightness, port=IDG_PORT,
          tensorflow_only=IDG_API),
    claim("A45_brightness_after_norm", "III, Brightness (TF.Keras ImageDataGenerator)", "2809",
          "If done before, then normalization and standardization would squash the values into the same "
          "original range, undoing the transformation.",
          "A brightness change (factors 0.5 and 2, ImageDataGenerator.apply_transform) followed by the "
          "document's normalization (divide by 255: ImageDataGenerator(rescale=1/255)) or by "
          "standardization (samplewise_center + samplewise_std_normalization). 'Undone' = less than "
          "10% of the change survives (mean |out(f) - out(1)| / mean |out(1)|; the change itself is "
          "50-100%). The document says both undo it. By arithmetic a fixed rescale keeps a "
          "multiplicative factor and per-image standardization removes it (an additive shift, the "
          "document's example, would likewise survive a rescale and be removed by centring), so the "
          "rule reads each of the two separately.",
          fast(Exact({"normalization": True, "standardization": True})), measure=idg_norm_order,
          tensorflow_only=IDG_API,
          document_value="both undo a brightness change made before them", port=IDG_PORT),
    claim("A46_aug_pipeline_subset", "III, Invariance", "2320",
          "For each batch drawn, a random subset of the images in the batch are selected for augmentation "
          "(e.g., 50%). ... The modified batch (originals plus augmented) are then fed to the model",
          "The document's pipeline measured on its own tool, ImageDataGenerator(rotation_range=30).flow "
          "of a batch of 64 copies of one image: the fraction of images left unchanged (originals). "
          "The document's example is 50%: it must lie within 5 standard errors of 1/2 over 5 x 64 images "
          "(its Clopper-Pearson interval over all the images, each rotated independently, inside that "
          "band). "
          "ImageDataGenerator has no parameter for the augmented fraction, so its default behaviour "
          "is what is measured.",
          fast(Between(*binomial_band(0.5, SUBSET_BATCH * len(SEEDS))), seeds=SEEDS,
               batch=SUBSET_BATCH,
               across_seeds="The unchanged fraction is a proportion over all seeds' images, each rotated "
                            "independently, read on one Clopper-Pearson interval."),
          post_hoc="interval method moved to Clopper-Pearson after the per-seed t interval was seen on the reported seeds (b315ad8)",
          measure=idg_subset, tensorflow_only=IDG_API,
          document_value="a random subset (e.g. 50%) augmented", port=IDG_PORT),
]


# --- fit, evaluate and validation in inference mode (full tier: each compiles a model) ----------


def images_and_labels(seed, n=64):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n, 28, 28)).astype("float32"), rng.integers(0, 10, n)


def validation_inference(case):
    seed = case.seed
    (x, y), (xv, yv) = images_and_labels(seed), images_and_labels(seed + 1)
    run = training.train(models.doc002_mnist_mlp_dropout, x, y, seed=seed, epochs=1, batch_size=32,
                         optimizer=lambda: keras.optimizers.SGD(learning_rate=0.0), validation_data=(xv, yv))
    evaluated = run.model.evaluate(xv, yv, batch_size=32, verbose=0, return_dict=True)["loss"]
    train_inference = run.model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)["loss"]
    return Measured(abs(run.history["val_loss"][0] - evaluated) / evaluated,
                    details={"val_loss": run.history["val_loss"][0], "evaluate_loss": evaluated,
                             "training_loss_dropout_on": run.history["loss"][0],
                             "training_data_loss_inference": train_inference})


def fit_int_labels(case):
    rng = np.random.default_rng(case.seed)
    model = models.doc002_mnist_mlp()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
    try:  # the exception is what this claim measures: its type and message are judged
        model.fit(rng.integers(0, 256, (32, 28, 28)).astype("uint8"), rng.integers(0, 10, 32), verbose=0)
        kind, message = None, ""
    except Exception as error:
        kind, message = type(error).__name__, str(error)
    result = {"type": kind, "phrase": case.config["phrase"] in message}
    return Measured({k: result[k] for k in case.rule.expected}, details={"message": message})


def evaluate_inference(case):
    seed = case.seed
    x, y = images_and_labels(seed)
    training.seed_everything(seed)
    model = models.doc002_mnist_mlp_dropout()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["acc"])
    before = [np.array(v) for v in model.variables]
    loss = model.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)["loss"]
    unchanged = all(np.array_equal(b, np.asarray(v)) for b, v in zip(before, model.variables))
    inference = float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, model(x, training=False))))
    return Measured({"variables_unchanged": unchanged and int(model.optimizer.iterations) == 0,
                     "loss_vs_inference_rel_diff": abs(loss - inference) / inference},
                    details={"evaluate_loss": loss, "inference_loss": inference,
                             "training_mode_loss": float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(
                                 y, model(x, training=True))))})


FIT_EVALUATE = [
    claim("A05_dropout_training_only_validation", "III, Validation & Overfitting", "1758",
          "Like the test data, the validation data is forward fed through the model without updating the "
          "model's parameters (i.e., inference mode)",
          "002's M10 (two Dropout(0.5) layers) fit for one epoch with validation_data and a learning "
          "rate of 0 (so the weights validation sees are the weights evaluate sees): the epoch's "
          "val_loss must equal evaluate() on the same data (inference mode: dropout off) within "
          "relative 1e-6 (the same float32 computation; a few ulps for reduction order).",
          full(AtMost(1e-6)), measure=validation_inference,
          port="SGD(learning_rate=0) instead of adam; 64 random 28x28 images and labels instead of CIFAR-10."),
    claim("A08_cce_int_labels_error", "III, One-Hot Encoding", "1602-1614",
          "model.fit(x_train, y_train) When you run the above you will see an error message. ValueError",
          EXACT_API + " 002's M09 compiled with categorical_crossentropy, fit on integer labels of shape "
          "(n,) as mnist.load_data() returns them, must raise a ValueError (Keras 3 raises it also for "
          "shape (n, 1), the shape in the document's message: 'must have the same shape').",
          full(Exact({"type": "ValueError"}),
               phrase="You are passing a target array of shape"), measure=fit_int_labels,
          port="32 random uint8 28x28 images and integer labels instead of MNIST."),
    claim("A08_cce_int_labels_error_message", "III, One-Hot Encoding", "1606-1614",
          "ValueError: You are passing a target array of shape (60000, 1) while using as loss "
          "`categorical_crossentropy`.",
          EXACT_API + " The same fit; the error's message must contain the document's words 'You are "
          "passing a target array of shape' (the wording of the TF 2.0 Keras the document used).",
          full(Exact({"type": "ValueError", "phrase": True}),
               phrase="You are passing a target array of shape"), measure=fit_int_labels,
          document_value="You are passing a target array of shape (60000, 1) ...",
          port="32 random uint8 28x28 images and integer labels instead of MNIST."),
    claim("A11_evaluate_no_update", "III, Normalization", "1719",
          "The evaluate() method operates in inference mode. That means, the the test data is forward fed "
          "through the model to make predictions, but there is no backward propagation -- the model's "
          "parameters are not updated.",
          EXACT_API + " 002's M10 (with dropout), compiled with adam: evaluate() must leave every "
          "variable and the optimizer's iteration count unchanged, and its loss must be the loss of "
          "model(x, training=False) (dropout off) within relative 1e-6 (float32).",
          full(All({"variables_unchanged": Exact(True), "loss_vs_inference_rel_diff": AtMost(1e-6)})),
          measure=evaluate_inference,
          port="64 random 28x28 images and labels instead of MNIST."),
]


# --- fit's batching, seen through the BatchRecorder probe (full tier: eager fits) ---------------

FEEDING = {"n": 70, "epochs": 4, "fit": {}, "global_seed": True}


@functools.lru_cache(maxsize=None)  # a recording with learning rate 0, not a training; its result holds Keras objects
def recorded(seed, n, epochs, fit_items, global_seed):
    """BatchRecorder.epochs of a fit on x = ids 0..n-1 (learning rate 0) and the warnings fit
    gave. global_seed=False (TensorFlow only): Python and numpy seeded, TensorFlow's global seed
    unset; the suite's op determinism (harness.kit.device), which refuses unseeded random ops, is
    switched off for that fit and both are restored afterwards."""
    training.seed_everything(seed)
    if not global_seed:
        tf.random.set_seed(None)
        backend.determinism(False)
    recorder = BatchRecorder()
    recorder.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.0), run_eagerly=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            recorder.fit(np.arange(n, dtype="float32")[:, None], np.zeros((n, 1), "float32"), epochs=epochs,
                         verbose=0, callbacks=[recorder.callback], **dict(fit_items))
    finally:
        training.seed_everything(seed)
        device.configure_determinism()
    return recorder.epochs, sorted({str(w.message) for w in caught})


def fed(epochs):
    """Per epoch, the example ids in the order the training batches fed them."""
    return [[i for batch in epoch["train"] for i in batch] for epoch in epochs]


def recording(case):
    """The case's fit, recorded: (BatchRecorder.epochs, warnings), shared by the claims that
    use the same fit."""
    config = case.config
    return recorded(case.seed, config["n"], config["epochs"], tuple(sorted(config["fit"].items())),
                    config["global_seed"])


def validation_split(case):
    epochs, caught = recording(case)
    held = [sorted(i for batch in epoch["validation"] for i in batch) for epoch in epochs]
    trained_on = {i for order in fed(epochs) for i in order}
    return Measured({"validation_fraction": len(held[0]) / case.config["n"],
                     "same_each_epoch": all(h == held[0] for h in held),
                     "trained_on_validation": bool(set(held[0]) & trained_on)},
                    details={"validation_ids": held[0], "warnings": caught})


def distinct_orders(case):
    epochs, caught = recording(case)
    orders = fed(epochs)
    return Measured(len({tuple(order) for order in orders}),
                    details={"first_ids_per_epoch": [order[:8] for order in orders], "warnings": caught})


def one_batch_each(case):
    epochs, caught = recording(case)
    n = case.config["n"]
    return Measured(all(sorted(order) == list(range(n)) for order in fed(epochs)), details={"warnings": caught})


def default_batches(case):
    epochs, caught = recording(case)
    return Measured([len(batch) for batch in epochs[0]["train"]], details={"warnings": caught})


def batches_per_epoch(case):
    epochs, caught = recording(case)
    orders = fed(epochs)
    return Measured([len(epoch["train"]) for epoch in epochs],
                    details={"examples_fed_per_epoch": [len(order) for order in orders],
                             "distinct_examples_over_all_epochs": len({i for order in orders for i in order}),
                             "warnings": caught})


BATCHING = [
    claim("A12_validation_split_last", "III, Validation & Overfitting", "1791",
          "we've added a keyword parameter validation_split=0.1 to the fit() method to set aside 10% of "
          "the training data for validation test after each epoch",
          EXACT_API + " fit(validation_split=0.1) on 100 examples, 2 epochs, batch 8: the validation "
          "batches must hold 10% of the examples, the same ones every epoch, none of them ever in a "
          "training batch. Which 10% (Keras documents the last ones, before shuffling) is recorded in details.",
          full(Exact({"validation_fraction": 0.1, "same_each_epoch": True, "trained_on_validation": False}),
               n=100, epochs=2, fit={"batch_size": 8, "validation_split": 0.1},
               global_seed=True), measure=validation_split),
    claim("A13_reshuffle_each_epoch", "III, Feeding", "1535",
          "each epoch is a different random permutation into batches -- that is, no two epochs have the "
          "same ordering of examples",
          EXACT_API + " fit with its defaults (shuffle=True) on 70 examples for 4 epochs, with no global "
          "TensorFlow seed (as in the document's code: tf.random.set_seed(None) after seeding Python "
          "and numpy): the 4 orders in which the examples are fed must all differ.",
          full(Exact(4), **{**FEEDING, "global_seed": False}), measure=distinct_orders,
          tensorflow_only="tf.random.set_seed(None): fit's shuffling without TensorFlow's global seed"),
    claim("A13_reshuffle_each_epoch_seeded", "III, Feeding", "1535",
          "each epoch is a different random permutation into batches -- that is, no two epochs have the "
          "same ordering of examples",
          EXACT_API + " The same fit after keras.utils.set_random_seed(0), as reproducible training (and "
          "this suite's harness.kit.training) does: the 4 orders must all differ. A claim of its own "
          "because Keras' array adapter draws each epoch's permutation with tf.random.shuffle inside "
          "a tf.data map, whose op seed a global seed fixes.",
          full(Exact(4), **FEEDING), measure=distinct_orders,
          document_value="a different permutation every epoch"),
    claim("A14_each_example_one_batch", "III, Feeding", "1533",
          "All the training data is split into batches, and typically each example will appear in only one batch.",
          EXACT_API + " Same run: in every epoch every example must be in exactly one batch.",
          full(Exact(True), **FEEDING), measure=one_batch_each),
    claim("A15_default_batch_32", "III, Mini-Batch Gradient Descent", "2207",
          "The batch size that is most commonly tried first is 32, and then 128.",
          EXACT_API + " What Keras tries first: fit without batch_size on 70 examples must feed "
          "batches of 32, 32 and the remaining 6.",
          full(Exact([32, 32, 6]), **FEEDING), measure=default_batches),
    claim("A16_steps_per_epoch", "III, Steps", "2182-2188",
          "if steps are set to 1000, then per epoch, only a 1000 random batches will be selected and fed "
          "into the neural network for training",
          "fit(x, y, batch_size=8, epochs=3, steps_per_epoch=8) on 120 numpy examples (15 batches: "
          "8/15 = 0.53, the document's 1000 of MNIST's 1875 batches of 32): the document's words give "
          "8 batches in each of the 3 epochs. With arrays, Keras takes the steps from an iterator over "
          "the data that an epoch does not necessarily restart, so the count is read per epoch (the "
          "warnings fit gives are kept in details).",
          full(Exact([8, 8, 8]), n=120, epochs=3,
               fit={"batch_size": 8, "steps_per_epoch": 8}, global_seed=True), measure=batches_per_epoch,
          document_value="steps_per_epoch random batches in every epoch"),
]


# --- checkpoints and early stopping (full tier) ---------------------------------------------------

CKPT_PORT = ("'.ckpt' -> '.keras' (Keras 3 checkpoints are .keras files); 002's M06 (4 -> 10 -> 10 -> 5 "
             "softmax) on 64 synthetic examples (labels of a random linear teacher, 30% of them "
             "replaced at random), batch 16, Adam(0.05), metrics=['acc'] as in the document so the "
             "logs hold 'acc'/'val_acc'.")
EPOCH_FILES = ["mymodel-01.keras", "mymodel-02.keras", "mymodel-03.keras"]


def fit_m06(seed, epochs, callbacks, validation=True):
    """Train M06 on teacher_data; the Run and the distinct warnings fit gave."""
    (x, y), validation_data = teacher_data(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = training.train(m06, x, y, seed=seed, epochs=epochs, batch_size=16,
                             optimizer=lambda: keras.optimizers.Adam(0.05), metrics=("acc",),
                             validation_data=validation_data if validation else None, callbacks=callbacks)
    return run, sorted({str(w.message)[:160] for w in caught})


class Snapshots(keras.callbacks.Callback):
    """The model's weights at the end of every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append([np.array(w) for w in self.model.get_weights()])


def written_epochs(folder):
    """Epoch numbers of the 'mymodel-NN.keras' files in ``folder``."""
    return sorted(int(name[8:10]) for name in os.listdir(folder) if name.endswith(".keras"))


def checkpoint_files(case, tmp_path):
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "mymodel-{epoch:02d}.keras"), **case.config["checkpoint"])
    fit_m06(case.seed, case.config["epochs"], [checkpoint])
    return Measured(sorted(os.listdir(tmp_path)))


def restore_third(case, tmp_path):
    snapshots = Snapshots()
    fit_m06(case.seed, case.config["epochs"],
            [keras.callbacks.ModelCheckpoint(str(tmp_path / "mymodel-{epoch:02d}.keras")), snapshots])
    restored = keras.models.load_model(tmp_path / "mymodel-03.keras")
    same = all(np.array_equal(a, b) for a, b in zip(restored.get_weights(), snapshots.weights[2]))
    return Measured(same, details={"restored_optimizer_iterations": int(restored.optimizer.iterations)})


def best_only(case, tmp_path):
    def saved_epochs(seed):
        """-> (epochs saved without a higher val_acc, higher epochs not saved, seed, details)."""
        folder = tmp_path / str(seed)
        checkpoint = keras.callbacks.ModelCheckpoint(str(folder / "mymodel-{epoch:02d}.keras"),
                                                     save_best_only=True, monitor="val_acc")
        run, caught = fit_m06(seed, case.config["epochs"], [checkpoint], case.config["validation"])
        val_acc = run.history.get("val_acc", [])
        improved = {e + 1 for e, acc in enumerate(val_acc) if e == 0 or acc > max(val_acc[:e])}
        saved = set(written_epochs(folder))
        return (len(saved - improved), len(improved - saved), seed,
                {"val_acc": val_acc, "improved": sorted(improved), "saved": sorted(saved), "warnings": caught})

    saved_extra, missed, seeds, details = map(list, zip(*case.per_seed(saved_epochs)))
    return Measured({"saved_without_improvement": sum(saved_extra), "improvements_not_saved": sum(missed)},
                    samples={"saved_without_improvement": saved_extra, "improvements_not_saved": missed},
                    details=dict(zip(seeds, details)))


def document_stop(val_loss, wait, max_epochs):
    """Epochs the document's rule runs: stop after the first epoch that is ``wait`` epochs past
    the lowest val_loss so far (wait=1: not lower than the previous epoch's)."""
    for epoch in range(1, len(val_loss)):
        if epoch - int(np.argmin(val_loss[:epoch + 1])) >= wait:
            return epoch + 1
    return max_epochs


def early_stop(case, tmp_path):
    """Epochs run with EarlyStopping minus the epoch the document's rule stops at, read off the
    run's val_loss or, without validation data, off a paired run that has it."""
    config = case.config

    def stopped(seed):
        """-> (that difference, seed, details)."""
        stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=config["patience"])
        run, caught = fit_m06(seed, config["epochs"], [stopper], config["validation"])
        reference = run if config["validation"] else fit_m06(seed, config["epochs"], [], True)[0]
        val_loss, run_epochs = reference.history["val_loss"], len(run.history["loss"])
        return (run_epochs - document_stop(val_loss, config["wait"], config["epochs"]), seed,
                {"epochs_run": run_epochs, "val_loss": val_loss, "warnings": caught})

    gaps, seeds, details = map(list, zip(*case.per_seed(stopped)))
    figure = plots.curves({f"seed {seed}": [d["val_loss"]] for seed, d in zip(seeds, details)}, ylabel="val_loss",
                          title=f"{case.claim.id}: val_loss; epochs run in details")
    return Measured(max(abs(g) for g in gaps), samples=gaps, details=dict(zip(seeds, details)), figure=figure)


CHECKPOINTS = [
    claim("A25_ckpt_epoch_format", "III, Checkpointing", "2032-2042",
          "In the case below, we used the format syntax 'epoch:02d' to generate a unique file for each "
          "checkpoint, based on the epoch number. For example, if it's the third epoch, the file would be "
          "'mymodel-03.ckpt'.",
          EXACT_API + " ModelCheckpoint('mymodel-{epoch:02d}.keras') over 3 epochs must write exactly "
          "mymodel-01, -02 and -03.",
          full(Exact(EPOCH_FILES), epochs=3, checkpoint={}), measure=checkpoint_files, port=CKPT_PORT),
    claim("A26_ckpt_period", "III, Checkpointing", "2057-2068",
          "one may choose to save a checkpoint on every nth epoch (e.g., every 4th epoch) with the "
          "parameter period. In the code example below, a checkpoint is saved on every 4th epoch",
          EXACT_API + " Ported, over 8 epochs exactly mymodel-04 and mymodel-08 must be written.",
          full(Exact(["mymodel-04.keras", "mymodel-08.keras"]), epochs=8,
               checkpoint={"save_freq": 4 * 4}), measure=checkpoint_files,
          port=CKPT_PORT + " period=4 -> save_freq=16 (Keras 3 counts batches: 4 epochs x 4 batches)."),
    claim("A27_load_model_ckpt", "III, Checkpointing", "2047-2054",
          "A model can then be subsequently restored from a checkpoint using the load_model() method: "
          "model = load_model('mymodel-03.ckpt')",
          EXACT_API + " load_model of the third epoch's file must give the weights the model had at the "
          "end of epoch 3 (bit for bit).",
          full(Exact(True), epochs=3), measure=restore_third, port=CKPT_PORT),
    claim("A28_save_best_only", "III, Checkpointing", "2075-2086",
          "if the parameter monitor is set to val_acc, it will only write a checkpoint if the valuation "
          "accuracy is higher than the last saved checkpoint",
          EXACT_API + " ModelCheckpoint('mymodel-{epoch:02d}.keras', save_best_only=True, monitor='val_acc') "
          "over 10 epochs with validation data: the epochs written must be exactly those whose val_acc "
          "is higher than every earlier epoch's (the first epoch counts as higher).",
          full(Exact({"saved_without_improvement": 0, "improvements_not_saved": 0}), seeds=(0, 1, 2),
               epochs=10, validation=True), measure=best_only,
          port=CKPT_PORT + " validation_data added (the document's fit has none; see the _no_validation claim)."),
    claim("A28_save_best_only_no_validation", "III, Checkpointing", "2075-2086",
          "checkpoint = ModelCheckpoint(filepath, save_best_only=True, monitor='val_acc') "
          "model.fit(x_train, y_train, epochs=epochs, callbacks=[checkpoint])",
          "The document's own fit call, which has no validation data, over 10 epochs: a checkpoint "
          "written at an epoch without a higher val_acc contradicts 'it will only write a checkpoint if "
          "the valuation accuracy is higher'; so does an improving epoch left unwritten. Without "
          "validation data there is no val_acc in the logs for the callback to compare; what it then "
          "does is what is counted (its warnings in details).",
          full(Exact({"saved_without_improvement": 0, "improvements_not_saved": 0}), seeds=(0, 1, 2),
               epochs=10, validation=False), measure=best_only,
          document_value="only improving epochs are written", port=CKPT_PORT),
    claim("A29_earlystop_default", "III, Early Stopping", "2097-2106",
          "training will be stopped early if the valuation loss stops reducing from the previous epoch",
          EXACT_API + " EarlyStopping(monitor='val_loss') with validation data, at most 20 epochs: "
          "training must end after the first epoch whose val_loss is not lower than the previous "
          "epoch's (or after 20). Value: epochs run minus that epoch, max |.| over seeds 0-2.",
          full(Exact(0), seeds=(0, 1, 2), epochs=20, patience=0, wait=1, validation=True), measure=early_stop,
          port=CKPT_PORT + " validation_data added (the document's fit has none; see the _no_validation claim)."),
    claim("A29_earlystop_default_no_validation", "III, Early Stopping", "2097-2106",
          "earlystop = EarlyStopping(monitor='val_loss') model.fit(x_train, y_train, epochs=epochs, "
          "callbacks=[earlystop])",
          "The document's own fit call, without validation data, at most 10 epochs. Where the document "
          "says training stops is read off the validation loss of a paired run with validation data "
          "and no callback (the same seed trains the same weights: validation does not touch "
          "training). Value: epochs run minus that epoch, max |.| over seeds 0-2, must be 0. Without "
          "validation data there is no val_loss in the logs for the callback to monitor; what it then "
          "does is what is counted (its warnings in details).",
          full(Exact(0), seeds=(0, 1, 2), epochs=10, patience=0, wait=1, validation=False), measure=early_stop,
          document_value="stops when the validation loss stops reducing", port=CKPT_PORT),
    claim("A30_earlystop_patience3", "III, Early Stopping", "2113-2120",
          "the training will stop early if there is no improvement in the valuation loss after three epochs",
          EXACT_API + " EarlyStopping(monitor='val_loss', patience=3) with validation data, at most 20 "
          "epochs: training must end after the first epoch that is 3 epochs past the lowest val_loss "
          "so far (or after 20). Value: epochs run minus that epoch, max |.| over seeds 0-2.",
          full(Exact(0), seeds=(0, 1, 2), epochs=20, patience=3, wait=3, validation=True), measure=early_stop,
          port=CKPT_PORT + " validation_data added."),
]


# --- save and restore ----------------------------------------------------------------------------

SAVE_PORT = ("'mymodel' -> 'mymodel.keras', 'myweights' -> 'myweights.weights.h5' (the names Keras 3 "
             "accepts); the trained model is 002's M06 after one step of Adam on 64 synthetic examples.")


@functools.lru_cache(maxsize=None)
def trained(seed):
    """M06 after one step of Adam(0.01) on teacher_data (eager: no tracing), and its inputs;
    built once per seed and shared (the tests only save it and read it)."""
    (x, y), _ = teacher_data(seed)
    training.seed_everything(seed)
    model = m06()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(0.01), run_eagerly=True)
    model.train_on_batch(x, y)
    return model, x


def save_model(case, tmp_path):
    model, _ = trained(case.seed)
    path = tmp_path / "mymodel.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    return Measured({"architecture_restored": plain(restored.get_config()) == plain(model.get_config()),
                     "weights_restored": same_weights(restored, model)},
                    details={"is_folder": path.is_dir(), "bytes": path.stat().st_size})


def weights_file(case, tmp_path):
    model, _ = trained(case.seed)
    model.save_weights(tmp_path / "myweights.weights.h5")
    sizes = {}
    with h5py.File(tmp_path / "myweights.weights.h5") as f:
        f.visititems(lambda name, item: sizes.update({name.split("/")[0]: sizes.get(name.split("/")[0], 0) + item.size})
                     if isinstance(item, h5py.Dataset) else None)
    return Measured({"groups": sorted(g for g, n in sizes.items() if n)},
                    details={"stored_values_per_group": sizes, "model_parameters": model.count_params()})


def load_weights(case, tmp_path):
    model, x = trained(case.seed)
    model.save_weights(tmp_path / "myweights.weights.h5")
    fresh = m06()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh.load_weights(tmp_path / "myweights.weights.h5")
    return Measured({"weights_restored": same_weights(fresh, model),
                     "predictions_equal": bool(np.array_equal(keras.ops.convert_to_numpy(fresh(x)),
                                                              keras.ops.convert_to_numpy(model(x))))},
                    details={"warnings": sorted({str(w.message)[:160] for w in caught})})


def resume(case, tmp_path):
    """Uninterrupted 4 epochs vs 2 epochs, save, the document's restore, 2 more epochs."""
    seed = case.seed
    (x, y), _ = teacher_data(seed)

    def compiled():
        training.seed_everything(seed)
        model = m06()
        schedule = keras.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, decay_rate=0.5)
        model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(schedule))
        return model

    fit = dict(batch_size=16, verbose=0, shuffle=False)
    uninterrupted = compiled()
    uninterrupted.fit(x, y, epochs=4, **fit)
    paused = compiled()
    paused.fit(x, y, epochs=2, callbacks=[keras.callbacks.ModelCheckpoint(str(tmp_path / "mymodel-{epoch:02d}.keras"))], **fit)
    paused_lr = float(paused.optimizer.learning_rate)
    paused.save(tmp_path / "mymodel.keras")
    paused.save_weights(tmp_path / "myweights.weights.h5")
    model = keras.models.load_model(tmp_path / "mymodel.keras")  # the document's restore, L3136-3146
    model.load_weights(tmp_path / "myweights.weights.h5")
    state = [np.asarray(v) for v in model.optimizer.variables]
    restored = len(state) == len(paused.optimizer.variables) and all(
        np.array_equal(a, np.asarray(b)) for a, b in zip(state, paused.optimizer.variables))
    checkpoint = keras.models.load_model(tmp_path / "mymodel-02.keras")
    model.fit(x, y, epochs=2, **fit)
    value = {"optimizer_state_restored": restored, "learning_rate_changes": paused_lr != 0.01,
             "restored_learning_rate_equals_saved": float(checkpoint.optimizer.learning_rate) == paused_lr}
    return Measured({k: value[k] for k in case.rule.expected},
                    details={"iterations_saved_restored": [int(paused.optimizer.iterations), int(checkpoint.optimizer.iterations)],
                             "learning_rate_start_paused": [0.01, paused_lr],
                             "resumed_vs_uninterrupted_max_weight_difference": max(
                                 float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), uninterrupted.get_weights()))})


SAVE_RESTORE = [
    claim("A31_model_save_savedmodel", "III, Save", "3106-3113",
          "The save() method will save both the weights/biases and the model to a specified folder in "
          "Tensorflow SavedModel format.",
          EXACT_API + " load_model of what save() wrote must give the same architecture (config) and "
          "the same weights, bit for bit. (The folder and SavedModel format are the as-written claim's "
          "subject: Keras 3 writes one .keras zip file.)",
          fast(Exact({"architecture_restored": True, "weights_restored": True})), measure=save_model,
          port=SAVE_PORT),
    claim("A32_save_weights_tfckpt", "III, Save", "3116-3123",
          "The save_weights() method will save the model's parameters only to the specified folder in "
          "Tensorflow Checkpoint format.",
          EXACT_API + " The top-level groups of the file save_weights() wrote for the trained, compiled "
          "model must be the layers' parameters only (h5py's top-level groups holding any value; "
          "what each group stores is in details).",
          fast(Exact({"groups": ["layers"]})), measure=weights_file,
          document_value="the model's parameters only", port=SAVE_PORT),
    claim("A33_load_weights_import", "III, Restore", "3138-3146",
          "the trained weights/biases for a model are loaded into the corresponding pre-built model, using "
          "the load_weights() method",
          EXACT_API + " A freshly built M06 after model.load_weights('myweights.weights.h5') must hold the "
          "trained weights and predict exactly as the trained model.",
          fast(Exact({"weights_restored": True, "predictions_equal": True})), measure=load_weights,
          port=SAVE_PORT + " The import of a load_weights function is dropped; the Model method is used."),
    claim("A34_save_lacks_hparams", "III, Restore", "3130",
          "loading the model and model parameters is not the same as checkpointing, in that one is not "
          "restoring the current state of hyperparameters and this method therefore should not be used "
          "for continuous learning",
          "The document's restore (model = load_model('mymodel'); model.load_weights('myweights')) of a "
          "model trained 2 epochs with Adam and a time-based decay schedule: the optimizer state "
          "(iterations, hence the decayed learning rate, and Adam's moments) must not come back. The "
          "largest weight difference between training resumed from the restored model for 2 more "
          "epochs and 4 uninterrupted epochs is recorded in details.",
          full(Exact({"optimizer_state_restored": False})), measure=resume,
          document_value="hyperparameter state is not restored",
          port=SAVE_PORT + " Adam(InverseTimeDecay(0.01, 1, 0.5)); shuffle=False so that the resumed and "
               "uninterrupted runs see the same batches."),
    claim("A35_lr_changes_dynamically", "III, Checkpointing", "2024",
          "some of the hyperparameter values will dynamically change, such as the learning rate and decay. "
          "One would want to resume at the same hyperparameter values at the time the training was paused.",
          EXACT_API + " With a time-based decay schedule the learning rate must change during training, "
          "and the model restored from the epoch-2 checkpoint must resume at the learning rate it had "
          "when that checkpoint was written.",
          full(Exact({"learning_rate_changes": True, "restored_learning_rate_equals_saved": True})), measure=resume,
          port=SAVE_PORT + " Adam(InverseTimeDecay(0.01, 1, 0.5)); ModelCheckpoint('mymodel-{epoch:02d}.keras')."),
]


# --- keras.datasets' MNIST (full tier: the real data) ---------------------------------------------

def same_label_neighbours(labels):
    return float(np.mean(labels[1:] == labels[:-1]))


def permutation_z(labels, seed, n=200):
    """(observed - mean) / sd of same_label_neighbours over n random orders of the same labels."""
    rng = np.random.default_rng(seed)
    null = np.array([same_label_neighbours(rng.permutation(labels)) for _ in range(n)])
    return (same_label_neighbours(labels) - null.mean()) / null.std()


def mnist_order(case):
    seed = case.seed
    mnist = data.load("mnist")
    return Measured({"train_shape": list(mnist.x_train.shape), "test_shape": list(mnist.x_test.shape),
                     "train_same_label_neighbours": same_label_neighbours(mnist.y_train),
                     "test_same_label_neighbours": same_label_neighbours(mnist.y_test)},
                    details={"random_order_expectation": float(np.sum((np.bincount(mnist.y_train) / 60000) ** 2)),
                             "permutation_z_train": permutation_z(mnist.y_train, seed),
                             "permutation_z_test": permutation_z(mnist.y_test, seed)})


LOAD_DATA = [
    claim("A10_load_data_shuffled", "III, Train and Test Sets", "1562",
          "This method loads into memory the dataset already randomly shuffled and pre-split into train "
          "and test data.",
          "MNIST as keras.datasets.mnist.load_data() returns it: pre-split means 60,000 training and "
          "10,000 test images; shuffled means not grouped by class: the fraction of neighbours with the "
          "same label must be at most 0.2, twice what a random order gives (the sum of squared class "
          "shares, about 1/10 for ten roughly balanced classes), against ~1 for data sorted or grouped "
          "by label. Disclosure: the label "
          "order of the real files was looked at while exploring, before this rule was written; the "
          "rule is deliberately coarse ('not grouped'), and the permutation test against a uniformly "
          "random order is reported in details.",
          full(All({"train_shape": Exact([60000, 28, 28]), "test_shape": Exact([10000, 28, 28]),
                    "train_same_label_neighbours": AtMost(0.2), "test_same_label_neighbours": AtMost(0.2)})),
          measure=mnist_order,
          port="keras.datasets.mnist.load_data() -> harness.kit.data.load('mnist'): the same arrays (SHA-256 "
               "checked), read offline from CLAIMS_DATA_DIR."),
]


CLAIMS = (AS_WRITTEN + LAYERS + NAMES + OPTIMIZER_RULES + SCHEDULES + IDG + FIT_EVALUATE + BATCHING + CHECKPOINTS
          + SAVE_RESTORE + LOAD_DATA)

test_claims = claim_test(CLAIMS)
