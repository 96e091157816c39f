"""002 "Deep Learning Design Patterns" primer: its arithmetic and structural claims, and the
sizes it states for numbers and files.

What is measured, by section (each claim names its measuring function):
- arithmetic: the document's own numbers put through the operation its sentence states (a
  Python expression of constants, in the claim's config), e.g. 15 min x 100 epochs.
- structure: a fact read back from Keras: shapes, counts, default arguments, kernel sizes
  and MACs (models.macs) of the document's models (harness/kit/models.py, doc002_*).
- code that fails: code that the document says fails, or that fails once ported: the value
  is the exception's type and the part of its message that names the cause. Code the
  document shows running (E32, E35, E48 and the listings below) may fail only as its config
  declares (harness/kit/failures.py); any other exception is an error.
- code as printed (``*_as_written``): the document's listings, with only the artefacts of
  the text's extraction mended (lost indentation, comments wrapped onto a new line, the
  markdown fences), executed on Keras 3 / TensorFlow 2.21: the value is whether they run
  and what they build.
- float32 and vanishing gradients: the gradients of a deep sigmoid network at
  initialization, in float32, against the smallest float32 normal number.
- checkpoints: the bytes on disk of a 25-million-parameter model's checkpoints.
- pixels and datasets: the MNIST pixel arrays (embedded subset; the full set in the full
  tier); shapes, counts and class balance of MNIST and CIFAR-10 (full tier).
- validation_split=0.1 through the function Keras 3's fit calls.
- trained weights: the size of M09's parameters after training (full tier).

Big models (VGG16, ResNet50) are read in the full tier only, through models.built, which
builds each once per session.
"""
import contextlib
import io
import math

import keras
import numpy as np
import pytest
from keras.src.trainers.data_adapters import array_slicing

from harness.kit import backend, data, failures, models, plots, stats
from harness.engine.claim import All, AtLeast, AtMost, Between, Claim, Close, Exact, Measured, Tier, claim_test
from harness.kit.failures import CODE_WRONG, expected
from harness.kit.training import seed_everything, train

pytestmark = pytest.mark.exact_numerics("counts, shapes, sizes and float32 magnitudes are checked exactly")

MILLIONS = ("'N million' is read as the count's leading millions, N,xxx,xxx (the most generous "
            "reading of a round figure quoted from a printed total); the count rounded to the "
            "nearest million is given in details.")
RUNS = ("The document's code, as printed, must run (the claim every listing makes, as for the "
        "as-written claims): reproduced if nothing is raised, refuted if it raises the failure its "
        "config declares (type, message pattern, cause; recorded in details), an error if it raises "
        "anything else; the value is the exception's type and message (none when it runs).")


def fast(rule, **config):
    return {"fast": Tier(rule, config=config)}


def full(rule, **config):
    return {"full": Tier(rule, config=config)}


def millions(n):
    """The count lies in [n, n + 1) million."""
    return Between(n * 10**6, (n + 1) * 10**6 - 1)


def raises(type_name, message):
    return Exact({"type": type_name, "message": message})


RAISES_NOTHING = raises(None, "no exception")


# --- arithmetic of the document's numbers ------------------------------------------

def arithmetic(case) -> Measured:
    """config["expression"]: a Python expression of constants (only ``len`` available), or a
    dict of them for an ``All`` rule."""
    def evaluate(text):
        return eval(text, {"__builtins__": {"len": len}})

    expression = case.config["expression"]
    if isinstance(expression, dict):
        return Measured({k: evaluate(e) for k, e in expression.items()})
    value = evaluate(expression)
    return Measured(value, details={"nearest_million": round(value / 1e6)} if isinstance(case.rule, Between) else None)


ARITHMETIC = [
    Claim("E10_one_megapixel_weights", "002", "Chapter II, CNN Classifier", "783",
          "The number of weights to \"update and learn\" would be over a billion (1 million x 1024)",
          "'Over a billion' is more than 10^9; the document's own product, 10^6 inputs x 1024 "
          "nodes (weights only, as stated).",
          fast(AtLeast(10**9 + 1), expression="1_000_000 * 1024"), measure=arithmetic,
          document_value="> 1,000,000,000"),
    Claim("E12_imagenet_input_weights", "002", "Chapter II, Downsampling (Resize)", "787",
          "we still have 154 million weights to \"update and learn\" ($224 \\times 224 \\times 3 \\times 1024$)",
          MILLIONS, fast(millions(154), expression="224 * 224 * 3 * 1024"), measure=arithmetic,
          document_value="154 million"),
    Claim("E14_flatten_19200", "002", "Chapter II, Flattening", "834",
          "our 1D vector size will be $16 \\times 20 \\times 20 \\times 3 = 19,200$ elements",
          "An exact product stated with all its digits: no tolerance.",
          fast(Exact(19200), expression="16 * 20 * 20 * 3"), measure=arithmetic, document_value="19,200"),
    Claim("E36_ckpt_100MB", "002", "Chapter III, Checkpointing", "2030",
          "25 million parameters ... (4 bytes). Each checkpoint would then require 100Mb to save. "
          "After 10 epochs, that would already be one gigabyte",
          "The document's arithmetic, exactly, in decimal units: 'Mb' read as megabytes (10^6 "
          "bytes), since the sentence counts bytes and calls ten of them 'one gigabyte' (10^9 "
          "bytes). The files a checkpoint of such a model writes are measured in "
          "E36_ckpt_100MB_with_optimizer.",
          fast(All({"checkpoint_MB": Exact(100.0), "ten_checkpoints_GB": Exact(1.0)}),
               expression={"checkpoint_MB": "25e6 * 4 / 1e6", "ten_checkpoints_GB": "10 * 25e6 * 4 / 1e9"}),
          measure=arithmetic, document_value="100 MB per checkpoint; 1 GB after 10"),
    Claim("E37_epochs_25h", "002", "Chapter III, Epochs", "2143",
          "if a full pass of the data (epoch) takes 15 minutes and we run 100 epochs, the training "
          "time will take 25 hrs", "Exact: 15 min x 100 epochs in hours.",
          fast(Exact(25.0), expression="15 * 100 / 60"), measure=arithmetic, document_value="25 h"),
    Claim("E38_earlystop_saves_6h", "002", "Chapter III, Early Stopping", "2095",
          "20 epochs, which average 30 minutes each --for a total of 10 hours. But if the objective "
          "is met after 8 epochs ... saving 6 hours of resources",
          "Exact: 20 x 30 min, and the 12 epochs not run x 30 min, in hours.",
          fast(All({"total_h": Exact(10.0), "saved_h": Exact(6.0)}),
               expression={"total_h": "20 * 30 / 60", "saved_h": "(20 - 8) * 30 / 60"}),
          measure=arithmetic, document_value="10 h total, 6 h saved"),
    Claim("E39_image_3MB", "002", "Chapter III, Resizing", "3005",
          "an 1024 x 768 image will be 3Mb in size",
          "The images here have just been converted to RGB (L2974-2993): 3 bytes per pixel "
          "(uint8). '3Mb' is one significant figure, so the size must round to 3 MB: within "
          "+-0.5 MB. By hand, 1024 x 768 x 3 = 2,359,296 bytes = 2.36 MB (2.25 MiB); 3 MiB "
          "exactly would need 4 bytes per pixel (RGBA).",
          fast(Close(3e6, atol=0.5e6), expression="1024 * 768 * 3"), measure=arithmetic,
          document_value="3 MB"),
    Claim("E45_cifar10_classes", "002", "Chapter III, Validation & Overfitting", "1764",
          "covering ten classes: airplane, automobile, bird, deer, dog, frog, horse, ship and truck",
          "Exact count of the names the sentence lists against its 'ten'. CIFAR-10's classes "
          "(batches.meta.txt): airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.",
          fast(Exact(10), expression="len(['airplane', 'automobile', 'bird', 'deer', 'dog', 'frog', "
                                     "'horse', 'ship', 'truck'])"),
          measure=arithmetic, document_value="ten classes (9 named)"),
    Claim("E54_earthquake_10x_power", "002", "Chapter I, Activation Functions", "318",
          "an increase of one, means the power released is ten times greater. For example, an "
          "earthquake of 4 is 10 times stronger than a 3.",
          "Energy released against magnitude, Gutenberg-Richter: log10 E[J] = 1.5 M + 4.8, so "
          "one magnitude step multiplies the energy by 10^1.5 = 31.6 (USGS: 'about 32 times more "
          "energy'); ten times is the ratio of the recorded wave amplitude. 'Ten times' as a "
          "round figure: within 5%.",
          fast(Close(10.0, rtol=0.05), expression="10 ** (1.5 * 4 + 4.8) / 10 ** (1.5 * 3 + 4.8)"),
          measure=arithmetic, document_value="x10 per magnitude"),
]


# --- structure, read back from Keras ------------------------------------------------

def dense_kernel(case) -> Measured:
    """Kernel weights of a Dense(units) on an (inputs,) vector (its bias size in details)."""
    layer = keras.layers.Dense(case.config["units"])
    layer(keras.Input((case.config["inputs"],)))
    return Measured(int(np.prod(layer.kernel.shape)), details={"bias": int(np.prod(layer.bias.shape))})


def input_tensor(case) -> Measured:
    tensor = keras.Input(case.config["shape"])
    return Measured({"dtype": tensor.dtype, "shape": tensor.shape}, details={"repr": repr(tensor)})


