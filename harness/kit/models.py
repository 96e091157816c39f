"""The documents' models, each written once as a builder named ``docNNN_<model>``.

Builders return uncompiled ``keras.Sequential`` models (the training helper
compiles). Ports from the documents' TF 2.0 code, the same for every builder:
``input_shape=`` on the first layer becomes a ``keras.Input(shape)`` first
(Keras 3 warns on ``input_shape=``; the parameter counts are unchanged), and
``tf.nn.relu`` / ``tf.nn.sigmoid`` / ``tf.nn.softmax`` become the Keras names.
Anything else that differs from the document is said in the builder's docstring.
"""
import functools
import math

import keras
from keras import layers

from harness.kit import backend


def _sequential(input_shape, *stack, name=None):
    return keras.Sequential([keras.Input(shape=input_shape), *stack], name=name)


# --- 000 "TensorFlow 2.0 Practical" (MNIST, inputs (28, 28) in [0, 1]) ----------

def doc000_one_layer():
    """000 §5 (L189-196): Flatten -> Dense(10, softmax); 7,850 parameters (L136)."""
    return _sequential((28, 28), layers.Flatten(name="flatten_input"),
                       layers.Dense(10, activation="softmax", name="logits"))


def doc000_five_layer(activation="sigmoid", dropout=0.0):
    """000 §6-8 (L284-300, L345, L479-503): 200/100/60/30 hidden units, softmax 10.

    activation: "sigmoid" (§6) or "relu" (§7); dropout: 0.25 before every Dense (§8).
    """
    stack = [layers.Flatten(name="flatten_input")]
    for i, units in enumerate((200, 100, 60, 30), start=1):
        if dropout:
            stack.append(layers.Dropout(dropout))
        stack.append(layers.Dense(units, activation=activation, name=f"hidden_layer_{i}"))
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(10, activation="softmax", name="logits"))
    return _sequential((28, 28), *stack)


def doc000_cnn(dropout=0.35):
    """000 §10 (L600-620): conv 6@6x6 s1, 12@5x5 s2, 24@4x4 s2 (same, relu),
    Dense 200 relu, Dropout(0.35), softmax 10. Input (28, 28, 1)."""
    return _sequential(
        (28, 28, 1),
        layers.Conv2D(6, 6, strides=1, padding="same", activation="relu", name="conv_layer_1"),
        layers.Conv2D(12, 5, strides=2, padding="same", activation="relu", name="conv_layer_2"),
        layers.Conv2D(24, 4, strides=2, padding="same", activation="relu", name="conv_layer_3"),
        layers.Flatten(name="flatten_layer"),
        layers.Dense(200, activation="relu", name="fc_layer_4"),
        layers.Dropout(dropout, name="dropout_layer"),
        layers.Dense(10, activation="softmax", name="logits"),
    )


def doc000_adam():
    """000 §10's optimizer (L644), Adam(learning_rate=0.003, decay=0.001), in Keras 3:
    ``decay=`` is ignored there, so Keras 2's lr_t = 0.003 / (1 + 0.001 t), t = steps,
    as an InverseTimeDecay schedule (claim lr_decay_api_port checks it)."""
    return keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.InverseTimeDecay(
        0.003, decay_steps=1, decay_rate=0.001))


# --- 001 "Training deep neural networks" (Fashion-MNIST; CIFAR-10 exercises) ----

def doc001_bn_mlp(use_bias=True):
    """001 §1c (L153-176, L199): Flatten, BN, Dense 300 elu he_normal, BN, Dense 100, BN, softmax 10.

    use_bias=False is the document's second model (L199): Dense without bias, BN
    before a separate ELU Activation layer.
    """
    if use_bias:
        hidden = [layers.BatchNormalization(),
                  layers.Dense(300, activation="elu", kernel_initializer="he_normal"),
                  layers.BatchNormalization(),
                  layers.Dense(100, activation="elu", kernel_initializer="he_normal"),
                  layers.BatchNormalization()]
    else:
        hidden = [layers.BatchNormalization()]
        for units in (300, 100):
            hidden += [layers.Dense(units, kernel_initializer="he_normal", use_bias=False),
                       layers.BatchNormalization(), layers.Activation("elu")]
    return _sequential((28, 28), layers.Flatten(), *hidden, layers.Dense(10, activation="softmax"))


