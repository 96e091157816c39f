"""Where a run's wall time goes: ``pytest claims -m fast -n 0 -p harness.breakdown``.

A pytest plugin that times, without a profiler's overhead, the calls that cost the
suite its time, and prints the totals (seconds) when pytest ends: start-up (from
this plugin's import, early in pytest's, to the end of conftest.py's: TensorFlow's
import; the interpreter's own start before it is not counted), collection, ``Model.fit`` (training,
its graph tracing included), tf.function tracing anywhere (its Python side),
``evaluate``/``predict``, the plots' rendering (``style.save_png``), scoreboard writes and the
regeneration of results/README.md. Nested calls of one kind count once; kinds
overlap (tracing inside ``fit`` counts in both), so the lines do not add up. One
process only (``-n 0``): pytest-xdist workers would each time their own share.
"""
import functools
import sys
import time

START = time.perf_counter()  # this module is imported at pytest's start-up
TOTALS: dict = {}


def _timed(kind: str, fn):
    active = []

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if active:
            return fn(*args, **kwargs)
        active.append(1)
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            active.pop()
            TOTALS[kind] = TOTALS.get(kind, 0.0) + time.perf_counter() - start
    return wrapper


def _patch(owner, name: str, kind: str) -> None:
    setattr(owner, name, _timed(kind, getattr(owner, name)))


def pytest_configure(config):
    import keras
    from tensorflow.python.eager.polymorphic_function import tracing_compilation

    from harness.engine import scoreboard
    from harness.kit import style
    from harness.views import report
    TOTALS["start-up: pytest, conftest.py (TensorFlow import)"] = time.perf_counter() - START
    _patch(tracing_compilation, "trace_function", "tf.function tracing, Python side (also inside fit)")
    _patch(keras.Model, "fit", "Model.fit: training, its tracing included")
    for name in ("evaluate", "predict"):
        _patch(keras.Model, name, "Model.evaluate / predict")
    _patch(style, "save_png", "plots: rendered to PNG (style.save_png)")
    _patch(scoreboard, "append_entry", "scoreboard entries (staging appends)")
    _patch(scoreboard, "publish", "scoreboards published")
    _patch(report, "write", "results/README.md and index.html regeneration")


@functools.cache
def _collection_start():
    return time.perf_counter()


def pytest_collection(session):
    _collection_start()


def pytest_collection_finish(session):
    TOTALS["collection"] = time.perf_counter() - _collection_start()


def pytest_unconfigure(config):
    lines = [f"{seconds:7.1f} s  {kind}" for kind, seconds in sorted(TOTALS.items(), key=lambda kv: -kv[1])]
    total = time.perf_counter() - START
    print(f"\nwall time since pytest's start-up: {total:.1f} s, of which\n" + "\n".join(lines), file=sys.stderr)