def output_shapes(case) -> Measured:
    model = models.built(case.config["builder"], **dict(case.config.get("kwargs", ())))
    return Measured([tuple(t.shape) for t in model.outputs], details={"total": model.count_params()})


def layer_output(case) -> Measured:
    return Measured(tuple(models.built(case.config["builder"]).layers[case.config["layer"]].output.shape))


def layer_kernel(case) -> Measured:
    kernel = models.built(case.config["builder"]).layers[case.config["layer"]].kernel
    return Measured(int(np.prod(kernel.shape)), details={"kernel_shape": kernel.shape})


def size_ratios(builder, input_shape, pairs):
    """{name: output size of layer j / output size of layer i (-1: the model input)};
    sizes are element counts per example."""
    model = models.built(builder)

    def size(i):
        return np.prod(input_shape) if i < 0 else np.prod(model.layers[i].output.shape[1:])
    return {name: float(size(j) / size(i)) for name, (i, j) in pairs.items()}, {
        "shapes": [model.layers[i].output.shape for i in range(len(model.layers))]}


def basic_cnn_sizes(case) -> Measured:
    """M11's conv and pool outputs over its 128x128x1 input, and a stride-1 conv's for contrast."""
    ratios, details = size_ratios("doc002_basic_cnn", (128, 128, 1), {"conv": (-1, 0), "pool": (-1, 2)})
    stride_1 = keras.layers.Conv2D(16, (3, 3), strides=(1, 1), padding="same")(keras.Input((128, 128, 1)))
    ratios["stride_1_conv"] = float(np.prod(stride_1.shape[1:]) / (128 * 128))
    return Measured(ratios, details=details)


def pooling_reduction(case) -> Measured:
    """1 - (M11's MaxPool output size / its input size)."""
    ratios, details = size_ratios("doc002_basic_cnn", (128, 128, 1), {"pool": (1, 2)})
    return Measured(1 - ratios["pool"], details=details)


def window_overlap(case) -> Measured:
    """For a 3x3 Conv2D at strides 1, 2, 3 on a 9x9 map: do windows overlap? The gradient of
    the sum of its outputs (all-ones kernel) counts the windows over each pixel."""
    overlap, coverage = {}, {}
    for stride in (1, 2, 3):
        conv = keras.layers.Conv2D(1, (3, 3), strides=stride, use_bias=False, kernel_initializer="ones")
        _, _, (windows,) = backend.gradients(lambda x: keras.ops.sum(conv(x)), inputs=[np.ones((1, 9, 9, 1))])
        overlap[str(stride)] = bool(windows.max() > 1)
        coverage[str(stride)] = int(windows.max())
    return Measured(overlap, details={"max_windows_per_pixel": coverage})


def default_padding(case) -> Measured:
    return Measured(keras.layers.Conv2D(16, (3, 3)).padding)


def stride_axes(case) -> Measured:
    """Which image axis each element of ``strides`` steps along: Conv2D strides=(2, 1) on 8x8."""
    out = keras.layers.Conv2D(1, (1, 1), strides=(2, 1))(keras.Input((8, 8, 1))).shape
    first = "vertical" if out[1] == 4 else "horizontal"
    second = "horizontal" if first == "vertical" else "vertical"
    return Measured({"first": first, "second": second}, details={"output_shape_for_strides_(2,1)": out})


def dense_units(case) -> Measured:
    model = models.built(case.config["builder"])
    return Measured([layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)])


def total_count(case) -> Measured:
    total = models.built(case.config["builder"]).count_params()
    return Measured(total, details={"nearest_million": round(total / 1e6)})


def same_summary(case) -> Measured:
    """Whether the summaries of builder(**a) and builder(**b) agree field by field."""
    c = case.config
    one, two = (models.summary(models.built(c["builder"], **dict(k))) for k in (c["a"], c["b"]))
    fields = ("names", "shapes", "layers", "total", "trainable")
    return Measured(all(one[f] == two[f] for f in fields),
                    details={"totals": [one["total"], two["total"]],
                             "n_layers": [len(one["layers"]), len(two["layers"])]})


def residual_group_sizes(case) -> Measured:
    """Spatial size of the maps each residual group adds (Add layers' outputs), in order."""
    sizes = []
    for layer in models.built(case.config["builder"]).layers:
        if isinstance(layer, keras.layers.Add) and layer.output.shape[1] not in sizes:
            sizes.append(layer.output.shape[1])
    return Measured(sizes)


def gap_output(case) -> Measured:
    return Measured(tuple(keras.layers.GlobalAveragePooling2D()(keras.Input(case.config["input_shape"])).shape))


def block(kind, n_filters, input_shape, kwargs=()):
    """One of the document's residual blocks (models.doc002_block), built once per session."""
    return models.built("doc002_block", kind=kind, n_filters=n_filters, input_shape=input_shape,
                        **dict(kwargs))


def channel_ratios(case) -> Measured:
    """{name: output channels / n_filters} for config["blocks"]: {name: (kind, n_filters,
    input_shape[, kwargs])}."""
    return Measured({name: block(*b).output.shape[-1] / b[1] for name, b in case.config["blocks"].items()})


def macs_saved(case) -> Measured:
    """{name: MACs(block a) - MACs(block b)} for config["comparisons"]: {name: (a, b)}, each
    block (kind, n_filters, input_shape[, kwargs])."""
    value, details = {}, {}
    for name, (a, b) in case.config["comparisons"].items():
        details[name] = {"a": models.macs(block(*a)), "b": models.macs(block(*b))}
        value[name] = details[name]["a"] - details[name]["b"]
    return Measured(value, details=details)


def v15_macs_saved(case) -> Measured:
    """MACs(v1) - MACs(v1.5): of the whole ResNet50s (config whole_models), or of the first
    stride-2 projection block (128 filters, input 56x56x256), one of the three blocks that differ."""
    if case.config["whole_models"]:
        v1, v15 = (models.built("doc002_resnet50", **k) for k in ({}, {"version": "v1.5"}))
    else:
        v1, v15 = (block("projection", 128, (56, 56, 256), (("version", v),)) for v in ("v1", "v1.5"))
    v1, v15 = models.macs(v1), models.macs(v15)
    return Measured(v1 - v15, details={"v1_macs": v1, "v15_macs": v15, "v15_over_v1": v15 / v1})


def strided_convs(case) -> Measured:
    """Count of stride-2 Conv2D layers by kernel size in the projection block (128 filters,
    input 56x56x256, strides (2, 2)) of config["version"] (and of v1.5 in details)."""
    def count(version):
        layers = block("projection", 128, (56, 56, 256), (("version", version),)).layers
        convs = [l for l in layers if isinstance(l, keras.layers.Conv2D) and tuple(l.strides) != (1, 1)]
        return {f"{k}x{k}": sum(l.kernel_size[0] == k for l in convs) for k in (1, 3)}
    return Measured(count(case.config["version"]), details={"v1.5": count("v1.5")})


def dense_layers(case) -> Measured:
    return Measured(sum(isinstance(l, keras.layers.Dense) for l in models.built(case.config["builder"]).layers))


def shorthand_activations(case) -> Measured:
    """M04 (activation='relu' inside Dense) against M03 (separate ReLU layers) given M04's
    weights, on 256 standard-normal (13,) inputs (seeded): its layer count and Dense
    activations, whether its hidden pre-activations go negative, whether the two models'
    outputs are equal, and (for contrast) whether they differ from M04 with linear Dense."""
    shorthand, separate = models.doc002_regressor_shorthand(), models.doc002_regressor_relu_layers()
    separate.set_weights(shorthand.get_weights())
    x = np.random.default_rng(0).standard_normal((256, 13)).astype(np.float32)
    pre = x @ shorthand.layers[0].kernel.numpy() + shorthand.layers[0].bias.numpy()
    linear = keras.Sequential([keras.Input((13,))] + [keras.layers.Dense(l.units) for l in shorthand.layers])
    linear.set_weights(shorthand.get_weights())
    out, out_separate, out_linear = (keras.ops.convert_to_numpy(m(x)) for m in (shorthand, separate, linear))
    return Measured({"n_layers": len(shorthand.layers),
                     "activations": [l.activation.__name__ for l in shorthand.layers],
                     "negative_preactivations": bool((pre < 0).any()),
                     "equals_separate_relu_layers": bool(np.array_equal(out, out_separate)),
                     "differs_from_no_activation": bool(not np.allclose(out, out_linear))},
                    details={"share_of_negative_preactivations": float((pre < 0).mean()),
                             "max_abs_difference_separate": float(np.abs(out - out_separate).max()),
                             "max_abs_difference_linear": float(np.abs(out - out_linear).max())})


EXACT = "An exact structural fact of Keras, read back from the layers: no tolerance."
PORT_RESNET50 = ("Indentation of the blocks' tails restored (L1342-1349, L1472-1481); calls fixed from "
                 "projection_block(64, x) / identity_block(64, x) to the signature's (x, 64) (L1399-1427); "
                 "input_shape -> keras.Input.")
PORT_RESNET34 = "Body of residual_block indented (L1154-1164) so that it parses."
BOTTLENECK_64 = ("bottleneck", 64, (56, 56, 256), ())

