"""The BatchNormalization layer's variables, moving-average update, train/inference
modes and fusion into the previous Dense layer (001 §1c), through a real Keras layer.

The batch is the fixed array BATCH, shape (4, 2): column means [3, 12] and (biased,
as Keras computes them) variances [3.5, 4]. A fresh layer starts with moving mean 0
and moving variance 1, so one training-mode call with momentum 0.9 gives moving mean
0.9*0 + 0.1*[3, 12] = [0.3, 1.2] and moving variance 0.9*1 + 0.1*[3.5, 4] = [1.25, 1.3].
All five claims are exact (float32 tolerances), judged without a figure.
"""
import keras
import numpy as np
import pytest

from harness.kit import models
from harness.engine.claim import All, AtLeast, AtMost, Claim, Close, Exact, Measured, Tier, claim_test

pytestmark = pytest.mark.exact_numerics("BatchNormalization's outputs and statistics are compared with formulas")

BATCH = np.array([[1, 10], [2, 10], [3, 14], [6, 14]], "float32")
FLOAT32 = "float32 arithmetic on values of order 1-10: atol 1e-6 (rounding ~1e-6 relative)."
SECTION = "1c. Batch Normalization"


def bn_layer(momentum):
    layer = keras.layers.BatchNormalization(momentum=momentum)
    layer.build((None, BATCH.shape[1]))
    return layer


def measure_variables(case):
    layer = bn_layer(0.99)
    return Measured([[v.path.split("/")[-1], v.trainable] for v in layer.variables])


def measure_model_counts(case):
    """Parameters of Géron's BN MLP (``models.doc001_bn_mlp``), counted from its variables'
    trainable flags: per BN layer, and total, trainable, non-trainable."""
    model = models.doc001_bn_mlp()
    sizes = [(int(np.prod(v.shape)), v.trainable) for v in model.variables]
    return Measured({"bn_layers": [layer.count_params() for layer in model.layers
                                   if isinstance(layer, keras.layers.BatchNormalization)],
                     "total": sum(n for n, _ in sizes),
                     "trainable": sum(n for n, t in sizes if t),
                     "non_trainable": sum(n for n, t in sizes if not t)})


def measure_momentum(case):
    layer = bn_layer(case.config["momentum"])
    layer(BATCH, training=True)
    value = {"moving_mean": layer.moving_mean.numpy(), "moving_variance": layer.moving_variance.numpy()}
    return Measured(value, details={"batch_mean": BATCH.mean(0), "batch_variance": BATCH.var(0)})


def measure_modes(case):
    layer = bn_layer(case.config["momentum"])
    layer(BATCH, training=True)  # moves the moving averages away from 0 and 1
    eps = layer.epsilon
    train, infer = (keras.ops.convert_to_numpy(layer(BATCH, training=t)) for t in (True, False))
    by_batch = (BATCH - BATCH.mean(0)) / np.sqrt(BATCH.var(0) + eps)
    by_moving = (BATCH - layer.moving_mean.numpy()) / np.sqrt(layer.moving_variance.numpy() + eps)
    value = {"train_vs_batch_stats": np.abs(train - by_batch).max(),
             "inference_vs_moving_stats": np.abs(infer - by_moving).max(),
             "train_minus_inference": np.abs(train - infer).max()}
    return Measured(value, details={"train": train, "inference": infer})


def measure_fusion(case):
    config, seed = case.config, case.seed
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, (config["n"], config["features"])).astype("float32")
    y = (x[:, :config["units"]] ** 2).astype("float32")
    dense, bn = keras.layers.Dense(config["units"]), keras.layers.BatchNormalization()
    model = keras.Sequential([keras.Input((config["features"],)), dense, bn])
    model.compile(optimizer=keras.optimizers.Adam(config["learning_rate"]), loss="mse")
    for batch in np.array_split(np.arange(len(x)), config["steps"]):
        loss = model.train_on_batch(x[batch], y[batch])  # mean squared error, BN in training mode
    kernel, bias = dense.get_weights()
    gamma, beta, mean, var = bn.get_weights()
    scale = gamma / np.sqrt(var + bn.epsilon)
    fused = keras.layers.Dense(config["units"])
    fused.build((None, config["features"]))
    fused.set_weights([kernel * scale, (bias - mean) * scale + beta])
    reference, folded = keras.ops.convert_to_numpy(model(x, training=False)), keras.ops.convert_to_numpy(fused(x))
    details = {"output_scale": float(np.abs(reference).max()), "final_train_mse": float(loss),
               "gamma": gamma, "moving_mean": mean}
    return Measured(float(np.abs(reference - folded).max()), details=details)


