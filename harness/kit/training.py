"""One helper around ``model.fit``: seeded, timed, with its history kept."""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np

from harness.kit import backend, device


FUSED = 64  # steps_per_execution for the trainings that neither time epochs nor record batches


@dataclass
class Run:
    """A finished training run. history: {metric: [value per epoch]};
    seconds: wall time of ``fit``; samples_per_second: training examples seen / seconds."""
    model: keras.Model
    history: dict
    seconds: float
    samples_per_second: float
    device: str
    seed: int


def seed_everything(seed: int) -> None:
    """Python, NumPy and TensorFlow/Keras random state (``keras.utils.set_random_seed``)."""
    keras.utils.set_random_seed(seed)


def batches(x, y, *, batch_size: int, seed: int, shuffle: bool = True, repeat: bool = False):
    """In-memory arrays as batches, reshuffled every pass through the data with ``seed``;
    ``repeat``: endlessly (fit's ``steps_per_epoch`` then cuts the epochs).

    TensorFlow backend: a ``tf.data`` pipeline. The arrays become tensors once; the
    pipeline shuffles indices and gathers each batch with one ``tf.gather`` (the same
    batches, bit for bit, as shuffling the examples themselves, at a fraction of the
    per-example cost). JAX and PyTorch: ``Shuffled``, a ``keras.utils.PyDataset``
    (another permutation per seed than tf.data's, the same kind of SGD).

    Why not ``fit(x, y, shuffle=True)``: once a global seed is set (as it must be for
    repeatable runs), Keras 3.15 feeds numpy arrays in the same order every epoch
    (claim A13_reshuffle_each_epoch_seeded records it), which is not the SGD the
    documents run.
    """
    if backend.name() != "tensorflow":
        return Shuffled(x, y, batch_size=batch_size, seed=seed, shuffle=shuffle, repeat=repeat)
    tf = backend.tf
    x, y = tf.constant(x), tf.constant(y)
    order = tf.data.Dataset.range(len(x))
    if shuffle:
        order = order.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    pipeline = (order.batch(batch_size).map(lambda i: (tf.gather(x, i), tf.gather(y, i)))
                .prefetch(tf.data.AUTOTUNE))
    return pipeline.repeat() if repeat else pipeline


class Shuffled(keras.utils.PyDataset):
    """Batches of (x, y) (numpy, first axis the examples), pass ``p`` through the data in the
    order of ``np.random.default_rng([seed, p]).permutation``; one pass per fit epoch, or
    (``repeat``) endless passes indexed by the global batch number."""

    def __init__(self, x, y, *, batch_size: int, seed: int, shuffle: bool = True, repeat: bool = False):
        super().__init__()
        self.x, self.y, self.batch_size, self.seed, self.shuffle, self.repeat = x, y, batch_size, seed, shuffle, repeat
        self.per_pass, self.passes, self._order = math.ceil(len(x) / batch_size), 0, (None, None)

    @property
    def num_batches(self):
        return None if self.repeat else self.per_pass

    def __len__(self):
        return self.per_pass

    def order(self, p: int):
        if self._order[0] != p:
            n = len(self.x)
            self._order = (p, np.random.default_rng([self.seed, p]).permutation(n) if self.shuffle else np.arange(n))
        return self._order[1]

    def __getitem__(self, i):
        p, j = divmod(i, self.per_pass)
        rows = self.order(p + self.passes)[j * self.batch_size:(j + 1) * self.batch_size]
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        if not self.repeat:
            self.passes += 1


def _compile(model: keras.Model, optimizer, loss, metrics, steps_per_execution: int = 1) -> keras.Model:
    model.compile(optimizer=optimizer() if callable(optimizer) else optimizer, loss=loss,
                  metrics=list(metrics), jit_compile=backend.jit_compile(device.ACTIVE["xla"]),
                  steps_per_execution=backend.steps_per_execution(steps_per_execution))
    return model


@functools.lru_cache(maxsize=4)
def _shared(build: Callable[[], keras.Model], optimizer, loss, metrics: tuple, steps_per_execution: int,
            xla: bool):
    """One compiled model per (build, optimizer, loss, metrics, steps per execution, XLA): ->
    (model, its optimizer's initial variable values). Its training step is traced at its first fit only."""
    model = _compile(build(), optimizer, loss, metrics, steps_per_execution)
    model.optimizer.build(model.trainable_variables)
    return model, [v.numpy() for v in model.optimizer.variables]