STRUCTURE = [
    Claim("E02_shorthand_activation_hidden", "002", "Chapter I, Activation Functions", "414-422",
          "It's a quirk in how the `summary()` method displays output. They are still there.",
          EXACT + " M04 lists 3 layers (L414-417), its hidden Dense layers carry relu and the output "
          "Dense none ('linear'); on inputs whose first-layer pre-activations go negative (so a ReLU "
          "changes something) M04's outputs equal, bit for bit, those of M03 (separate ReLU layers, "
          "L347-359) given the same weights, and differ from the same Dense layers without activation.",
          fast(Exact({"n_layers": 3, "activations": ["relu", "relu", "linear"],
                      "negative_preactivations": True, "equals_separate_relu_layers": True,
                      "differs_from_no_activation": True})),
          measure=shorthand_activations,
          port="input_shape=(13,) -> keras.Input((13,)) (models.doc002_regressor_shorthand and "
               "doc002_regressor_relu_layers).",
          document_value="3 layers shown; activations still applied"),
    Claim("E03_fc_connections_3x4", "002", "Chapter I, Deep Neural Networks (DNN)", "171",
          "each node on the first layer is connected to all four nodes on the next layer for a "
          "total of 12 (3×4) connections", EXACT + " Connections are the kernel's weights.",
          fast(Exact(12), inputs=3, units=4), measure=dense_kernel, document_value="12"),
    Claim("E04_input_connections_13x10", "002", "Chapter I, Input Shape vs Input Layer", "216",
          "we will have 130 connections (10×13) between the input vector and the input layer",
          EXACT + " Connections are the kernel's weights (the 10 biases are one per node, in details).",
          fast(Exact(130), inputs=13, units=10), measure=dense_kernel, document_value="130"),
    Claim("E05_input_tensor_repr", "002", "Chapter I, The Input Layer", "156-160",
          "The 'dtype' shows the default data type of the elements, which in this case is a 32-bit float",
          EXACT + " The document prints <tf.Tensor 'input_1:0' shape=(?, 13) dtype=float32>; Keras 3 "
          "prints a KerasTensor (repr in details) with the unbound batch axis as None, not '?'.",
          fast(Exact({"dtype": "float32", "shape": [None, 13]}), shape=(13,)), measure=input_tensor,
          port="Input(shape=(13,)) -> keras.Input(shape=(13,)).", document_value="shape=(?, 13) dtype=float32"),
    Claim("E06_multilabel_7_outputs", "002", "Chapter I, DNN Multi-Label Multi-Class Classifier", "594",
          "we previously had five and now we add two more for gender for a total of 7", EXACT,
          fast(Exact([[None, 7]]), builder="doc002_dnn",
               kwargs=(("n_inputs", 3), ("n_outputs", 7), ("activation", "relu"),
                       ("output_activation", "sigmoid"))),
          measure=output_shapes, document_value="output layer of 7 nodes"),
    Claim("E07_multitask_outputs", "002", "Chapter I, DNN Multi-Label Multi-Class Classifier", "625",
          "we pass in a list of output layers: `[output1, output2]`", EXACT,
          fast(Exact([[None, 5], [None, 2]]), builder="doc002_multitask"), measure=output_shapes,
          document_value="outputs (None, 5) and (None, 2)"),
    Claim("E08_flatten_784", "002", "Chapter I, Simple Image Classifier", "676",
          "The output from this object will be a 1D shape of (784,).", EXACT,
          fast(Exact([None, 784]), builder="doc002_mnist_mlp", layer=0), measure=layer_output,
          document_value="(784,)"),
    Claim("E11_mnist_input_weights", "002", "Chapter II, CNN Classifier", "783",
          "784 pixels times 512 nodes on our input layer. That's 400,000 weights to learn",
          "'400,000' has one significant figure and is the product the sentence states (weights "
          "only), so the kernel of M09's first Dense must round to it: within +-50,000. A fair "
          "rounding: the figure only serves to contrast with 'over a billion'.",
          fast(Close(400_000, atol=50_000), builder="doc002_mnist_mlp", layer=1), measure=layer_kernel,
          document_value="400,000"),
    Claim("E13_pool_75pct", "002", "Chapter II, Pooling", "823",
          "The common practice is a 2×2 pool size with a stride of 2. This will result in a 75% "
          "reduction in pixel data", EXACT + " Read on M11's MaxPooling2D (64x64x16 in).",
          fast(Exact(0.75)), measure=pooling_reduction, document_value="75%"),
    Claim("E15_stride3_no_overlap", "002", "Chapter II, Feature Detection", "809",
          "if the stride is one, the filter ... would partially overlap ... (and consequently so "
          "would a stride of 2). In a stride of 3, there would be no overlap.", EXACT,
          fast(Exact({"1": True, "2": True, "3": False})), measure=window_overlap,
          document_value="3x3: overlap at strides 1 and 2, none at 3"),
    Claim("E17_basic_cnn_4x_then_1x", "002", "Chapter II, Basic CNN", "852-856",
          "so the total output size will be 4X the input ... the output size is the same as the input",
          EXACT + " Sizes are element counts per example over the 128x128x1 input; the "
          "'16X' of a stride-1 conv (L852) is checked too.",
          fast(Exact({"conv": 4.0, "pool": 1.0, "stride_1_conv": 16.0})), measure=basic_cnn_sizes,
          document_value="16X at stride 1; 4X after the conv; 1X after pooling"),
    Claim("E19_default_padding_valid", "002", "Chapter II, Basic CNN", "858",
          "it's just that the default is `'valid'`", EXACT,
          fast(Exact("valid")), measure=default_padding, document_value="'valid'"),
    Claim("E20_stride_tuple_order", "002", "Chapter II, Basic CNN", "848",
          "The first digit is the horizontal stride (across) and the second digit is the vertical "
          "stride (down).",
          EXACT + " Which axis each element steps along is read from the output shape of "
          "strides=(2, 1) on an 8x8 map (4x8: the first steps down; 8x4: across).",
          fast(Exact({"first": "horizontal", "second": "vertical"})), measure=stride_axes,
          document_value="(horizontal, vertical)"),
    Claim("E21_vgg16_head", "002", "Chapter II, VGG Networks", "992",
          "two identical sized dense hidden layers of 4096 nodes each, and a final dense output "
          "layer of 1000 nodes", EXACT,
          full(Exact([4096, 4096, 1000]), builder="doc002_vgg16"), measure=dense_units,
          port="input_shape -> keras.Input.", document_value="4096, 4096, 1000"),
    Claim("E22_vgg16_138M", "002", "Chapter II, ResNet Networks", "1228",
          "This is in contrast to the VGG16 which has 138 million parameters.", MILLIONS,
          full(millions(138), builder="doc002_vgg16"), measure=total_count,
          port="input_shape -> keras.Input.", document_value="138 million"),
    Claim("E23_vgg_reuse_identical", "002", "Chapter II, VGG Networks", "1099",
          "Try running `model.summary()` on both examples and you will see that the output is identical.",
          EXACT + " Layer types, output shapes, per-layer and total counts of M12 and M13 compared.",
          full(Exact(True), builder="doc002_vgg16", a=(), b=(("reuse", True),)), measure=same_summary,
          port="input_shape -> keras.Input.", document_value="identical summaries"),
    Claim("E25_resnet_conv_block_75pct", "002", "Chapter II, ResNet Networks", "1139, 1189",
          "doubles the stride to reduce the feature map size by 75% (i.e., feature pooling)",
          EXACT + " A 75% reduction per conv_block means sides halve: groups at 56, 28, 14, 7. "
          "The printed conv_block has two stride-2 convs (L1171-1174); the sides are read from "
          "the Add layers of the built model.",
          fast(Exact([56, 28, 14, 7]), builder="doc002_resnet34"), measure=residual_group_sizes,
          port=PORT_RESNET34, document_value="75% per conv block (56, 28, 14, 7)"),
    Claim("E26_resnet_21M", "002", "Chapter II, ResNet Networks", "1228",
          "We see that the total number of parameters to learn is 21 million.", MILLIONS,
          fast(millions(21), builder="doc002_resnet34"), measure=total_count,
          port=PORT_RESNET34, document_value="21 million"),
    Claim("E28_gap_256", "002", "Chapter II, ResNet Networks", "1230",
          "if the input was 256 feature maps, the output would be a 1D vector of size 256", EXACT,
          fast(Exact([None, 256]), input_shape=(14, 14, 256)), measure=gap_output,
          document_value="(256,)"),
    Claim("E29_bottleneck_x4", "002", "Chapter II, ResNet Networks", "1234",
          "the last convolutional restores the dimensionality increasing the number of filters "
          "by a factor of 4", EXACT + " Output channels / n_filters of the bottleneck (L1243) and "
          "of ResNet50's identity and projection blocks.",
          fast(Exact({"bottleneck": 4.0, "v1_identity": 4.0, "projection": 4.0}),
               blocks={"bottleneck": BOTTLENECK_64, "v1_identity": ("v1_identity", 64, (56, 56, 256)),
                       "projection": ("projection", 64, (56, 56, 64), (("strides", (1, 1)),))}),
          measure=channel_ratios,
          port="Indentation of the bottleneck's last two lines restored (L1260-1261).",
          document_value="x4"),
    Claim("E30_bottleneck_cheaper", "002", "Chapter II, ResNet Networks", "1236",
          "The bottleneck residual block allows for ... further reduction in computational complexity.",
          "A reduction is at least one multiply-accumulate fewer. The document does not say "
          "against which basic block: both readings must hold, the basic block at the "
          "bottleneck's width (256 in/out) and the ResNet34 block it replaces (64 channels); "
          "all at 56x56. MACs from layer shapes (models.macs).",
          fast(All({"vs_basic_same_width": AtLeast(1), "vs_resnet34_block": AtLeast(1)}),
               comparisons={"vs_basic_same_width": (("residual", 256, (56, 56, 256)), BOTTLENECK_64),
                            "vs_resnet34_block": (("residual", 64, (56, 56, 64)), BOTTLENECK_64)}),
          measure=macs_saved,
          port="Indentation of the bottleneck's last two lines restored (L1260-1261).",
          document_value="fewer operations than the basic block"),
    Claim("E31_resnet50_25M", "002", "Chapter III, Checkpointing", "2030",
          "Let's presume that the model has 25 million parameters (e.g., ResNet-50)", MILLIONS,
          full(millions(25), builder="doc002_resnet50"), measure=total_count,
          port=PORT_RESNET50, document_value="25 million"),
    Claim("E33_v1_stride_on_first_1x1", "002", "Chapter II, ResNet50", "1311",
          "the first 1x1 convolution in the residual block with linear projection uses a stride of two",
          EXACT + " In the v1 projection block (L1351-1381) the stride-2 convs are the shortcut's "
          "1x1 and the main path's first 1x1; none is 3x3 (v1.5 in details).",
          fast(Exact({"1x1": 2, "3x3": 0}), version="v1"), measure=strided_convs,
          port="input_shape -> keras.Input.", document_value="stride 2 on the first 1x1"),
    Claim("E34_v15_less_compute", "002", "Chapter II, ResNet50", "1440",
          "is moved from the first 1x1 convolution to the 3x3 convolution, reducing computational complexity",
          "A reduction is at least one multiply-accumulate fewer for v1.5 than v1 (MACs from layer "
          "shapes): fast tier, the first stride-2 projection block (56x56x256 in, 128 filters); "
          "full tier, the whole networks. By hand: with the stride moved to the 3x3, the first 1x1 "
          "runs at the full input resolution (H^2 x C_in x n MACs instead of H^2/4 x C_in x n) "
          "while the 3x3 runs at the reduced one either way.",
          {"fast": Tier(AtLeast(1), config={"whole_models": False}),
           "full": Tier(AtLeast(1), config={"whole_models": True})},
          measure=v15_macs_saved,
          port=PORT_RESNET50 + " v1.5's 3x3 takes the block's `strides` (L1465 hard-codes (2, 2)).",
          document_value="v1.5 cheaper than v1"),
    Claim("E48_deep_dnn_is_40_layers", "002", "Chapter III, Going Deeper with Layers", "1860",
          "using a 40-layer DNN absent of methods to protect from numerical instability",
          "Exact count of the Dense layers of the code (L1863-1867). The document counts every "
          "Dense as a layer ('three layer neural network' for three Dense, L222). The code has "
          "one Dense on the input, 40 in the loop and the output.",
          fast(Exact(40), builder="doc002_deep_dnn"), measure=dense_layers,
          port="input_shape -> keras.Input.", document_value="40 layers"),
]