def doc001_dropout_mlp(rate=0.2):
    """001 §5b (L642-650): Flatten, then Dropout(0.2) before each of Dense 300 elu,
    Dense 100 elu (he_normal) and the softmax 10; the model of §5c's MC dropout."""
    return _sequential(
        (28, 28), layers.Flatten(),
        layers.Dropout(rate), layers.Dense(300, activation="elu", kernel_initializer="he_normal"),
        layers.Dropout(rate), layers.Dense(100, activation="elu", kernel_initializer="he_normal"),
        layers.Dropout(rate), layers.Dense(10, activation="softmax"),
    )


def doc001_deep_elu(input_shape=(32, 32, 3), batch_norm=False, depth=20):
    """001 exercises a and c (L737-741, L814-822): Flatten, 20 x Dense 100 elu
    he_uniform, softmax 10; batch_norm=True adds a BN after Flatten and after every
    hidden Dense (after its ELU, as the document's code has it, although its text says
    "before the activation function")."""
    stack = [layers.Flatten()] + ([layers.BatchNormalization()] if batch_norm else [])
    for _ in range(depth):
        stack.append(layers.Dense(100, activation="elu", kernel_initializer="he_uniform"))
        if batch_norm:
            stack.append(layers.BatchNormalization())
    return _sequential(input_shape, *stack, layers.Dense(10, activation="softmax"))


# --- 002 "Deep Learning Design Patterns" primer --------------------------------

def doc002_regressor_relu_layers():
    """002 M03 (L347-359): Dense 10 (13 inputs), ReLU, Dense 10, ReLU, Dense 1."""
    return _sequential((13,), layers.Dense(10), layers.ReLU(), layers.Dense(10), layers.ReLU(),
                       layers.Dense(1))


def doc002_regressor_shorthand():
    """002 M04 (L398-404): the same with ``activation='relu'`` inside Dense."""
    return _sequential((13,), layers.Dense(10, activation="relu"),
                       layers.Dense(10, activation="relu"), layers.Dense(1))


def doc002_mnist_mlp():
    """002 M09 (L682-699): Flatten (28, 28), Dense 512 relu, Dense 512 relu, Dense 10 softmax."""
    return _sequential((28, 28), layers.Flatten(), layers.Dense(512, activation="relu"),
                       layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax"))


def doc002_basic_cnn():
    """002 M11 (L869-897): Conv 16@3x3 s2 same on (128, 128, 1), ReLU, MaxPool 2,
    Flatten, Dense 512, ReLU, Dense 26, softmax."""
    return _sequential(
        (128, 128, 1), layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"), layers.ReLU(),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)), layers.Flatten(),
        layers.Dense(512), layers.ReLU(), layers.Dense(26), layers.Activation("softmax"),
    )


def doc002_dnn(n_inputs=13, n_outputs=1, activation=None, output_activation=None,
               activation_layers=False, functional=False):
    """002 Chapter I's small DNNs: Dense 10 -> Dense 10 -> Dense ``n_outputs`` on ``n_inputs`` features.

    M01 (L239-245, L256-263): the defaults, no activations (``add()`` and list forms are one model);
    M02 (L282-290): ``functional=True``; M05 binary classifier (L465-477): activation="relu",
    output_activation="sigmoid", with ``activation_layers=True`` for the Activation-layer form
    (L487-506) and also ``functional=True`` for its Functional form (L520-546); M06 (L573-585):
    4 inputs, 5 softmax outputs; M07 (L601-614): 3 inputs, 7 sigmoid outputs.
    activation_layers: the activations as separate ``Activation(name)`` layers after each Dense
    instead of ``activation=`` arguments. functional: a ``keras.Model`` on ``keras.Input`` (its
    ``layers`` then start with the InputLayer).
    """
    stack = []
    for units, act in ((10, activation), (10, activation), (n_outputs, output_activation)):
        if activation_layers:
            stack += [layers.Dense(units)] + ([layers.Activation(act)] if act else [])
        else:
            stack.append(layers.Dense(units, activation=act))
    if not functional:
        return _sequential((n_inputs,), *stack)
    inputs = keras.Input((n_inputs,))
    x = inputs
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x)


