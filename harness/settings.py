"""The run's settings: one validated, immutable object, built once per run.

The main pytest process builds it in ``pytest_configure`` from the command line and the
environment (``Settings.from_environment``); pytest-xdist workers receive it through
``workerinput`` (``to_dict`` / ``from_dict``), never through the environment. Everything
the harness reads from the environment is read here, and only here:

- ``KERAS_BACKEND``: tensorflow (default), jax or torch;
- ``CLAIMS_MIXED_PRECISION`` (0, 1 = float16, bfloat16), ``CLAIMS_XLA`` (0, 1),
  ``CLAIMS_DETERMINISTIC`` (0, 1; unset: off for a fast-tier-only run on a CPU, else on):
  the device options (harness/kit/device.py says what each does);
- ``CLAIMS_RESULTS_DIR``, ``CLAIMS_BASELINE``, ``CLAIMS_DATA_DIR``, ``CLAIMS_INVENTORY``:
  where results, the accepted verdicts, offline datasets and ``CLAIMS.md`` are.

An unknown value is a ``ValueError`` (a usage error, pytest exit code 4) before anything
runs. Outside pytest (``python -m harness.views.history`` ...), ``current()`` builds the same
object from the environment with no tier selected.

``Board`` is the one value type for a scoreboard's (backend, tier): its ``label`` is
where the scoreboard lives under results/ (``fast``, ``jax/fast``).
"""
from __future__ import annotations

import dataclasses
import datetime
import itertools
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIERS = ("fast", "full", "nightly", "benchmark")
BACKENDS = ("tensorflow", "jax", "torch")
POLICIES = {"0": "", "1": "mixed_float16", "float16": "mixed_float16", "bfloat16": "mixed_bfloat16"}
SWITCHES = {"0": False, "1": True}
DETERMINISM = {"0": "0", "1": "1", "auto": "auto"}

# Before TensorFlow is imported by any process of the run: no CUDA/absl noise.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


@dataclass(frozen=True, order=True)
class Board:
    """One scoreboard: a tier run on a backend."""
    backend: str
    tier: str

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}: one of {list(BACKENDS)}")
        if self.tier not in TIERS:
            raise ValueError(f"unknown tier {self.tier!r}: one of {list(TIERS)}")

    @property
    def label(self) -> str:
        """'fast' for TensorFlow (the default backend), 'jax/fast' for the others."""
        return self.tier if self.backend == "tensorflow" else f"{self.backend}/{self.tier}"

    @classmethod
    def parse(cls, label: str) -> Board:
        """label's inverse: 'jax/fast' -> Board('jax', 'fast'), 'fast' -> Board('tensorflow', 'fast')."""
        backend, _, tier = label.rpartition("/")
        return cls(backend or "tensorflow", tier)

    def __str__(self):
        return self.label


BOARDS = tuple(Board(b, t) for b in BACKENDS for t in TIERS)