# --- code that fails ---------------------------------------------------------------

def exception_of(case, call) -> Measured:
    """Runs ``call()``: -> {type, message} of what it raises, the message cut to the part the
    rule names when it contains it ({None, "no exception"} when nothing is raised)."""
    key = case.rule.expected["message"]
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the exception is the measurement
        message = str(error) if not isinstance(error, SyntaxError) else error.msg
        return Measured({"type": type(error).__name__, "message": key if key in message else message},
                        details={"message": message[:500]})
    return Measured({"type": None, "message": "no exception"})


def conv_on_matrix(case) -> Measured:
    """The basic CNN's first layer on a (128, 128) input, without the channel axis."""
    conv = keras.layers.Conv2D(16, kernel_size=(3, 3), strides=(2, 2), padding="same")
    return exception_of(case, lambda: conv(keras.Input(shape=(128, 128))))


def printed_code_runs(case, call) -> Measured:
    """Runs the document's code ``call()``: -> {type, message}, {None, "no exception"} when
    it runs, else of the failure its config declares (any other exception propagates)."""
    failure = failures.run(call, case.config["failure"])
    if failure is None:
        return Measured({"type": None, "message": "no exception"})
    return Measured({"type": failure["type"], "message": failure["message"]}, details={"failure": failure})


def built(case):
    """config["builder"](**config["kwargs"])."""
    return getattr(models, case.config["builder"])(**case.config["kwargs"])


def build_error(case) -> Measured:
    return exception_of(case, lambda: built(case))


def printed_model_builds(case) -> Measured:
    return printed_code_runs(case, lambda: built(case))


def deep_dnn_fits(case) -> Measured:
    """M22 as printed (no Flatten), compiled and fitted as L1868-1876 do, on 32 blank
    (28, 28) images with integer labels 0-9 (the error is about shapes, not values)."""
    def fit():
        model = models.doc002_deep_dnn()
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["acc"])
        model.fit(np.zeros((32, 28, 28), np.float32), np.arange(32) % 10, epochs=1, verbose=0)
    return printed_code_runs(case, fit)


# How the document's code that must run fails today (harness/kit/failures.py).
SWAPPED_ARGUMENTS = expected("TypeError", r"KerasTensor cannot be used as a boolean", CODE_WRONG)
HARDCODED_STRIDE = expected("ValueError", r"Inputs have incompatible shapes\. Received shapes \(28, 28, 256\) "
                                          r"and \(56, 56, 256\)", CODE_WRONG)

RAISES = [
    Claim("E18_conv2d_needs_channels", "002", "Chapter II, Basic CNN", "860",
          "it always requires specifying the number of channels, instead of defaulting to one for grayscale",
          "Keras must refuse a Conv2D input without the channel axis, saying it wants rank 4 "
          "(batch, height, width, channels); exception type and that phrase compared exactly.",
          fast(raises("ValueError", "expected min_ndim=4, found ndim=3")), measure=conv_on_matrix,
          port="input_shape=(128, 128) -> keras.Input(shape=(128, 128)).",
          document_value="(128, 128, 1) required, not (128, 128)"),
    Claim("E24_resnet_add_mismatch_error", "002", "Chapter II, ResNet Networks", "1137",
          "Yeeks, we get an error, indicating we can't broadcast (for add operation) matrices of different sizes.",
          "M14 without its conv_blocks, as L1137 describes: the first 128-filter residual block "
          "adds its 64-channel input to its 128-channel output. Keras must raise, naming the two "
          "shapes; type and message part compared exactly.",
          fast(raises("ValueError", "Inputs have incompatible shapes. Received shapes (56, 56, 64) "
                                    "and (56, 56, 128)"),
               builder="doc002_resnet34", kwargs={"conv_blocks": False}),
          measure=build_error, port=PORT_RESNET34, document_value="add error, X vs 2X"),
    Claim("E32_resnet50_v1_call_bug", "002", "Chapter II, ResNet50", "1321, 1351, 1399-1427",
          "x = projection_block(64, x, strides=(1,1))",
          RUNS + " The functions are defined (x, n_filters) and called (64, x): n_filters would "
          "become the KerasTensor and 4 * n_filters a symbolic filter count.",
          fast(RAISES_NOTHING, builder="doc002_resnet50", kwargs={"swap_arguments": True},
               failure=SWAPPED_ARGUMENTS),
          measure=printed_model_builds,
          port="Only the blocks' indentation restored (L1342-1349) so that the code parses; "
               "argument order as printed.", document_value="the model builds (implied)"),
    Claim("E35_v15_code_hardcoded_stride", "002", "Chapter II, ResNet50", "1465",
          "x = layers.Conv2D(n_filters, (3, 3), strides=(2, 2), padding='same')(x)",
          RUNS + " The 3x3 ignores the block's `strides`, so the first group's projection "
          "(strides (1, 1)) would halve the main path but not the shortcut.",
          fast(RAISES_NOTHING, builder="doc002_resnet50", kwargs={"version": "v1.5", "hardcoded_stride": True},
               failure=HARDCODED_STRIDE),
          measure=printed_model_builds,
          port="Indentation restored (L1472-1481) and the v1 calls' argument order fixed (E32), so "
               "that the hard-coded stride is what is tested.", document_value="the model builds (implied)"),
    Claim("E48_deep_dnn_is_40_layers_as_written", "002", "Chapter III, Going Deeper with Layers", "1863-1876",
          "model.add(Dense(64, activation='relu', input_shape=(28, 28)))",
          RUNS + " Without a Flatten the Dense layers act on the last axis, the output is "
          "(None, 28, 10), which does not match integer labels of shape (batch,) (each backend's own "
          "ops report the mismatch, hence one declared failure per backend). The document shows it "
          "training (L1883-1913). Fast tier: 32 blank images are enough to run it.",
          fast(RAISES_NOTHING, failure=failures.per_backend(**failures.DEEP_DNN_WITHOUT_FLATTEN)),
          measure=deep_dnn_fits,
          port="input_shape -> keras.Input; 32 blank images instead of MNIST (the error is about "
               "shapes, not values).", document_value="trains (L1883-1913)"),
]


# --- code as printed ------------------------------------------------------------------
# PRINTED: the document's listings, line for line, with the markdown fence lines (```) that
# the extraction left inside them removed. MENDS: the other extraction artefacts, each a
# named step: lines whose indentation was lost where a page break split a code block, and
# comments wrapped onto a line of their own. Nothing else is changed.

