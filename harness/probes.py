"""Looking inside a model: per-layer activations and gradients, measured on a batch."""
import numpy as np
import tensorflow as tf
import keras


def forward_backward(model: keras.Model, x, y, loss="sparse_categorical_crossentropy"):
    """Run ``model``'s layers one by one on a batch and backpropagate the loss.

    Returns (outputs, grads): for every layer, its output on ``x`` and the gradient
    of the mean loss with respect to that output, as float64 numpy arrays of the
    layer's output shape (batch first). The gradient is None for a softmax output
    layer: Keras' cross-entropy differentiates through the logits, not the softmax.
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
    return ([o.numpy().astype(np.float64) for o in outputs],
            [None if g is None else g.numpy().astype(np.float64) for g in grads])


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


class BatchRecorder(keras.Model):
    """A probe of ``fit``'s batching: Dense(1) on one feature that records which examples
    every training and validation batch holds. Feed x = [[0], [1], ..., [n-1]] (the id of
    each example is its input) and compile with ``run_eagerly=True`` so the steps run in
    Python. After ``fit(..., callbacks=[recorder.callback])``, ``recorder.epochs`` is one
    {"train": [[ids of batch 1], ...], "validation": [...]} per epoch fit started."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.epochs = []
        self.callback = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: self.epochs.append({"train": [], "validation": []}))

    def call(self, x):
        return self.dense(x)

    def _record(self, kind, data):
        self.epochs[-1][kind].append(np.asarray(data[0])[:, 0].astype(int).tolist())

    def train_step(self, data):
        self._record("train", data)
        return super().train_step(data)

    def test_step(self, data):
        self._record("validation", data)
        return super().test_step(data)
