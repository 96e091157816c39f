"""Trainings shared by what they are: one training per distinct recipe per run.

A claim file's training function, decorated with ``@recipes.shared``, is a recipe: its
name and arguments (builder, sizes, optimizer, data source, seed, budget: plain data), with
the run's backend and device options, are the recipe's key. Within one run the first process
that needs a recipe trains it while any other pytest-xdist worker that needs it waits on a
file lock (``filelock``), then reads the pickled result from the run's staging folder
(``results/.runs/<run id>/recipes/``). So the claims of a family share their trainings
whatever the distribution (``-n 0``, ``--dist load``, ``--dist loadfile``) and within one
shard. Nothing is reused between runs: each run measures (the staging folder goes with the
run).

Each claim's entry records the recipes it read and whether its process trained them
(``read()``). A recipe's result must be picklable (histories, arrays, numbers: not models).
Functions that build models or load data stay ``functools`` caches: they are not trainings.
"""
from __future__ import annotations

import functools
import hashlib
import json
import pickle
from pathlib import Path

from filelock import FileLock

from harness import settings

_READ: list = []  # [(digest, trained by this process)] since the running test began


def key(name: str, arguments: dict) -> tuple[str, str]:
    """-> (the recipe as canonical JSON, its 16-hex digest). The run's backend and device
    options are part of it: the same call under mixed precision is another training."""
    from harness.kit import device
    run = settings.current()
    recipe = json.dumps({"recipe": name, "arguments": arguments, "backend": run.backend,
                         "options": {**device.ACTIVE, "deterministic": run.deterministic}},
                        sort_keys=True, default=lambda x: x.tolist() if hasattr(x, "tolist") else repr(x))
    return recipe, hashlib.sha256(recipe.encode()).hexdigest()[:16]


def folder() -> Path | None:
    """Where this run keeps its trained recipes; None outside a pytest run (no run id)."""
    run = settings.current()
    return run.results / ".runs" / run.run_id / "recipes" if run.run_id else None


def shared(train):
    """Decorator: ``train(**recipe) -> picklable result``, run once per distinct recipe per run."""
    import inspect
    signature = inspect.signature(train)
    name = f"{train.__module__}.{train.__qualname__}"
    memo: dict = {}

    @functools.wraps(train)
    def recipe(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        text, digest = key(name, bound.arguments)
        if digest not in memo:
            memo[digest] = _train_or_load(store=folder(), digest=digest, text=text,
                                          train=lambda: train(*args, **kwargs))
        result, trained_here = memo[digest]
        _READ.append((digest, trained_here, bound.arguments.get("seed")))
        return result
    return recipe


def _train_or_load(store: Path | None, digest: str, text: str, train) -> tuple:
    """-> (result, whether this process trained it)."""
    if store is None:
        return train(), True
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{digest}.pkl"
    with FileLock(store / f"{digest}.lock"):
        if path.exists():
            return pickle.loads(path.read_bytes()), False
        result = train()
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
        (store / f"{digest}.json").write_text(text)
        return result, True


def described(store: Path) -> dict:
    """{digest: recipe} of the recipes a run trained (its staging folder's ``recipes/``)."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(store.glob("*.json"))}


def start_test() -> None:
    _READ.clear()


def read() -> list:
    """The recipes read since the running test began, each once: [{"recipe": digest,
    "trained_here": whether this process trained it}] (the scoreboard's "recipes" say what
    each digest is)."""
    return [{"recipe": d, "trained_here": t} for d, t in {d: t for d, t, _ in _READ}.items()]


def seeds_read() -> list:
    """The ``seed`` arguments of the recipes read since the running test began: the seeds
    its measurement actually trained with (judging checks them against the tier's)."""
    return sorted({seed for _, _, seed in _READ if seed is not None})


def trained_twice(entries: list) -> dict:
    """{digest: [processes]} for each recipe that more than one process of a run trained
    (a bug of the sharing: the run records it)."""
    by: dict = {}
    for e in entries:
        for r in e.get("recipes", []):
            if r["trained_here"]:
                by.setdefault(r["recipe"], set()).add(e.get("worker", "main"))
    return {d: sorted(w) for d, w in by.items() if len(w) > 1}