PRINTED = {
    "M14": '''from tensorflow.keras import Model
import tensorflow.keras.layers as layers

def residual_block(n_filters, x):


""" Create a Residual Block of Convolutions
    n_filters: number of filters
    x          : input into the block
"""
shortcut = x
x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding="same",
                  activation="relu")(x)
x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding="same",
                  activation="relu")(x)
x = layers.add([shortcut, x])
return x

def conv_block(n_filters, x):
    """ Create Block of Convolutions without Pooling
        n_filters: number of filters
        x          : input into the block
    """
    x = layers.Conv2D(n_filters, (3, 3), strides=(2, 2), padding="same",
                      activation="relu")(x)
    x = layers.Conv2D(n_filters, (3, 3), strides=(2, 2), padding="same",
                      activation="relu")(x)
    return x

# The input tensor
inputs = layers.Input(shape=(224, 224, 3))

# First Convolutional layer, where pooled feature maps will be reduced by 75%
x = layers.Conv2D(64, kernel_size=(7, 7), strides=(2, 2), padding='same',
                  activation='relu')(inputs)
x = layers.MaxPool2D(pool_size=(3, 3), strides=(2, 2), padding='same')(x)

# First Residual Block Group of 64 filters
for _ in range(2):
    x = residual_block(64, x)

# Double the size of filters and reduce feature maps by 75% (strides=2, 2) to fit
the next Residual Group
x = conv_block(128, x)

# Second Residual Block Group of 128 filters
for _ in range(3):
    x = residual_block(128, x)

# Double the size of filters and reduce feature maps by 75% (strides=2, 2) to fit
the next Residual Group
x = conv_block(256, x)



# Third Residual Block Group of 256 filters
for _ in range(5):
    x = residual_block(256, x)

# Double the size of filters and reduce feature maps by 75% (strides=2, 2) to fit
the next Residual Group
x = conv_block(512, x)

# Fourth Residual Block Group of 512 filters
for _ in range(2):
    x = residual_block(512, x)

# Now Pool at the end of all the convolutional residual blocks
x = layers.GlobalAveragePooling2D()(x)

# Final Dense Outputting Layer for 1000 outputs
outputs = layers.Dense(1000, activation='softmax')(x)

model = Model(inputs, outputs)
''',
    "M15": '''def bottleneck_block(n_filters, x):
    """ Create a Bottleneck Residual Block of Convolutions
        n_filters: number of filters
        x         : input into the block
    """
    shortcut = x
    x = layers.Conv2D(n_filters, (1, 1), strides=(1, 1), padding="same",
                      activation="relu")(x)
    x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding="same",
                      activation="relu")(x)
    x = layers.Conv2D(n_filters * 4, (1, 1), strides=(1, 1), padding="same",
                      activation="relu")(x)



x = layers.add([shortcut, x])  
return x
''',
    "M17": '''from tensorflow.keras import Model
import tensorflow.keras.layers as layers

def identity_block(x, n_filters):
    """ Create a Bottleneck Residual Block of Convolutions
        n_filters: number of filters
        x         : input into the block
    """
    shortcut = x

    # dimensionality reduction
    x = layers.Conv2D(n_filters, (1, 1), strides=(1, 1))(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)

    # bottleneck layer
    x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)

    # dimensionality restoration
    x = layers.Conv2D(n_filters * 4, (1, 1), strides=(1, 1))(x)


x = layers.BatchNormalization()(x)

x = layers.add([shortcut, x])
x = layers.ReLU()(x)

return x

def projection_block(x, n_filters, strides=(2,2)):
    """ Create Block of Convolutions with feature pooling
        Increase the number of filters by 4X
        x          : input into the block
        n_filters: number of filters
    """
    # construct the identity link
    # increase filters by 4X to match shape when added to output of block
    shortcut = layers.Conv2D(4 * n_filters, (1, 1), strides=strides)(x)
    shortcut = layers.BatchNormalization()(shortcut)

    # construct the 1x1, 3x3, 1x1 convolution block

    # feature pooling when strides=(2, 2)
    x = layers.Conv2D(n_filters, (1, 1), strides=strides)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)

    x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding='same')(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)

    # increase the number of filters by 4X
    x = layers.Conv2D(4 * n_filters, (1, 1), strides=(1, 1))(x)
    x = layers.BatchNormalization()(x)

    # add the identity link to the output of the convolution block
    x = layers.add([x, shortcut])
    x = layers.ReLU()(x)

    return x

# The input tensor
inputs = layers.Input(shape=(224, 224, 3))

# First Convolutional layer, where pooled feature maps will be reduced by 75%
x = layers.ZeroPadding2D(padding=(3, 3))(inputs)
x = layers.Conv2D(64, kernel_size=(7, 7), strides=(2, 2), padding='valid')(x)
x = layers.BatchNormalization()(x)
x = layers.ReLU()(x)



x = layers.ZeroPadding2D(padding=(1, 1))(x)
x = layers.MaxPool2D(pool_size=(3, 3), strides=(2, 2))(x)

x = projection_block(64, x, strides=(1,1))

# First Residual Block Group of 64 filters
for _ in range(2):
    x = identity_block(64, x)

# Double the size of filters and reduce feature maps by 75% (strides=2, 2) to fit
the next Residual Group
x = projection_block(128, x)

# Second Residual Block Group of 128 filters
for _ in range(3):
    x = identity_block(128, x)

# Double the size of filters and reduce feature maps by 75% (strides=2, 2) to fit
the next Residual Group
x = projection_block(256, x)

# Third Residual Block Group of 256 filters
for _ in range(5):
    x = identity_block(256, x)

# Double the size of filters and reduce feature maps by 75% (strides=2, 2) to fit
the next Residual Group
x = projection_block(512, x)

# Fourth Residual Block Group of 512 filters
for _ in range(2):
    x = identity_block(512, x)

 
# Now Pool at the end of all the convolutional residual blocks
x = layers.GlobalAveragePooling2D()(x)

# Final Dense Outputting Layer for 1000 outputs
outputs = layers.Dense(1000, activation='softmax')(x)

model = Model(inputs, outputs)
''',
    "M18": '''def projection_block(x, n_filters, strides=(2,2)):
    """ Create Block of Convolutions with feature pooling
        Increase the number of filters by 4X
        x      : input into the block
        n_filters: number of filters
    """
    # construct the identity link
    # increase filters by 4X to match shape when added to output of block
    shortcut = layers.Conv2D(4 * n_filters, (1, 1), strides=strides)(x)
    shortcut = layers.BatchNormalization()(shortcut)

    # construct the 1x1, 3x3, 1x1 convolution block

    # dimensionality reduction
    x = layers.Conv2D(n_filters, (1, 1), strides=(1, 1))(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)

    # bottleneck layer
    # feature pooling when strides=(2, 2)
    x = layers.Conv2D(n_filters, (3, 3), strides=(2, 2), padding='same')(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)

    # dimensionality restoration


# increase the number of filters by 4X
x = layers.Conv2D(4 * n_filters, (1, 1), strides=(1, 1))(x)
x = layers.BatchNormalization()(x)

# add the identity link to the output of the convolution block
x = layers.add([x, shortcut])
x = layers.ReLU()(x)
return x
''',
}


def indented(text, first, last="return x"):
    """Indents by four spaces the lines from the unindented one that reads ``first`` to the
    next unindented one that reads ``last``: a function body whose indentation was lost."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.rstrip() == first)
    stop = next(i for i in range(start, len(lines)) if lines[i].rstrip() == last)
    return "\n".join("    " + line if start <= i <= stop and line.strip() else line
                     for i, line in enumerate(lines))


def unwrapped(text):
    """Joins the comment lines that the extraction wrapped: '# ... to fit' / 'the next Residual Group'."""
    assert "to fit\nthe next Residual Group" in text
    return text.replace("to fit\nthe next Residual Group", "to fit the next Residual Group")


MENDS = {
    "M14": (lambda t: indented(t, '""" Create a Residual Block of Convolutions'), unwrapped),
    "M15": (lambda t: indented(t, "x = layers.add([shortcut, x])"),),
    "M17": (lambda t: indented(t, "x = layers.BatchNormalization()(x)"), unwrapped),
    "M18": (lambda t: indented(t, "# increase the number of filters by 4X"),),
}
IMPORTS = "from tensorflow.keras import Model\nimport tensorflow.keras.layers as layers\n"


def mended(snippet):
    text = PRINTED[snippet]
    for mend in MENDS[snippet]:
        text = mend(text)
    return text


def run_printed(case, then):
    """Executes the case's mended listing (after the document's own imports of the chapter,
    for a snippet that has none), then ``then(namespace)``. -> (error, result, failure): error
    None or "<type>: <message>" (cut to 200 characters) of the failure the config declares
    (any other exception propagates: harness/kit/failures.py), result what ``then`` returned."""
    text = mended(case.config["snippet"])
    source = text if text.startswith(IMPORTS) else IMPORTS + text
    namespace, result = {}, []
    def listing():
        exec(compile(source, f"002 {case.config['snippet']} as printed (extraction mended)", "exec"), namespace)
        result.append(then(namespace))
    failure = failures.run(listing, case.config.get("failure"))
    if failure is None:
        return None, result[0], None
    return f"{failure['type']}: {failure['message'][:200]}", None, failure