def _reinitialized(shared, build) -> keras.Model:
    """The shared compiled model with every variable of a newly built model (weights and
    Dropout's seed-generator states: the seed just set decides them) and its optimizer's
    initial state."""
    model, optimizer_start = shared
    for variable, value in zip(model.variables, build().variables, strict=True):
        variable.assign(value)
    for variable, value in zip(model.optimizer.variables, optimizer_start, strict=True):
        variable.assign(value)
    return model


def seeded_model(build: Callable[[], keras.Model], *, seed: int, optimizer: Callable | str, loss,
                 metrics=(), share_model: bool = False, steps_per_execution: int = 1) -> keras.Model:
    """``build()`` under ``seed``, compiled (``train``'s first step; its docstring says what
    ``share_model`` and ``steps_per_execution`` do). With ``share_model``, ``build``,
    ``optimizer`` (and ``loss``) must be the same objects from run to run, e.g. module-level
    functions: they are the shared model's key."""
    shared = (_shared(build, optimizer, loss, tuple(metrics), steps_per_execution, device.ACTIVE["xla"])
              if share_model else None)
    seed_everything(seed)  # after the shared model's first build: the run's random state is untouched
    return (_reinitialized(shared, build) if share_model
            else _compile(build(), optimizer, loss, metrics, steps_per_execution))


def train(build: Callable[[], keras.Model], x, y, *, seed: int, epochs: int, batch_size: int,
          optimizer: Callable | str = "adam", loss="sparse_categorical_crossentropy",
          metrics=("accuracy",), validation_split: float = 0.0, shuffle: bool = True,
          steps_per_epoch: int | None = None, allow_nonfinite: bool = False, share_model: bool = False,
          steps_per_execution: int = 1, **fit_kwargs) -> Run:
    """Seed, build the model with ``build()``, compile and fit it.

    ``optimizer`` is a name or a zero-argument callable returning a fresh optimizer
    (optimizers keep state, so each run needs its own). ``validation_split`` holds out
    the last fraction of (x, y), as Keras does. ``steps_per_epoch``: each of fit's
    epochs is that many steps of an endlessly repeated pipeline (every pass through
    the data a new permutation), e.g. to check a model every half pass. ``fit_kwargs``
    go to ``model.fit`` (validation_data, callbacks, ...). A NaN or inf training loss
    raises ``FloatingPointError`` (a diverged run is an error, not a measurement) unless
    ``allow_nonfinite``: for the runs that study divergence, whose claims declare what
    they do with it.

    ``share_model``: the runs of one (build, optimizer, loss, metrics) share one compiled
    model, re-initialized to the state a new ``build()`` has under this seed, so that its
    training step is traced once, not once per seed (the same run, variable for variable:
    tests/test_training.py). The returned ``Run.model`` is then overwritten by the next
    such run: use it before training again.

    ``steps_per_execution``: training steps per call of the compiled step (Keras'
    ``compile`` argument): the same updates in the same order, bit for bit
    (tests/test_training.py), with a k-th of the per-step dispatch overhead, which is
    most of a small model's step on a CPU (PyTorch: always 1). Batch-level callbacks then see every k-th
    batch only, and epoch times no longer include the per-step overhead the documents'
    recipes pay, so timing claims and claims that record batches keep 1.
    """
    if validation_split:
        cut = math.ceil(len(x) * (1 - validation_split))
        x, y, fit_kwargs["validation_data"] = x[:cut], y[:cut], (x[cut:], y[cut:])
    model = seeded_model(build, seed=seed, optimizer=optimizer, loss=loss, metrics=metrics,
                         share_model=share_model, steps_per_execution=steps_per_execution)
    start = time.perf_counter()
    pipeline = batches(x, y, batch_size=batch_size, seed=seed, shuffle=shuffle, repeat=bool(steps_per_epoch))
    history = model.fit(pipeline, epochs=epochs,
                        steps_per_epoch=steps_per_epoch, shuffle=False, verbose=0, **fit_kwargs)
    seconds = time.perf_counter() - start
    losses = history.history.get("loss", [])
    if not allow_nonfinite and not all(map(math.isfinite, losses)):
        raise FloatingPointError(f"training loss became non-finite (seed {seed}): {losses}")
    examples = epochs * (steps_per_epoch * batch_size if steps_per_epoch else len(x))  # ~: last batches are short
    return Run(model, history.history, seconds, examples / seconds, device.describe(), seed)
