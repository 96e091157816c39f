"""One helper around ``model.fit``: seeded, timed, with its history kept."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import keras

from harness import device


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


def train(build: Callable[[], keras.Model], x, y, *, seed: int, epochs: int, batch_size: int,
          optimizer: Callable | str = "adam", loss="sparse_categorical_crossentropy",
          metrics=("accuracy",), **fit_kwargs) -> Run:
    """Seed, build the model with ``build()``, compile and fit it.

    ``optimizer`` is a name or a zero-argument callable returning a fresh optimizer
    (optimizers keep state, so each run needs its own). ``fit_kwargs`` go to
    ``model.fit`` (validation_data, validation_split, callbacks, shuffle, ...).
    """
    seed_everything(seed)
    model = build()
    model.compile(optimizer=optimizer() if callable(optimizer) else optimizer, loss=loss,
                  metrics=list(metrics), jit_compile=device.OPTIONS["xla"])
    start = time.perf_counter()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, **fit_kwargs)
    seconds = time.perf_counter() - start
    seen = len(x) * (1 - fit_kwargs.get("validation_split", 0.0)) * epochs
    return Run(model, history.history, seconds, seen / seconds, device.describe(), seed)