def listing_builds(case) -> Measured:
    """The listing ends in ``model = Model(inputs, outputs)``: -> {error, the model's count's
    leading millions}."""
    error, total, failure = run_printed(case, lambda ns: ns["model"].count_params())
    return Measured({"error": error, "total_millions": None if total is None else total // 10**6},
                    details={"total": total, "failure": failure})


def bottleneck_snippet_runs(case) -> Measured:
    """bottleneck_block(64, x) on x = Input((56, 56, 256)) (its input must have 4 x n_filters
    channels for the add): -> {error, output shape}."""
    error, shape, failure = run_printed(case, lambda ns: ns["bottleneck_block"](64, keras.Input((56, 56, 256))).shape)
    return Measured({"error": error, "output_shape": shape}, details={"failure": failure})


def v15_projection_snippet_runs(case) -> Measured:
    """v1.5's projection_block called as ResNet50's groups call it: the first group's
    (x = Input((56, 56, 64)), 64 filters, strides=(1, 1)) and the next ones' (x =
    Input((56, 56, 256)), 128 filters, default strides (2, 2)). -> {call: output shape, or
    the error}."""
    calls = {"first group, strides=(1, 1)": ((56, 56, 64), 64, {"strides": (1, 1)}),
             "second group, default strides": ((56, 56, 256), 128, {})}
    value, failed = {}, {}
    for name, (shape, n_filters, kwargs) in calls.items():
        error, out, failed[name] = run_printed(case, lambda ns: ns["projection_block"](keras.Input(shape), n_filters,
                                                                                         **kwargs).shape)
        value[name] = error or out
    return Measured(value, details={"failure": failed})


AS_WRITTEN = ("As written: the document's code, as printed, must run on Keras 3 / TensorFlow 2.21 and "
              "do what the document says; the failure its config declares (type, message pattern, cause: "
              "the library changed since the document, or the code is wrong on any version; recorded in "
              "details) or another outcome refutes it, any other exception is an error. Artefacts of the "
              "text's extraction are not scored: they are mended (see port). ")
MENDED = ("Markdown fences removed; extraction artefacts mended: ")
PRINTED_IMPORTS = (pytest.mark.tensorflow_only("the listing imports tensorflow.keras"),)

AS_PRINTED = [
    Claim("M14_resnet34_like_as_written", "002", "Chapter II, ResNet Networks", "1145-1223, 1228",
          "model = Model(inputs, outputs) ... the total number of parameters to learn is 21 million",
          AS_WRITTEN + "The listing must build its model, and the model must have 21 million "
          "parameters (L1228; " + MILLIONS + ") E25 and E26 test the ported model.",
          fast(Exact({"error": None, "total_millions": 21}), snippet="M14"),
          marks=PRINTED_IMPORTS, measure=listing_builds,
          port=MENDED + "the body of residual_block (L1154-1164) indented; the three comments wrapped "
               "onto a line 'the next Residual Group' (L1189-1190, L1197-1198, L1209-1210) joined. "
               "Imports as printed (tensorflow.keras).",
          document_value="builds; 21 million parameters"),
    Claim("M15_bottleneck_block_as_written", "002", "Chapter II, ResNet Networks", "1243-1261",
          "def bottleneck_block(n_filters, x): ... x = layers.add([shortcut, x]) return x",
          AS_WRITTEN + "Called as its add requires (an input of 4 x n_filters channels, n_filters "
          "64 on 56x56x256), the block must run and restore the input's 256 channels (L1234: "
          "'increasing the number of filters by a factor of 4').",
          fast(Exact({"error": None, "output_shape": [None, 56, 56, 256]}), snippet="M15"),
          marks=PRINTED_IMPORTS, measure=bottleneck_snippet_runs,
          port=MENDED + "the last two lines (L1260-1261) indented into the function. `layers` from the "
               "chapter's import (L1147: import tensorflow.keras.layers as layers).",
          document_value="a working bottleneck block (x4 filters)"),
    Claim("M17_resnet50_v1_as_written", "002", "Chapter II, ResNet50", "1317-1437, 2030",
          "x = projection_block(64, x, strides=(1,1)) ... model = Model(inputs, outputs)",
          AS_WRITTEN + "The listing is 'an implementation of ResNet50 v1' (L1315): it must build "
          "its model, and the model must have ResNet-50's 25 million parameters (L2030; "
          + MILLIONS + ") M17_resnet50_v1 counts the ported model; E32 records its argument order.",
          fast(Exact({"error": None, "total_millions": 25}), snippet="M17", failure=SWAPPED_ARGUMENTS),
          marks=PRINTED_IMPORTS, measure=listing_builds,
          port=MENDED + "the tail of identity_block (L1342-1349) indented; the three comments wrapped "
               "onto a line 'the next Residual Group' (L1405-1406, L1413-1414, L1421-1422) joined. Imports and calls as printed.",
          document_value="builds ResNet50 v1 (25 million parameters)"),
    Claim("M18_resnet50_v15_as_written", "002", "Chapter II, ResNet50", "1444-1482",
          "x = layers.Conv2D(n_filters, (3, 3), strides=(2, 2), padding='same')(x)",
          AS_WRITTEN + "v1.5's projection_block replaces v1's in ResNet50 (L1440-1444), so it must "
          "run where v1's is called: in the first group (56x56x64 in, 64 filters, strides=(1, 1), "
          "L1399) giving 56x56x256, and in the next groups (default strides (2, 2); 56x56x256 in, "
          "128 filters) giving 28x28x512. E35 records the same in the whole network.",
          fast(Exact({"first group, strides=(1, 1)": [None, 56, 56, 256],
                      "second group, default strides": [None, 28, 28, 512]}),
               snippet="M18", failure=HARDCODED_STRIDE),
          marks=PRINTED_IMPORTS, measure=v15_projection_snippet_runs,
          port=MENDED + "the block's tail (L1472-1481) indented into the function. `layers` from the "
               "listing's import (L1319). Called with the signature's argument order (x, n_filters).",
          document_value="a working v1.5 projection block"),
]


# --- float32 and vanishing gradients ---------------------------------------------------

def mnist(tier):
    return data.subset("mnist") if tier == "fast" else data.load("mnist")


FLOAT32_TINY = float(np.finfo(np.float32).tiny)  # smallest positive normal float32, 2**-126
FLOAT32_SMALLEST = float(np.finfo(np.float32).smallest_subnormal)  # 2**-149
FLOAT16_TINY = float(np.finfo(np.float16).tiny)


def gradient_magnitudes(case) -> Measured:
    """Per seed, a fresh models.dense_stack(784, width, depth, "sigmoid", "glorot_uniform")
    (float32), the gradient of its mean cross-entropy on the first ``probe`` training
    images (x/255, flattened) with respect to every Dense kernel, read back as float64;
    per layer the median |gradient| (first layer: over the weights of pixels that are not
    blank in every probe image; an exact 0 counted as float32's smallest subnormal).
    -> log10 of the first layer's median, and of its ratio to the last layer's."""
    c = case.config
    d = mnist(case.tier)
    x = data.scale(d.x_train[:c["probe"]]).reshape(c["probe"], -1)
    y = d.y_train[:c["probe"]]
    live = (x != 0).any(axis=0)
    medians, below = [], {"float32_normal": [], "float16_normal": []}

    def gradients(seed):
        seed_everything(seed)
        model = models.dense_stack(784, c["width"], c["depth"], "sigmoid", "glorot_uniform")
        kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        _, grads, _ = backend.gradients(lambda: keras.ops.mean(
            keras.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)), kernels)
        magnitudes = [np.abs(grads[0][live])] + [np.abs(g) for g in grads[1:]]
        medians.append([max(float(np.median(m)), FLOAT32_SMALLEST) for m in magnitudes])
        below["float32_normal"].append(float(np.mean(magnitudes[0] < FLOAT32_TINY)))
        below["float16_normal"].append(float(np.mean(magnitudes[0] < FLOAT16_TINY)))
    case.per_seed(gradients)
    medians = np.array(medians)
    samples = {"below_float32_normal": np.log10(medians[:, 0]),
               "vanished": np.log10(medians[:, 0] / medians[:, -1])}
    figure = plots.per_layer_panels(
        {"median |gradient| of the kernel": {f"sigmoid, {medians.shape[1]} Dense": medians}},
        title=f"002 B19: gradients at initialization, float32 ({case.tier})", xlabel="Dense layer",
        hlines=[(FLOAT32_TINY, "float32 smallest normal"), (FLOAT16_TINY, "float16 smallest normal")])
    return Measured(estimate={k: stats.mean(v) for k, v in samples.items()}, samples=samples,
                    figure=figure,
                    details={"median_per_layer": np.median(medians, axis=0),
                             "first_layer_share_below": below, "weights_with_gradient_path": int(live.sum()) * c["width"],
                             "log10_float32_tiny": math.log10(FLOAT32_TINY)})


