"""The documents' models, each written once as a builder named ``docNNN_<model>``.

Builders return uncompiled ``keras.Sequential`` models (the training helper
compiles). Ports from the documents' TF 2.0 code, the same for every builder:
``input_shape=`` on the first layer becomes a ``keras.Input(shape)`` first
(Keras 3 warns on ``input_shape=``; the parameter counts are unchanged), and
``tf.nn.relu`` / ``tf.nn.sigmoid`` / ``tf.nn.softmax`` become the Keras names.
Anything else that differs from the document is said in the builder's docstring.
"""
import math

import keras
from keras import layers


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
