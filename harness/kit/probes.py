"""Looking inside a model: per-layer activations and gradients, measured on a batch."""
import numpy as np
import keras

from harness.kit import backend


def forward_backward(model: keras.Model, x, y, loss="sparse_categorical_crossentropy"):
    """Run ``model``'s layers one by one on a batch and backpropagate the loss.

    Returns (outputs, grads): for every layer, its output on ``x`` and the gradient
    of the mean loss with respect to that output, as float64 numpy arrays of the
    layer's output shape (batch first). The gradient is None for a softmax output
    layer: Keras' cross-entropy differentiates through the logits, not the softmax.
    Each output's gradient is taken with respect to a zero added to that output (one
    way for every backend; adding zeros changes no value).
    """
    loss_fn = keras.losses.get(loss)
    softmax_output = getattr(model.layers[-1], "activation", None) is keras.activations.softmax
    outputs = []

    def mean_loss(*zeros):
        outputs.clear()
        h = keras.ops.convert_to_tensor(x, "float32")
        for i, layer in enumerate(model.layers):
            h = layer(h) if i >= len(zeros) else layer(h) + zeros[i]
            outputs.append(h)
        return keras.ops.mean(loss_fn(y, h))

    mean_loss()
    values = [np.asarray(keras.ops.convert_to_numpy(o), np.float64) for o in outputs]
    zeros = [np.zeros(v.shape, "float32") for v in values[:len(values) - softmax_output]]
    _, _, grads = backend.gradients(mean_loss, inputs=zeros)
    return values, grads + [None] * softmax_output


def kernel_gradient_rms(model: keras.Model, x, y, loss="sparse_categorical_crossentropy"):
    """Root-mean-square gradient per kernel weight, one value per layer that has a
    kernel (Dense, Conv), in layer order: a size-free measure of how much each
    layer is told to move."""
    loss_fn = keras.losses.get(loss)
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    x = keras.ops.convert_to_tensor(x, "float32")
    _, grads, _ = backend.gradients(lambda: keras.ops.mean(loss_fn(y, model(x, training=False))), kernels)
    return np.array([np.sqrt(np.mean(np.square(g))) for g in grads])


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

    def train_step(self, *args):  # (data), or (state, data) on JAX
        self._record("train", args[-1])
        return super().train_step(*args)

    def test_step(self, *args):
        self._record("validation", args[-1])
        return super().test_step(*args)