VANISHING = [
    Claim("B19_vanishing_grad_is_hardware", "002", "Chapter II, Batch Normalization", "1268, 1858",
          "At some point, the computer hardware can't represent the value anymore - and hence, the "
          "*vanishing gradient*.",
          "The document makes the vanishing gradient a hardware matter: the gradients become too small "
          "for the computer to represent (L1268, 'This is actually about computer hardware'; L1858, "
          "'numbers get so small that the hardware can't represent the value anymore, referred to as a "
          "vanishing gradient'). Read as: where a network's gradients vanish, the vanished gradients "
          "are below what float32, the precision Keras trains in, represents as a normal number, "
          "np.finfo(np.float32).tiny = 2^-126 = 1.18e-38 (below it only subnormals, losing precision, "
          "then 0). The network is the one most favourable to the statement: the depth of the "
          "document's own deep example (M22, L1863-1867: 42 Dense layers of 64 units, with the "
          "Flatten it needs), with sigmoid activations (derivative at most 1/4) instead of ReLU, at "
          "initialization (Keras' default Glorot uniform), in float32 without mixed precision. The "
          "size of a layer's gradient is the median |gradient| of the mean cross-entropy over its "
          "kernel's weights (for the first layer, the weights of pixels that are not blank in every "
          "probe image: the others get no gradient at all); an exact 0 counts as float32's smallest "
          "subnormal, 2^-149. Two parts, each on the Student-t interval of the mean of log10 over "
          "seeds at the Bonferroni level: 'vanished': log10(first layer / last layer) <= -2, the "
          "first layer told to move at least 100x less than the last (the reading of "
          "sigmoid_vanishing_gradients), so that the network shows the phenomenon; "
          "'below_float32_normal': log10(first layer) <= log10(1.18e-38) = -37.93. A gradient that "
          "vanishes while float32 still represents it refutes the statement. Float16 (the next "
          "sentence, S7_05) is not tested; the share of first-layer gradients below its smallest "
          "normal, 6.1e-5, is in details.",
          {"fast": Tier(All({"vanished": AtMost(-2.0), "below_float32_normal": AtMost(math.log10(FLOAT32_TINY))}),
                        seeds=(0, 1, 2), config={"width": 64, "depth": 41, "probe": 1000}),
           "full": Tier(All({"vanished": AtMost(-2.0), "below_float32_normal": AtMost(math.log10(FLOAT32_TINY))}),
                        seeds=tuple(range(10)), config={"width": 64, "depth": 41, "probe": 10000})},
          measure=gradient_magnitudes,
          port="M22's Dense(64, relu) x 41 + Dense(10, softmax) on (28, 28) -> models.dense_stack(784, 64, 41, "
               "'sigmoid', 'glorot_uniform'): Flatten, 41 x (Dense 64, sigmoid), Dense 10 logits with a "
               "from_logits cross-entropy (the same loss). Fast tier: the first 1,000 images of the embedded "
               "MNIST subset; full: the first 10,000 MNIST training images.",
          document_value="vanishing gradient = values the hardware can't represent"),
]


# --- checkpoints on disk -----------------------------------------------------------------

def checkpoint_sizes(case, tmp_path) -> Measured:
    """Bytes on disk (decimal MB) of a model's weights alone (``save_weights`` before
    compile: no optimizer state exists yet) and of the document's ModelCheckpoint file after
    one training step with Adam (the whole model, with the optimizer's state). config:
    "builder", a harness builder; trained on zeros (file sizes do not depend on the values)."""
    c = case.config
    seed_everything(case.seed)
    model = getattr(models, c["builder"])()
    weights_only = tmp_path / "weights_only.weights.h5"
    model.save_weights(weights_only)
    model.compile(optimizer=c["optimizer"], loss="mse")
    x = np.zeros((2, *model.input_shape[1:]), np.float32)
    y = np.zeros((2, *model.output_shape[1:]), np.float32)
    callbacks = [keras.callbacks.ModelCheckpoint(str(tmp_path / "mymodel-{epoch:02d}.keras")),
                 keras.callbacks.ModelCheckpoint(str(tmp_path / "mymodel-{epoch:02d}.weights.h5"),
                                                 save_weights_only=True)]
    model.fit(x, y, epochs=1, batch_size=2, verbose=0, callbacks=callbacks)
    files = {"weights_only": weights_only, "with_optimizer": tmp_path / "mymodel-01.keras",
             "checkpoint_save_weights_only": tmp_path / "mymodel-01.weights.h5"}
    sizes = {k: f.stat().st_size / 1e6 for k, f in files.items()}
    for f in files.values():
        f.unlink()
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return Measured({k: sizes[k] for k in ("weights_only", "with_optimizer")},
                    details={"parameters": model.count_params(), "trainable": trainable,
                             "optimizer_variables": sum(math.prod(v.shape) for v in model.optimizer.variables),
                             "ModelCheckpoint_save_weights_only_MB": sizes["checkpoint_save_weights_only"],
                             "MiB": {k: v * 1e6 / 2**20 for k, v in sizes.items()}})


CHECKPOINT_BAND = Between(90.0, 110.0)
CHECKPOINTS = [
    Claim("E36_ckpt_100MB_with_optimizer", "002", "Chapter III, Checkpointing", "2024-2030, 2036-2045",
          "Why wouldn't saving the model's weights and biases be enough? ... 25 million parameters "
          "... (4 bytes). Each checkpoint would then require 100Mb to save.",
          "'100Mb' is the document's 25e6 x 4 bytes in decimal megabytes (E36 checks the arithmetic). "
          "A checkpoint file also holds names, configuration and format headers, and the document's "
          "example (ResNet-50) has 25.6 million parameters: a file within +-10% of 100 MB, [90, 110] "
          "MB, is read as 'requires 100Mb'. The section's checkpoints are for resuming training "
          "(L2022-2024: the weights and biases alone are not enough to resume), written by "
          "ModelCheckpoint(filepath) (L2036-2045), which saves the whole model with its optimizer's "
          "state; the weights alone are what the document's arithmetic counts. Both must be about "
          "100 MB: 'weights_only', the model's weights (model.save_weights before compile), and "
          "'with_optimizer', the ModelCheckpoint file after one training step with Adam, the "
          "optimizer of the document's compile calls, which keeps two float32 slots (m and v) per "
          "trainable parameter. The model is the document's example, ResNet-50 (M17, ported: "
          "25,636,712 parameters); full tier only (the files take seconds to write, beyond the fast "
          "tier's budget). File sizes do not depend on the "
          "seed: one run. Keras 3's ModelCheckpoint(save_weights_only=True) file is in details.",
          {"full": Tier(All({"weights_only": CHECKPOINT_BAND, "with_optimizer": CHECKPOINT_BAND}),
                        config={"builder": "doc002_resnet50", "optimizer": "adam"})},
          measure=checkpoint_sizes,
          port="filepath 'mymodel-{epoch:02d}.ckpt' -> 'mymodel-{epoch:02d}.keras' (Keras 3's ModelCheckpoint "
               "needs .keras, or .weights.h5 with save_weights_only=True); model.fit on two zero examples, "
               "loss 'mse', one epoch of one step, so that Adam's slots exist. " + PORT_RESNET50,
          document_value="100 MB per checkpoint"),
]


# --- MNIST pixels ------------------------------------------------------------------

def both(rule, **config):
    return {"fast": Tier(rule, config=config), "full": Tier(rule, config=config)}


def pixel_facts(case) -> Measured:
    """Facts about the uint8 MNIST training images x (n, 28, 28) after config["transform"]."""
    x, transform = mnist(case.tier).x_train, case.config["transform"]
    if transform == "raw":
        counts = np.bincount(x.ravel(), minlength=256)
        return Measured({"dtype": str(x.dtype), "min": int(x.min()), "max": int(x.max())},
                        details={"most_common_value": int(counts.argmax()),
                                 "share_of_zeros": float(counts[0] / x.size)})
    if transform == "standardize":
        z = ((x - np.mean(x)) / np.std(x)).astype(np.float32)
        return Measured({"min": float(z.min()), "max": float(z.max())},
                        details={"mean": float(np.mean(x)), "std": float(np.std(x)),
                                 "share_within_1": float(np.mean(np.abs(z) <= 1))})
    if transform == "minus1_plus1":
        s = ((x / 127.5) - 1).astype(np.float32)
        return Measured({"dtype": str(s.dtype), "min": float(s.min()), "max": float(s.max())},
                        details={"mean": float(s.mean())})
    weights = models.built("doc002_mnist_mlp").weights
    return Measured({"division": str((x[:1] / 255.0).dtype), "keras_floatx": keras.config.floatx(),
                     "weights": sorted({w.dtype for w in weights})})


PIXELS = [
    Claim("E43_mnist_pixel_semantics", "002", "Chapter I, Simple Image Classifier", "660",
          "Each pixel is represented by an integer value between 0 and 255",
          "Exact: the training images are 8-bit integers spanning 0..255. Which end is called "
          "black is a display convention the arrays cannot decide (MNIST's own page says "
          "'0 means background (white), 255 means foreground (black)', the document the "
          "opposite): not tested; the background value (most common pixel) is in details.",
          both(Exact({"dtype": "uint8", "min": 0, "max": 255}), transform="raw"), measure=pixel_facts,
          document_value="integers 0..255"),
    Claim("E50_standardization_range", "002", "Chapter III, Standardization", "1745-1751",
          "centering the data at the mean ... and then squash the values between +/- one standard deviation",
          "Read as written: after (x - mean) / std (the code of L1748-1751) the values lie in "
          "[-1, 1]. MNIST is mostly background, so the mean is low and the ink far above it in "
          "standard deviations; the share within +-1 is in details.",
          both(All({"min": AtLeast(-1.0), "max": AtMost(1.0)}), transform="standardize"), measure=pixel_facts,
          document_value="values within +-1"),
    Claim("E51_minus1_plus1_scaling", "002", "Chapter III, Standardization", "1736-1739",
          "squash the input values between -1 and 1 (instead of 0 and 1), so that the values are centered at zero",
          "Exact: x / 127.5 - 1 maps 0 to -1 and 255 to 1 in float32 (the code of L1739); "
          "the data's mean after scaling is in details (the range, not the data, is centred).",
          both(Exact({"dtype": "float32", "min": -1.0, "max": 1.0}), transform="minus1_plus1"),
          measure=pixel_facts, document_value="[-1, 1]"),
    Claim("E52_numpy_float64_keras_float32", "002", "Chapter III, Normalization", "1676",
          "By default, numpy does floating point operations as double precision (64 bits). By "
          "default, the parameters in a TF.Keras model are single precision floating point (32 bits).",
          "Exact dtypes: of x_train / 255.0 on the uint8 images, of Keras' floatx, and of the "
          "MNIST MLP's (M09) weights.",
          both(Exact({"division": "float64", "keras_floatx": "float32", "weights": ["float32"]}),
               transform="dtypes"),
          measure=pixel_facts, document_value="numpy float64, Keras float32"),
]