def doc002_multitask():
    """002 M08 (L636-652): Input(3) -> Dense 10 relu -> Dense 10 relu -> two heads, Dense 5
    softmax and Dense 2 softmax; a Functional model with outputs [(None, 5), (None, 2)]."""
    inputs = keras.Input((3,))
    x = layers.Dense(10, activation="relu")(inputs)
    x = layers.Dense(10, activation="relu")(x)
    return keras.Model(inputs, [layers.Dense(5, activation="softmax")(x),
                                layers.Dense(2, activation="softmax")(x)])


def doc002_mnist_mlp_dropout(rate=0.5):
    """002 M10 (L750-769): Flatten (28, 28), then [Dense 512, Dropout(rate), ReLU] twice,
    Dense 10, Activation softmax (9 layers). The document imports from ``keras`` (L747-748)."""
    stack = [layers.Flatten()]
    for _ in range(2):
        stack += [layers.Dense(512), layers.Dropout(rate), layers.ReLU()]
    return _sequential((28, 28), *stack, layers.Dense(10), layers.Activation("softmax"))


def doc002_basic_cnn_shorthand(functional=False):
    """002 M11's second and third forms (L938-962, L976-985): Conv 16@3x3 s2 same relu on
    (128, 128, 1), MaxPool 2 s2, Flatten, Dense 512 relu, Dense 26 softmax, activations as
    arguments; ``functional=True`` is the Functional form (L976-985). The long form with
    separate activation layers is ``doc002_basic_cnn``."""
    stack = [layers.Conv2D(16, kernel_size=(3, 3), strides=(2, 2), padding="same", activation="relu"),
             layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)), layers.Flatten(),
             layers.Dense(512, activation="relu"), layers.Dense(26, activation="softmax")]
    if not functional:
        return _sequential((128, 128, 1), *stack)
    inputs = keras.Input(shape=(128, 128, 1))
    x = inputs
    for layer in stack:
        x = layer(x)
    return keras.Model(inputs, x)