CLAIMS = [
    Claim("bn_variables", "001", SECTION, "191-199",
          "[('batch_normalization/gamma:0', True), ('batch_normalization/beta:0', True), "
          "('batch_normalization/moving_mean:0', False), ('batch_normalization/moving_variance:0', False)]",
          "An API fact printed by the document: names and trainable flags must match exactly.",
          {"fast": Tier(Exact([["gamma", True], ["beta", True], ["moving_mean", False],
                               ["moving_variance", False]]))},
          measure=measure_variables,
          port="Keras 3 variable paths have no ':0' suffix; the last path component is compared.",
          document_value="gamma, beta trainable; moving_mean, moving_variance not"),
    Claim("bn_momentum_update", "001", SECTION, "250-257",
          "given a new value v (i.e., a new vector of input means or standard deviations computed "
          "over the current batch), the layer updates the running average v-hat",
          "The exponential moving average the text describes, v-hat <- v-hat*momentum + v*(1-momentum), "
          "with momentum 0.9 after one training step on BATCH: moving mean [0.3, 1.2], moving variance "
          "[1.25, 1.3] (module docstring). " + FLOAT32,
          {"fast": Tier(All({"moving_mean": Close([0.3, 1.2], atol=1e-6),
                             "moving_variance": Close([1.25, 1.3], atol=1e-6)}),
                        config={"momentum": 0.9})},
          measure=measure_momentum,
          port="Keras keeps the moving variance, not the standard deviation the text names.",
          document_value="v-hat*momentum + v*(1-momentum) (the intended formula)"),
    Claim("bn_momentum_update_as_printed", "001", SECTION, "255",
          "v <- v x momentum + v x (1-momentum)",
          "The formula as printed uses v twice, so it reads v <- v*(momentum + 1 - momentum) = v: the "
          "running average would never move from its initial value (mean 0, variance 1), and that is what "
          "the rule checks. The intended update gives [0.3, 1.2] and [1.25, 1.3] instead (bn_momentum_update), "
          "so the rule tells the printed formula from the one Keras implements. " + FLOAT32,
          {"fast": Tier(All({"moving_mean": Close([0.0, 0.0], atol=1e-6),
                             "moving_variance": Close([1.0, 1.0], atol=1e-6)}),
                        config={"momentum": 0.9})},
          measure=measure_momentum, document_value="v <- v*momentum + v*(1-momentum) = v (typo)"),
    Claim("bn_train_vs_inference", "001", SECTION, "266-268",
          "it uses batch statistics during training and the \"final\" statistics after training "
          "(i.e., the final values of the moving averages)",
          "With gamma 1, beta 0: training=True must equal (x - batch mean)/sqrt(batch var + eps) and "
          "training=False (x - moving mean)/sqrt(moving var + eps), each within float32 atol 1e-5; "
          "and the two modes must differ visibly (max |difference| >= 0.1) for the test to mean anything.",
          {"fast": Tier(All({"train_vs_batch_stats": AtMost(1e-5), "inference_vs_moving_stats": AtMost(1e-5),
                             "train_minus_inference": AtLeast(0.1)}),
                        config={"momentum": 0.9})},
          measure=measure_modes),
    Claim("bn_fusion", "001", SECTION, "149",
          "it's often possible to fuse the BN layer with the previous layer, after training, ... by updating "
          "the previous layer's weights and biases so that it directly produces outputs of the appropriate "
          "scale and offset",
          "Fold a trained BN into the Dense before it: W' = W*gamma/sqrt(var+eps), "
          "b' = (b - mean)*gamma/sqrt(var+eps) + beta. The fused Dense must reproduce Dense->BN at "
          "inference within atol 1e-4 on outputs of order 1-10 (float32, two differently ordered "
          "computations over 20 inputs).",
          {"fast": Tier(AtMost(1e-4), seeds=(0,),
                        config={"n": 512, "features": 20, "units": 8, "steps": 16,
                                "learning_rate": 0.05})},
          measure=measure_fusion, document_value="fusion possible (no number)"),
    Claim("control_bn_mlp_published_counts", "001", SECTION, "153-176, 191-199",
          "Total params: 271,346 / Trainable params: 268,978 / Non-trainable params: 2,368 (Géron's summary "
          "of the Fashion-MNIST 300-100 MLP with BN after Flatten and after each hidden Dense)",
          "Exact counts of the published summary: 4 parameters per BN input (3,136, 1,200 and 400 for "
          "784, 300 and 100 inputs), of which the moving mean and variance are not trainable. The "
          "activation and initializer (the document's elu/he_normal, Géron's relu/glorot) do not change "
          "any count.",
          {"fast": Tier(Exact({"bn_layers": [3136, 1200, 400], "total": 271346, "trainable": 268978,
                               "non_trainable": 2368}))},
          measure=measure_model_counts,
          control="ageron/handson-ml2, 11_training_deep_neural_networks.ipynb (commit 262e54b), code cell "
                  "[36] model.summary(): BN layers 3136, 1200, 400 params; Total params 271,346, Trainable "
                  "268,978, Non-trainable 2,368"),
]

test_claims = claim_test(CLAIMS)