# --- the datasets' sizes and classes (full tier: the real datasets) ----------------

def dataset_facts(case) -> Measured:
    """Shapes, counts or class balance (largest / smallest class count) of data.load(config["name"])."""
    d, fact = data.load(case.config["name"]), case.config["fact"]
    if fact == "shapes":
        return Measured({k: list(getattr(d, k).shape) for k in ("x_train", "y_train", "x_test", "y_test")})
    if fact == "counts":
        return Measured({"train": len(d.x_train), "test": len(d.x_test)})
    if fact == "image_shape":
        return Measured({"x_train": list(d.x_train.shape[1:]), "x_test": list(d.x_test.shape[1:])})
    counts = {k: np.bincount(y.ravel(), minlength=10) for k, y in (("train", d.y_train), ("test", d.y_test))}
    return Measured({k: float(c.max() / c.min()) for k, c in counts.items()},
                    details={"counts": counts, "shares": {k: c / c.sum() for k, c in counts.items()}})


IMBALANCE = ("'Even (balanced)' read as an imbalance ratio (largest class count / smallest) of at "
             "most 1.5, the convention of the imbalanced-learning literature (e.g. the KEEL "
             "repository calls a dataset imbalanced above IR 1.5). Decided before computing, but "
             "not blind: the author knew MNIST's classes are roughly, not exactly, equal (digit 1 "
             "the largest, digit 5 the smallest); the threshold is the convention's, not fitted. "
             "Counts and shares per class in details.")

DATASETS = [
    Claim("E41_mnist_shapes", "002", "Chapter III, Dataset Splitting", "1574-1578",
          "(60000, 28, 28) (60000,)  (10000, 28, 28) (10000,)",
          "Exact shapes the document prints for mnist.load_data()'s four arrays.",
          full(Exact({"x_train": [60000, 28, 28], "y_train": [60000], "x_test": [10000, 28, 28],
                      "y_test": [10000]}), name="mnist", fact="shapes"),
          measure=dataset_facts,
          port="mnist.load_data() -> harness.kit.data.load('mnist') (the same IDX arrays, checksummed).",
          document_value="(60000, 28, 28) (60000,) / (10000, 28, 28) (10000,)"),
    Claim("E42_mnist_balanced", "002", "Chapter III, Dataset Splitting", "1574",
          "with an even (balanced) distribution across the ten digits 0 .. 9",
          IMBALANCE + " Both the training and the test labels; the embedded subsets are balanced "
          "by construction (500/100 per class), so the full tier only.",
          full(All({"train": AtMost(1.5), "test": AtMost(1.5)}), name="mnist", fact="balance"),
          measure=dataset_facts,
          port="mnist.load_data() -> harness.kit.data.load('mnist').", document_value="even (balanced)"),
    Claim("E44_cifar10_counts", "002", "Chapter III, Validation & Overfitting", "1764",
          "It consists of 60,000 training and 10,000 test images",
          "Exact counts as the sentence states them. CIFAR-10's definition: 60,000 images in all, "
          "50,000 training + 10,000 test (harness.kit.data checks it on load); the document's own log "
          "(L1797) trains on 45,000 + 5,000 = 50,000. Where CIFAR-10 is absent the test skips.",
          full(Exact({"train": 60000, "test": 10000}), name="cifar10", fact="counts"),
          measure=dataset_facts, port="cifar10.load_data() -> harness.kit.data.load('cifar10').",
          document_value="60,000 training, 10,000 test"),
    Claim("E46_cifar10_shape", "002", "Chapter III, Validation & Overfitting", "1764",
          "This dataset is a subset of the tiny images dataset of size 32x32x3.",
          "Exact image shape of the training and test arrays.",
          full(Exact({"x_train": [32, 32, 3], "x_test": [32, 32, 3]}), name="cifar10", fact="image_shape"),
          measure=dataset_facts, port="cifar10.load_data() -> harness.kit.data.load('cifar10').",
          document_value="32x32x3"),
]


# --- validation_split, through Keras' fit path ---------------------------------------

def progress_line(x, y):
    """The line Keras 3 prints (verbose=2) for one epoch of fit(x, y, validation_split=0.1)."""
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.fit(x, y, epochs=1, validation_split=0.1, verbose=2)
    return printed.getvalue().strip()


def validation_split_sizes(case) -> Measured:
    """Rows of each part after array_slicing.train_validation_split(validation_split=0.1) on
    config["rows"] zero rows; with config["fit"], also the progress line of one epoch."""
    rows = case.config["rows"]
    x, y = np.zeros((rows, 1), np.float32), np.zeros(rows, np.float32)
    (x_train, _), (x_val, _) = array_slicing.train_validation_split((x, y), validation_split=0.1)
    details = {"progress_line": progress_line(x, y)} if case.config["fit"] else {}
    return Measured({"train": len(x_train), "validation": len(x_val)}, details=details)


SPLIT = [
    Claim("E47_val_split_45000_5000", "002", "Chapter III, Validation & Overfitting", "1786, 1797",
          "Train on 45000 samples, validate on 5000 samples",
          "Exact: validation_split=0.1 of CIFAR-10's 50,000 training images, split by the function "
          "Keras 3's fit calls for validation_split (array_slicing.train_validation_split, "
          "floor(50,000 x 0.9) for training) on synthetic (50000, 1) arrays: the split depends on "
          "the row count only. The full tier also fits one epoch with the document's default batch "
          "size (32) and records Keras 3's progress line, which counts steps, not samples.",
          {"fast": Tier(Exact({"train": 45000, "validation": 5000}), config={"rows": 50000, "fit": False}),
           "full": Tier(Exact({"train": 45000, "validation": 5000}), config={"rows": 50000, "fit": True})},
          measure=validation_split_sizes,
          port="CIFAR-10 replaced by zeros of the same row count; in the full tier a Dense(1) "
               "regressor instead of the document's CNN (the progress line depends on rows and batch size).",
          document_value="45,000 / 5,000"),
]


# --- trained weights ---------------------------------------------------------------

def trained_parameters(inputs, seed, n_images, epochs, batch_size):
    """All parameters of M09 after training on the first n_images of MNIST, flattened."""
    d = data.load("mnist")
    x = d.x_train[:n_images] if inputs == "raw_inputs" else data.scale(d.x_train[:n_images])
    run = train(models.doc002_mnist_mlp, x, d.y_train[:n_images], seed=seed, epochs=epochs,
                batch_size=batch_size)
    return np.concatenate([w.ravel() for w in run.model.get_weights()])


def trained_weight_share(case) -> Measured:
    """Per seed and input scaling, the share of M09's parameters with |w| < 1 after training."""
    runs = {k: case.per_seed(lambda s: (s, trained_parameters(k, s, **case.config))) for k in case.rule.rules}
    params = {k: [p for _, p in rs] for k, rs in runs.items()}
    first_seed = next(iter(runs.values()))[0][0]
    share = {k: np.array([np.mean(np.abs(p) < 1) for p in ps]) for k, ps in params.items()}
    figure = plots.histogram({k: ps[0] for k, ps in params.items()}, xlabel="parameter value",
                             title=f"002 E49: M09 parameters after training (seed {first_seed})",
                             bins=100, band=(-1, 1))
    return Measured(estimate={k: stats.mean(v) for k, v in share.items()}, samples=share, figure=figure,
                    details={k: {"max_abs": [float(np.abs(p).max()) for p in ps],
                                 "share_below_0.1": [float(np.mean(np.abs(p) < 0.1)) for p in ps]}
                             for k, ps in params.items()})


WEIGHTS = [
    Claim("E49_trained_weights_small", "002", "Chapter III, Normalization", "1668",
          "If you were to inspect the parameters (weights and biases) within a trained model, they "
          "are very small numbers, typically between -1 and 1.",
          "'Typically' read as at least 95% of all parameters (weights and biases) with |w| < 1, mean "
          "over seeds with the whole Student-t interval above (Bonferroni level for the two parts). "
          "M09 trained with the document's setup (Adam defaults, batch 32) for 1 epoch on the first "
          "10,000 MNIST training images, on raw 0-255 inputs (the model the document has just "
          "trained, L1640-1663) and on /255 inputs (L1690); both must hold. Why not the 10-epoch "
          "runs of test_design_patterns_training.py: its cache keeps accuracies, not the models, "
          "and 2 x 10 epochs on 60,000 images is over this claim's budget.",
          {"full": Tier(All({"raw_inputs": AtLeast(0.95), "normalized_inputs": AtLeast(0.95)}),
                        tuple(range(10)), {"n_images": 10000, "epochs": 1, "batch_size": 32})},
          measure=trained_weight_share,
          port="input_shape=(28, 28) on Flatten -> keras.Input((28, 28)) (models.doc002_mnist_mlp); "
               "categorical CE on one-hot labels -> sparse CE on integer labels (the same loss); 1 "
               "epoch on 10,000 images instead of 10 on 60,000 (budget).",
          document_value="typically between -1 and 1"),
]


CLAIMS = (ARITHMETIC + STRUCTURE + RAISES + AS_PRINTED + VANISHING + CHECKPOINTS + PIXELS + DATASETS
          + SPLIT + WEIGHTS)

test_claims = claim_test(CLAIMS)