def doc002_vgg16(reuse=False):
    """002 M12 (L1004-1052): VGG16 on (224, 224, 3), 138,357,544 parameters (~550 MB to build).

    Conv 3x3 s1 same relu blocks of 64x2, 128x2, 256x3, 512x3, 512x3, each followed by
    MaxPool 2 s2; Flatten (25,088); Dense 4096 relu x2; Dense 1000 softmax.
    reuse=True is M13 (L1060-1095): the same network built as the document's second listing
    does, the first conv inline and then ``conv_block(n_layers, n_filters)`` calls, whose
    pooling is written ``MaxPooling2D(2, strides=2)``.
    """
    conv = dict(strides=(1, 1), padding="same", activation="relu")
    stack = [layers.Conv2D(64, (3, 3), **conv)]
    if reuse:
        for n_layers, n_filters in ((1, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
            stack += [layers.Conv2D(n_filters, (3, 3), **conv) for _ in range(n_layers)]
            stack.append(layers.MaxPooling2D(2, strides=2))
    else:
        stack += [layers.Conv2D(64, (3, 3), **conv), layers.MaxPooling2D((2, 2), strides=(2, 2))]
        for n_layers, n_filters in ((2, 128), (3, 256), (3, 512), (3, 512)):
            stack += [layers.Conv2D(n_filters, (3, 3), **conv) for _ in range(n_layers)]
            stack.append(layers.MaxPooling2D((2, 2), strides=(2, 2)))
    return _sequential((224, 224, 3), *stack, layers.Flatten(),
                       layers.Dense(4096, activation="relu"), layers.Dense(4096, activation="relu"),
                       layers.Dense(1000, activation="softmax"))


# The 002 residual blocks, as the document writes them (its argument orders kept). Each takes
# and returns a KerasTensor (batch, height, width, channels).

def _doc002_residual_snippet(x, n_filters=64):
    """L1121-1127: Conv n_filters 3x3 s1 same, ReLU, Conv, ReLU, add the input (64 as printed)."""
    shortcut = x
    for _ in range(2):
        x = layers.Conv2D(n_filters, kernel_size=(3, 3), strides=(1, 1), padding="same")(x)
        x = layers.ReLU()(x)
    return layers.add([shortcut, x])


def _doc002_residual_block(n_filters, x):
    """L1149-1164 (the body's indentation restored): two Conv n_filters 3x3 s1 same relu, add."""
    shortcut = x
    for _ in range(2):
        x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding="same", activation="relu")(x)
    return layers.add([shortcut, x])


def _doc002_conv_block(n_filters, x):
    """L1166-1175: two Conv n_filters 3x3 same relu, BOTH with strides (2, 2) as printed."""
    for _ in range(2):
        x = layers.Conv2D(n_filters, (3, 3), strides=(2, 2), padding="same", activation="relu")(x)
    return x


def _doc002_bottleneck_block(n_filters, x):
    """L1243-1261 (the last two lines' indentation restored): Conv 1x1, 3x3, 1x1 x4 (all
    same, relu), add the input, which must have 4 * n_filters channels."""
    shortcut = x
    for filters, kernel in ((n_filters, (1, 1)), (n_filters, (3, 3)), (n_filters * 4, (1, 1))):
        x = layers.Conv2D(filters, kernel, strides=(1, 1), padding="same", activation="relu")(x)
    return layers.add([shortcut, x])


def _doc002_identity_block(x, n_filters):
    """ResNet50 v1 identity block, L1321-1349 (tail indentation restored): [Conv 1x1, BN,
    ReLU], [Conv 3x3 same, BN, ReLU], [Conv 1x1 x4, BN], add the input, ReLU."""
    shortcut = x
    x = layers.Conv2D(n_filters, (1, 1), strides=(1, 1))(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(n_filters, (3, 3), strides=(1, 1), padding="same")(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.BatchNormalization()(layers.Conv2D(n_filters * 4, (1, 1), strides=(1, 1))(x))
    return layers.ReLU()(layers.add([shortcut, x]))


def _doc002_projection_block(x, n_filters, strides=(2, 2), version="v1", hardcoded_stride=False):
    """ResNet50 projection block: shortcut Conv 4*n_filters 1x1 ``strides`` + BN; main path
    [Conv 1x1, BN, ReLU], [Conv 3x3 same, BN, ReLU], [Conv 1x1 x4, BN]; add; ReLU.

    version "v1" (L1351-1381): ``strides`` on the first 1x1. "v1.5" (L1445-1481, tail
    indentation restored): ``strides`` on the 3x3; hardcoded_stride=True keeps the printed
    ``strides=(2, 2)`` on that 3x3 (L1465) whatever ``strides`` is.
    """
    shortcut = layers.Conv2D(4 * n_filters, (1, 1), strides=strides)(x)
    shortcut = layers.BatchNormalization()(shortcut)
    if version == "v1":
        first, middle = strides, (1, 1)
    else:
        first, middle = (1, 1), (2, 2) if hardcoded_stride else strides
    x = layers.Conv2D(n_filters, (1, 1), strides=first)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2D(n_filters, (3, 3), strides=middle, padding="same")(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.BatchNormalization()(layers.Conv2D(4 * n_filters, (1, 1), strides=(1, 1))(x))
    return layers.ReLU()(layers.add([x, shortcut]))


def _doc002_identity_block_v2(x, n_filters):
    """ResNet50 v2 identity block, L1489-1511: pre-activation [BN, ReLU, Conv 1x1],
    [BN, ReLU, Conv 3x3 same], [BN, ReLU, Conv 1x1 x4], add the input (no final ReLU)."""
    shortcut = x
    for filters, kernel, padding in ((n_filters, (1, 1), "valid"), (n_filters, (3, 3), "same"),
                                     (n_filters * 4, (1, 1), "valid")):
        x = layers.ReLU()(layers.BatchNormalization()(x))
        x = layers.Conv2D(filters, kernel, strides=(1, 1), padding=padding)(x)
    return layers.add([shortcut, x])


_DOC002_BLOCKS = {"residual_snippet": _doc002_residual_snippet, "residual": _doc002_residual_block,
                  "conv": _doc002_conv_block, "bottleneck": _doc002_bottleneck_block,
                  "v1_identity": _doc002_identity_block, "projection": _doc002_projection_block,
                  "v2_identity": _doc002_identity_block_v2}


def doc002_block(kind, n_filters, input_shape, **kwargs):
    """One of 002's residual blocks alone, as a Functional model on ``keras.Input(input_shape)``.

    kind: "residual_snippet" (M15, L1121-1127), "residual" (M14's residual_block, L1149-1164),
    "conv" (M14's conv_block, L1166-1175), "bottleneck" (M15, L1243-1261), "v1_identity"
    (M17, L1321-1349), "projection" (M17/M18, L1351-1381 / L1445-1481; kwargs strides,
    version, hardcoded_stride), "v2_identity" (M19, L1489-1511). The document's argument
    order of each block is kept: ``(n_filters, x)`` for the first four, ``(x, n_filters)``
    for the ResNet50 ones.
    """
    inputs = keras.Input(input_shape)
    args = (n_filters, inputs) if kind in ("residual", "conv", "bottleneck") else (inputs, n_filters)
    return keras.Model(inputs, _DOC002_BLOCKS[kind](*args, **kwargs))


def doc002_resnet34(conv_blocks=True):
    """002 M14 (L1145-1223), the document's "ResNet34"-like network on (224, 224, 3).

    Conv 64@7x7 s2 same relu, MaxPool 3 s2 same, residual groups of 64 x2, 128 x3, 256 x5,
    512 x2 with a ``conv_block`` before the 128, 256 and 512 groups, GAP, Dense 1000
    softmax. Port: the body of ``residual_block`` is not indented as printed (L1154-1164);
    it is restored. As printed, each conv_block has two stride-2 convs, so the maps go
    56 -> 14 -> 4 -> 1. conv_blocks=False connects the groups directly, the case L1137
    says fails (the first 128-filter block adds 64 to 128 channels: ValueError).
    """
    inputs = layers.Input(shape=(224, 224, 3))
    x = layers.Conv2D(64, kernel_size=(7, 7), strides=(2, 2), padding="same", activation="relu")(inputs)
    x = layers.MaxPool2D(pool_size=(3, 3), strides=(2, 2), padding="same")(x)
    for n_filters, n_blocks in ((64, 2), (128, 3), (256, 5), (512, 2)):
        if conv_blocks and n_filters > 64:
            x = _doc002_conv_block(n_filters, x)
        for _ in range(n_blocks):
            x = _doc002_residual_block(n_filters, x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(1000, activation="softmax")(x))


def doc002_bn_example(input_shape=(128, 128, 3)):
    """002 M16 (L1280-1300): Conv 64@3x3 s1 same, BN, ReLU, Flatten, Dense 4096, ReLU, BN.

    NEVER build it at the document's input (128, 128, 3): the Dense kernel alone is
    1,048,576 x 4096 weights (4.29e9 parameters, ~17 GB in float32). Tests build it at a
    small ``input_shape`` and count the full size analytically.
    """
    return _sequential(input_shape, layers.Conv2D(64, (3, 3), strides=(1, 1), padding="same"),
                       layers.BatchNormalization(), layers.ReLU(), layers.Flatten(),
                       layers.Dense(4096), layers.ReLU(), layers.BatchNormalization())


def doc002_resnet50(version="v1", swap_arguments=False, hardcoded_stride=False):
    """002 M17 ResNet50 v1 (L1317-1437) and M18 v1.5 (``version="v1.5"``, its projection
    block L1444-1482) on (224, 224, 3): 25,636,712 parameters (25,583,592 trainable).

    ZeroPadding 3, Conv 64@7x7 s2 valid, BN, ReLU, ZeroPadding 1, MaxPool 3 s2, then
    projection + identity bottleneck blocks of 64 (1+2, projection strides (1, 1)), 128
    (1+3), 256 (1+5), 512 (1+2), GAP, Dense 1000 softmax.
    Ports: the blocks' tails are not indented as printed (L1342-1349, L1472-1481), restored;
    the calls are written ``projection_block(64, x, ...)`` / ``identity_block(64, x)``
    against signatures ``(x, n_filters)`` (L1399-1427): fixed to ``(x, 64)``.
    swap_arguments=True keeps the document's argument order (TypeError on Keras 3);
    hardcoded_stride=True (v1.5) keeps the printed 3x3 ``strides=(2, 2)`` (L1465), which
    breaks the first group's add (its projection has strides (1, 1)).
    """
    def call(block, n_filters, x, **kwargs):
        return block(n_filters, x, **kwargs) if swap_arguments else block(x, n_filters, **kwargs)

    inputs = layers.Input(shape=(224, 224, 3))
    x = layers.ZeroPadding2D(padding=(3, 3))(inputs)
    x = layers.Conv2D(64, kernel_size=(7, 7), strides=(2, 2), padding="valid")(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.ZeroPadding2D(padding=(1, 1))(x)
    x = layers.MaxPool2D(pool_size=(3, 3), strides=(2, 2))(x)
    for n_filters, n_blocks in ((64, 2), (128, 3), (256, 5), (512, 2)):
        strides = (1, 1) if n_filters == 64 else (2, 2)
        x = call(_doc002_projection_block, n_filters, x, strides=strides, version=version,
                 hardcoded_stride=hardcoded_stride)
        for _ in range(n_blocks):
            x = call(_doc002_identity_block, n_filters, x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(1000, activation="softmax")(x))


def doc002_deep_dnn(flatten=False, depth=40):
    """002 M22 (L1863-1869): Dense 64 relu on input (28, 28), ``depth`` x Dense 64 relu,
    Dense 10 softmax (42 Dense layers). As written there is no Flatten, so every Dense acts
    on the last axis and the output is (None, 28, 10); flatten=True adds the missing Flatten."""
    stack = [layers.Flatten()] if flatten else []
    stack += [layers.Dense(64, activation="relu") for _ in range(depth + 1)]
    return _sequential((28, 28), *stack, layers.Dense(10, activation="softmax"))


def doc002_convergence_cnn():
    """002 M23 (L1946-1960): Conv 32@3x3 relu on (32, 32, 3), Conv 64@3x3 relu, MaxPool 2,
    Flatten (12,544), Dense 128 relu, Dense 10 softmax (valid padding)."""
    return _sequential((32, 32, 3), layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
                       layers.Conv2D(64, (3, 3), activation="relu"),
                       layers.MaxPooling2D(pool_size=(2, 2)), layers.Flatten(),
                       layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax"))


def summary(model: keras.Model) -> dict:
    """What ``model.summary()`` prints, as data: per-layer parameter counts and output
    shapes (batch dimension as None), and the total / trainable / non-trainable counts."""
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    total = model.count_params()
    return {
        "layers": [layer.count_params() for layer in model.layers],
        "shapes": [tuple(layer.output.shape) for layer in model.layers],
        "names": [type(layer).__name__ for layer in model.layers],
        "total": total,
        "trainable": trainable,
        "non_trainable": total - trainable,
    }


def macs(model: keras.Model) -> int:
    """Multiply-accumulates of one example's forward pass through the model's Dense and Conv
    layers: per layer, the output positions (output shape without batch and channel axes)
    times the kernel size (kh * kw * c_in * c_out, or n_in * n_out). Biases, BN, pooling,
    adds and activations are left out."""
    return sum(math.prod(layer.output.shape[1:-1]) * math.prod(layer.kernel.shape)
               for layer in model.layers if hasattr(layer, "kernel"))


@functools.lru_cache(maxsize=None)
def _built(builder, kwargs):
    return globals()[builder](**dict(kwargs))


def built(builder: str, **kwargs) -> keras.Model:
    """``<builder>(**kwargs)`` built once per session and shared between tests, for reading
    counts and shapes (never train or modify it): VGG16 and ResNet50 take seconds and
    hundreds of MB each. kwargs must be hashable."""
    return _built(builder, tuple(sorted(kwargs.items())))


# --- published models (positive controls) -------------------------------------

def kerasio_mnist_convnet():
    """keras-io's "Simple MNIST convnet" (examples/vision/mnist_convnet.py): Conv 32@3x3 relu,
    MaxPool 2, Conv 64@3x3 relu, MaxPool 2, Flatten, Dropout 0.5, Dense 10 softmax; 34,826
    parameters."""
    return _sequential((28, 28, 1), layers.Conv2D(32, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
                       layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
                       layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"))


# --- probe models (not from the documents) --------------------------------------

def dense_stack(input_dim, width, depth, activation, kernel_initializer):
    """A probe for signal flow: ``depth`` x (Dense(width) -> Activation), then Dense(10)
    logits (no softmax: use a from_logits loss). Dense and Activation are separate
    layers so that pre-activations and activations are both layer outputs.
    kernel_initializer: a Keras identifier (name or config dict) that every Dense
    deserializes into its own instance."""
    stack = []
    for i in range(1, depth + 1):
        stack += [layers.Dense(width, kernel_initializer=kernel_initializer, name=f"dense_{i}"),
                  layers.Activation(activation, name=f"{activation}_{i}")]
    return _sequential((input_dim,), *stack,
                       layers.Dense(10, kernel_initializer=kernel_initializer, name="logits"))


def doc001_mlp(activation="relu", kernel_initializer="glorot_uniform"):
    """001's Fashion-MNIST MLP (the 300/100 net of §1c, L153-176, without its BN):
    Flatten (28, 28), Dense 300, Dense 100 (both ``activation``), Dense 10 softmax."""
    return _sequential((28, 28), layers.Flatten(),
                       layers.Dense(300, activation=activation, kernel_initializer=kernel_initializer),
                       layers.Dense(100, activation=activation, kernel_initializer=kernel_initializer),
                       layers.Dense(10, activation="softmax"))


def doc001_transfer_mlp(n_outputs=8):
    """001 §2a (L330-381) models A and B. The document does not print their
    architecture; this is the one of the notebook it follows (Géron, HOML 2nd ed.,
    ch. 11): Flatten (28, 28), Dense 300, 100, 50, 50, 50 selu lecun_normal, then
    Dense(8, softmax) for model A or Dense(1, sigmoid) for model B (n_outputs=1)."""
    hidden = [layers.Dense(n, activation="selu", kernel_initializer="lecun_normal")
              for n in (300, 100, 50, 50, 50)]
    head = layers.Dense(n_outputs, activation="sigmoid" if n_outputs == 1 else "softmax")
    return _sequential((28, 28), layers.Flatten(), *hidden, head)


def doc002_cifar_simple_cnn(dropout=0.0):
    """002 M20/M21 (L1774-1780, L1821-1828): Conv 32@3x3 relu (valid) on (32, 32, 3),
    MaxPool 2, Flatten, [Dropout(0.5) for M21], Dense 10 softmax; 72,906 parameters.
    The document's ``Flatten(input_shape=(28, 28))`` is not the first layer, so its
    input_shape is ignored (in TF 2.0 as in Keras 3): a plain Flatten here."""
    return _sequential((32, 32, 3), layers.Conv2D(32, (3, 3), activation="relu"),
                       layers.MaxPooling2D((2, 2)), layers.Flatten(),
                       *([layers.Dropout(dropout)] if dropout else []),
                       layers.Dense(10, activation="softmax"))


def doc001_deep_selu(input_shape=(32, 32, 3), alpha_dropout=0.0, depth=20):
    """001 exercises d and e (L937-943, L1047-1054): Flatten, 20 x Dense 100 selu
    lecun_uniform (the document's code; its text says LeCun normal), softmax 10;
    alpha_dropout > 0 adds one AlphaDropout(rate) before the output layer (exercise e)."""
    stack = [layers.Flatten()]
    stack += [layers.Dense(100, activation="selu", kernel_initializer="lecun_uniform")
              for _ in range(depth)]
    if alpha_dropout:
        stack.append(layers.AlphaDropout(alpha_dropout))
    return _sequential(input_shape, *stack, layers.Dense(10, activation="softmax"))


def doc000_cnn_variant(pooling="stride", conv_dropout=0.0, fc_dropout=0.35):
    """Variants of doc000_cnn (000 §9-10, L571 and L585) for comparisons the text makes.

    pooling: "stride" = doc000_cnn's convs (strides 1, 2, 2); "maxpool" = the same convs with
    stride 1 and a MaxPooling2D(2) after the 2nd and 3rd, so the shapes (28, 14, 7) match.
    conv_dropout: Dropout rate after each conv layer (0 = none, as in the document);
    fc_dropout: the Dropout after Dense 200 (the document's 0.35; 0 = no Dropout layer)."""
    stack = []
    for i, (filters, size, stride) in enumerate(((6, 6, 1), (12, 5, 2), (24, 4, 2)), start=1):
        pool = pooling == "maxpool" and stride == 2
        stack.append(layers.Conv2D(filters, size, strides=1 if pool else stride, padding="same",
                                   activation="relu", name=f"conv_layer_{i}"))
        if pool:
            stack.append(layers.MaxPooling2D(2))
        if conv_dropout:
            stack.append(layers.Dropout(conv_dropout))
    head = [layers.Flatten(), layers.Dense(200, activation="relu")]
    head += [layers.Dropout(fc_dropout)] if fc_dropout else []
    return _sequential((28, 28, 1), *stack, *head, layers.Dense(10, activation="softmax"))


# --- our fast MNIST recipe (not from the documents; claims/test_time_to_accuracy.py) ----

class FusedBatchNorm(layers.Layer):
    """Batch normalization of NHWC maps through TensorFlow's fused kernel
    (FusedBatchNormV3): the maths of ``keras.layers.BatchNormalization(momentum,
    epsilon=1e-3)``, about twice as fast on CPU, where Keras 3 builds BN from separate
    element-wise ops. Moving statistics: m <- momentum m + (1 - momentum) batch."""

    def __init__(self, momentum=0.9, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.momentum, self.epsilon = momentum, epsilon

    def build(self, shape):
        channels = (shape[-1],)
        self.gamma = self.add_weight(shape=channels, initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=channels, initializer="zeros", name="beta")
        self.moving_mean = self.add_weight(shape=channels, initializer="zeros", trainable=False, name="moving_mean")
        self.moving_var = self.add_weight(shape=channels, initializer="ones", trainable=False, name="moving_var")

    def call(self, x, training=False):
        tf = backend.tf
        if not training:
            y, _, _ = tf.compat.v1.nn.fused_batch_norm(x, self.gamma, self.beta, mean=self.moving_mean,
                                                       variance=self.moving_var, epsilon=self.epsilon,
                                                       is_training=False)
            return y
        y, mean, var = tf.compat.v1.nn.fused_batch_norm(x, self.gamma, self.beta, epsilon=self.epsilon,
                                                        is_training=True)
        self.moving_mean.assign(self.momentum * self.moving_mean + (1 - self.momentum) * mean)
        self.moving_var.assign(self.momentum * self.moving_var + (1 - self.momentum) * var)
        return y


def _fast_batch_norm():
    """FusedBatchNorm on TensorFlow; Keras' BatchNormalization with the same maths elsewhere."""
    if backend.name() == "tensorflow":
        return FusedBatchNorm()
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-3)


def fast_mnist_cnn():
    """Input (28, 28, 1) -> space-to-depth 2 (14, 14, 4: each 2x2 block of pixels as 4
    channels, nothing lost) -> Conv 32@3x3 (no bias) -> MaxPool 2 -> BN, ReLU -> Conv
    64@3x3 (no bias) -> BN, ReLU -> Flatten (3,136) -> Dense 10 logits. 1,160,320 MACs
    and 51,338 parameters per image; designed on a validation split (seeds >= 100)."""
    return _sequential(
        (28, 28, 1), layers.Reshape((14, 2, 14, 2)), layers.Permute((1, 3, 2, 4)), layers.Reshape((14, 14, 4)),
        layers.Conv2D(32, 3, padding="same", use_bias=False), layers.MaxPooling2D(),
        _fast_batch_norm(), layers.ReLU(),
        layers.Conv2D(64, 3, padding="same", use_bias=False), _fast_batch_norm(), layers.ReLU(),
        layers.Flatten(), layers.Dense(10))


def fast_mnist_sgd(total_steps=780):
    """SGD, momentum 0.9, Nesterov; one cycle: linear warm-up 0.01 -> 0.1 over the first
    20% of ``total_steps``, then cosine decay to 0."""
    warmup = int(0.2 * total_steps)
    schedule = keras.optimizers.schedules.CosineDecay(0.01, total_steps - warmup, alpha=0.0,
                                                      warmup_target=0.1, warmup_steps=warmup)
    return keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)
