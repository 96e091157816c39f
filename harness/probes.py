"""Looking inside a model: per-layer activations and gradients, measured on a batch."""
import numpy as np
import tensorflow as tf
import keras


def forward_backward(model: keras.Model, x, y, loss="sparse_categorical_crossentropy"):
    """Run ``model``'s layers one by one on a batch and backpropagate the loss.

    Returns (outputs, grads): for every layer, its output on ``x`` and the gradient
    of the mean loss with respect to that output, as float64 numpy arrays of the
    layer's output shape (batch first).
    """
    loss_fn = keras.losses.get(loss)
    with tf.GradientTape() as tape:
        h = tf.convert_to_tensor(x, tf.float32)
        outputs = []
        for layer in model.layers:
            h = layer(h)
            tape.watch(h)
            outputs.append(h)
        value = tf.reduce_mean(loss_fn(y, h))
    grads = tape.gradient(value, outputs)
    return [o.numpy().astype(np.float64) for o in outputs], [g.numpy().astype(np.float64) for g in grads]


def kernel_gradient_rms(model: keras.Model, x, y, loss="sparse_categorical_crossentropy"):
    """Root-mean-square gradient per kernel weight, one value per layer that has a
    kernel (Dense, Conv), in layer order: a size-free measure of how much each
    layer is told to move."""
    loss_fn = keras.losses.get(loss)
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    with tf.GradientTape() as tape:
        value = tf.reduce_mean(loss_fn(y, model(tf.convert_to_tensor(x, tf.float32), training=False)))
    grads = tape.gradient(value, kernels)
    return np.array([float(tf.sqrt(tf.reduce_mean(tf.square(g)))) for g in grads])