def new_run_id() -> str:
    """'<UTC time>-<8 hex>': sortable, unique."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]


def selected_tiers(markexpr: str) -> tuple:
    """The tiers a ``-m`` expression selects: those whose tests it can match, a test carrying
    its tier's mark and any of the other marks the expression names ('fast or full' -> ('fast',
    'full'); 'fast and controls' -> ('fast',); '' -> every tier). ValueError if it does not parse
    (the marks are checked by --strict-markers too)."""
    if not markexpr:
        return TIERS
    from _pytest.mark.expression import Expression  # pytest's own -m parser
    try:
        expression = Expression.compile(markexpr)
    except SyntaxError as e:
        raise ValueError(f"-m {markexpr!r}: {e}") from None
    others = sorted(set(re.findall(r"[A-Za-z_]\w*", markexpr)) - {"and", "or", "not", *TIERS})
    marks = [set(c) for k in range(len(others) + 1) for c in itertools.combinations(others, k)]
    return tuple(t for t in TIERS if any(expression.evaluate(lambda name, *_, m=m | {t}, **__: name in m)
                                         for m in marks))


@dataclass(frozen=True)
class Settings:
    """What a run is: backend, tiers, device options, where things are, its id."""
    backend: str = "tensorflow"
    tiers: tuple = TIERS
    mixed_precision: str = ""
    xla: bool = False
    deterministic: str = "auto"  # "0", "1"; "auto" until device.configure resolves it
    results: Path = ROOT / "results"
    baseline: Path = ROOT / "claims" / "baseline.json"
    data_dir: Path | None = None
    inventory: Path = ROOT.parent / "shared" / "CLAIMS.md"
    run_id: str = ""
    worker: str = "main"  # this process: 'main', or the xdist worker's id ('gw0', ...)
    workers: int = 1

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"KERAS_BACKEND={self.backend!r} is not one of {list(BACKENDS)}")
        unknown = [t for t in self.tiers if t not in TIERS]
        if unknown:
            raise ValueError(f"unknown tiers {unknown}: one of {list(TIERS)}")
        if self.xla and self.backend == "tensorflow" and self.deterministic != "0":
            raise ValueError("CLAIMS_XLA='1' needs CLAIMS_DETERMINISTIC='0' on TensorFlow: with op determinism "
                             "on, Keras compiles without XLA")
        if self.data_dir is not None and not self.data_dir.is_dir():
            raise ValueError(f"CLAIMS_DATA_DIR={str(self.data_dir)!r} is not a folder")

    @classmethod
    def from_environment(cls, env=None, markexpr: str = "", run_id: str = "") -> Settings:
        env = os.environ if env is None else env

        def choice(name, allowed, default):
            value = env.get(name, default)
            if value not in allowed:
                raise ValueError(f"{name}={value!r} is not one of {sorted(allowed)}")
            return allowed[value]
        backend = env.get("KERAS_BACKEND", "tensorflow")
        default_baseline = ROOT / "claims" / ("baseline.json" if backend == "tensorflow" else f"baseline-{backend}.json")
        return cls(backend=backend, tiers=selected_tiers(markexpr),
                   mixed_precision=choice("CLAIMS_MIXED_PRECISION", POLICIES, "0"),
                   xla=choice("CLAIMS_XLA", SWITCHES, "0"),
                   deterministic=choice("CLAIMS_DETERMINISTIC", DETERMINISM, "auto"),
                   results=Path(env.get("CLAIMS_RESULTS_DIR", ROOT / "results")),
                   baseline=Path(env.get("CLAIMS_BASELINE", default_baseline)),
                   data_dir=Path(env["CLAIMS_DATA_DIR"]) if env.get("CLAIMS_DATA_DIR") else None,
                   inventory=Path(env.get("CLAIMS_INVENTORY", ROOT.parent / "shared" / "CLAIMS.md")),
                   run_id=run_id)

    def board(self, tier: str) -> Board:
        return Board(self.backend, tier)

    @property
    def fast_only(self) -> bool:
        return self.tiers == ("fast",)

    @property
    def options(self) -> dict:
        """The device options every entry records."""
        return {"mixed_precision": self.mixed_precision, "xla": self.xla, "deterministic": self.deterministic,
                "backend": self.backend}

    def to_dict(self) -> dict:
        """JSON-able, for pytest-xdist's ``workerinput``."""
        return {k: (str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v)
                for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> Settings:
        paths = {"results", "baseline", "data_dir", "inventory"}
        return cls(**{k: (Path(v) if k in paths and v is not None else tuple(v) if k == "tiers" else v)
                      for k, v in d.items()})

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)


_CURRENT: list = []


def activate(settings: Settings) -> Settings:
    """Make ``settings`` this process's run (pytest_configure; tests that need another)."""
    _CURRENT[:] = [settings]
    return settings


def current() -> Settings:
    """This process's settings; outside a pytest run, built from the environment."""
    if not _CURRENT:
        activate(Settings.from_environment())
    return _CURRENT[0]


def environ(name: str, default: str = "") -> str:
    """One environment variable that the frameworks own (recorded, not interpreted:
    OMP_NUM_THREADS, ONEDNN_MAX_CPU_ISA)."""
    return os.environ.get(name, default)


def prepare_frameworks(settings: Settings, env=None) -> None:
    """Before the backend starts, in each process that runs claims: GPU memory on demand,
    JAX's compilation cache, PyTorch's CPU threads shared out between pytest-xdist workers,
    and the switches that op determinism needs at start-up (JAX's XLA flag, cuBLAS' workspace
    for PyTorch). The frameworks read these from the environment (``env``: os.environ)."""
    env = os.environ if env is None else env
    env.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    if settings.backend == "torch" and settings.workers > 1:
        # PyTorch's OpenMP threads spin while they wait: two workers with one thread per core
        # each took twice as long on 2 cores as one process did.
        env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // settings.workers)))
    # JAX compiles every op for every new shape, eager ones too (about a second each on a busy
    # 2-core CPU): keep the compiled programs on disk, so that later runs load them.
    cache = Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "textbook-claims" / "jax"
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(cache))
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    if settings.deterministic != "0":
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_gpu_deterministic_ops=true").strip()
        env.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def child_environment(**overrides) -> dict:
    """This process's environment with ``overrides``, for a subprocess (harness/gpu.py)."""
    return {**os.environ, **overrides}
