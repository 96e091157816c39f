"""The data loaders: IDX and CIFAR-10 binary formats, the checks that make a missing or
damaged dataset a skip with the file named, the embedded subsets, and (when
CLAIMS_DATA_DIR provides them) the full datasets."""
import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from harness.kit import data
from harness.kit.data import DataUnavailable

MNIST_TRAIN_PER_CLASS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@pytest.fixture
def fresh():
    """Empty the loaders' caches before and after a test that changes where they read."""
    data.load.cache_clear()
    data.subset.cache_clear()
    yield
    data.load.cache_clear()
    data.subset.cache_clear()


def full_data(name):
    """The full dataset from CLAIMS_DATA_DIR, or skip."""
    root = os.environ.get("CLAIMS_DATA_DIR")
    if not root or not (Path(root) / name).is_dir():
        pytest.skip(f"CLAIMS_DATA_DIR does not provide {name}/")
    return data.load(name)


def synthetic_idx_folder(folder, n_train=3, n_test=2, gz=False):
    rng = np.random.default_rng(1)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              "y_train": np.arange(n_train, dtype=np.uint8) % 10,
              "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              "y_test": np.arange(n_test, dtype=np.uint8) % 10}
    folder.mkdir(parents=True)
    for key, filename in data.IDX_FILES.items():
        data.write_idx(folder / (filename + (".gz" if gz else "")), arrays[key])
    return arrays


def cifar_record(label, r, g, b):
    planes = [np.broadcast_to(np.asarray(v, np.uint8), (1024,)) for v in (r, g, b)]
    return bytes([label]) + np.concatenate(planes).tobytes()


# --- IDX format ---------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, suffix):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (3, 4, 5), dtype=np.uint8)
    labels = np.array([7, 0, 9], np.uint8)
    data.write_idx(tmp_path / f"images{suffix}", images)
    data.write_idx(tmp_path / f"labels{suffix}", labels)
    got_images = data.read_idx(tmp_path / f"images{suffix}")
    got_labels = data.read_idx(tmp_path / f"labels{suffix}")
    assert got_images.dtype == np.uint8 and got_images.shape == (3, 4, 5)
    assert (got_images == images).all()
    assert got_labels.tolist() == [7, 0, 9]


def test_idx_header_is_the_standard_one(tmp_path):
    data.write_idx(tmp_path / "images", np.zeros((2, 28, 28), np.uint8))
    raw = (tmp_path / "images").read_bytes()
    assert raw[:16] == bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])  # 2051, 2, 28, 28
    assert len(raw) == 16 + 2 * 28 * 28


def test_idx_wrong_magic_number_is_named_damaged(tmp_path):
    path = tmp_path / "labels"
    data.write_idx(path, np.arange(5, dtype=np.uint8))
    raw = bytearray(path.read_bytes())
    raw[3] = 4  # 2049 -> 2052
    path.write_bytes(bytes(raw))
    with pytest.raises(DataUnavailable, match="damaged") as err:
        data.read_idx(path)
    assert str(path) in str(err.value) and "2052" in str(err.value)


@pytest.mark.parametrize("keep", [6, 16 + 59])  # inside the header; one byte short
def test_idx_truncated_raw_file_is_named_damaged(tmp_path, keep):
    path = tmp_path / "images"
    data.write_idx(path, np.ones((3, 4, 5), np.uint8))
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(DataUnavailable, match="damaged") as err:
        data.read_idx(path)
    assert str(path) in str(err.value)


def test_idx_truncated_gz_file_is_named_damaged(tmp_path):
    path = tmp_path / "images.gz"
    data.write_idx(path, np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DataUnavailable, match="damaged") as err:
        data.read_idx(path)
    assert str(path) in str(err.value)


def test_gz_is_written_without_a_timestamp(tmp_path):
    data.write_idx(tmp_path / "a.gz", np.arange(10, dtype=np.uint8))
    data.write_idx(tmp_path / "b.gz", np.arange(10, dtype=np.uint8))
    assert (tmp_path / "a.gz").read_bytes()[4:8] == b"\0\0\0\0"  # gzip header mtime
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()) == gzip.decompress(
        (tmp_path / "b.gz").read_bytes())


# --- CIFAR-10 binary format ---------------------------------------------------------------

def test_cifar_binary_channel_layout(tmp_path):
    path = tmp_path / "batch.bin"
    ramp = np.arange(1024) % 256  # row-major: pixel (i, j) holds (32 i + j) % 256
    path.write_bytes(cifar_record(7, 1, 2, 3) + cifar_record(3, ramp, 0, 255))
    x, y = data.read_cifar_bin(path)
    assert x.shape == (2, 32, 32, 3) and x.dtype == np.uint8
    assert y.tolist() == [7, 3]
    assert x[0, 0, 0].tolist() == [1, 2, 3] and x[0, 31, 17].tolist() == [1, 2, 3]
    assert x[1, 1, 2].tolist() == [34, 0, 255]
    assert x[1, 7, 31, 0] == (7 * 32 + 31) % 256


def test_cifar_binary_wrong_size_is_named_damaged(tmp_path):
    path = tmp_path / "batch.bin"
    path.write_bytes(cifar_record(1, 1, 2, 3)[:-10])
    with pytest.raises(DataUnavailable, match="damaged") as err:
        data.read_cifar_bin(path)
    assert str(path) in str(err.value)


def test_cifar_folder_with_batches_subfolder(tmp_path, monkeypatch, fresh, run_settings):
    folder = tmp_path / "cifar10" / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    ten = b"".join(cifar_record(c, c, 0, 0) for c in range(10))  # one image per class
    for name in data.CIFAR_TRAIN + [data.CIFAR_TEST]:
        (folder / name).write_bytes(ten)
    run_settings(data_dir=tmp_path)
    monkeypatch.setitem(data.SHAPES, "cifar10", (50, 10, (32, 32, 3)))
    monkeypatch.setattr(data, "CIFAR_PER_CLASS", (5, 1))
    d = data.load("cifar10")
    assert d.x_train.shape == (50, 32, 32, 3) and d.y_test.tolist() == list(range(10))
    assert d.x_train[13, 5, 5].tolist() == [3, 0, 0]

    (folder / "test_batch.bin").unlink()
    data.load.cache_clear()
    with pytest.raises(DataUnavailable, match="missing") as err:
        data.load("cifar10")
    assert str(folder / "test_batch.bin") in str(err.value)


# --- load(): folder route, checks, Keras fallback -----------------------------------------

def test_missing_file_in_data_dir_is_named(tmp_path, monkeypatch, fresh, run_settings):
    synthetic_idx_folder(tmp_path / "mnist")
    (tmp_path / "mnist" / "t10k-labels-idx1-ubyte").unlink()
    run_settings(data_dir=tmp_path)
    with pytest.raises(DataUnavailable, match="missing") as err:
        data.load("mnist")
    assert str(tmp_path / "mnist" / "t10k-labels-idx1-ubyte") in str(err.value)
    assert "CLAIMS_DATA_DIR" in str(err.value)


def test_wrong_shape_in_data_dir_is_named(tmp_path, monkeypatch, fresh, run_settings):
    synthetic_idx_folder(tmp_path / "fashion_mnist", gz=True)
    run_settings(data_dir=tmp_path)
    with pytest.raises(DataUnavailable, match=r"expected uint8 \(60000, 28, 28\)") as err:
        data.load("fashion_mnist")
    assert str(tmp_path / "fashion_mnist" / "train-images-idx3-ubyte.gz") in str(err.value)


def _copy_of_mnist_subset(tmp_path):
    """An IDX folder holding the MNIST subset, and load("mnist") told to expect exactly it."""
    shutil.copytree(data.SUBSETS / "mnist", tmp_path / "mnist")
    return tmp_path / "mnist"


def test_checksum_mismatch_is_named(tmp_path, monkeypatch, fresh, run_settings):
    folder = _copy_of_mnist_subset(tmp_path)
    run_settings(data_dir=tmp_path)
    monkeypatch.setitem(data.SHAPES, "mnist", data.SUBSET_SHAPE)
    monkeypatch.setitem(data.CHECKSUMS, "mnist", data.SUBSET_CHECKSUMS["mnist"])
    assert data.load("mnist").x_test.shape == (1000, 28, 28)  # the untouched copy passes

    path = folder / "t10k-images-idx3-ubyte.gz"
    x = data.read_idx(path).copy()
    x[500, 14, 14] ^= 1  # one pixel, one bit
    data.write_idx(path, x)
    data.load.cache_clear()
    with pytest.raises(DataUnavailable, match="sha256") as err:
        data.load("mnist")
    assert str(path) in str(err.value) and "damaged" in str(err.value)


def test_damaged_embedded_subset_is_named(tmp_path, monkeypatch, fresh):
    folder = _copy_of_mnist_subset(tmp_path)
    labels = data.read_idx(folder / "train-labels-idx1-ubyte.gz").copy()
    i = np.flatnonzero(labels != labels[0])[0]
    labels[[0, i]] = labels[[i, 0]]  # same counts per class, different order
    data.write_idx(folder / "train-labels-idx1-ubyte.gz", labels)
    monkeypatch.setattr(data, "SUBSETS", tmp_path)
    with pytest.raises(DataUnavailable, match="sha256") as err:
        data.subset("mnist")
    assert str(folder / "train-labels-idx1-ubyte.gz") in str(err.value)


def test_keras_failure_says_what_to_do(monkeypatch, fresh, run_settings):
    keras = pytest.importorskip("keras")

    def offline(*args, **kwargs):
        raise OSError("URL fetch failure: no network")

    run_settings(data_dir=None)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(DataUnavailable, match="CLAIMS_DATA_DIR") as err:
        data.load("mnist")
    message = str(err.value)
    assert "no network" in message and "go online" in message and "mnist/" in message


def test_keras_fallback_when_the_data_dir_lacks_the_dataset(tmp_path, monkeypatch, fresh, run_settings):
    keras = pytest.importorskip("keras")

    def offline(*args, **kwargs):
        raise OSError("no network")

    run_settings(data_dir=tmp_path)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(DataUnavailable, match="does not exist") as err:
        data.load("fashion_mnist")
    assert str(tmp_path / "fashion_mnist") in str(err.value)


def test_keras_arrays_are_verified_too(monkeypatch, fresh, run_settings):
    keras = pytest.importorskip("keras")
    blank = ((np.zeros((60000, 28, 28), np.uint8), np.zeros(60000, np.uint8)),
             (np.zeros((10000, 28, 28), np.uint8), np.zeros(10000, np.uint8)))
    run_settings(data_dir=None)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: blank)
    with pytest.raises(DataUnavailable, match="sha256") as err:
        data.load("mnist")
    assert "keras.datasets.mnist" in str(err.value)


def test_data_unavailable_is_a_skip():
    assert issubclass(DataUnavailable, pytest.skip.Exception)
    with pytest.raises(ValueError):
        data.load("imagenet")


# --- the embedded subsets -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_subset_shapes_classes_and_pixels(name):
    d = data.subset(name)
    assert d.x_train.shape == (5000, 28, 28) and d.x_test.shape == (1000, 28, 28)
    assert d.y_train.shape == (5000,) and d.y_test.shape == (1000,)
    assert all(a.dtype == np.uint8 for a in d)
    assert np.bincount(d.y_train).tolist() == [500] * 10
    assert np.bincount(d.y_test).tolist() == [100] * 10
    assert d.x_train.min() == 0 and d.x_train.max() == 255
    assert len(np.unique(d.y_train[:100])) == 10  # shuffled, not grouped by class
    assert not d.x_train.flags.writeable  # shared through the cache


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_subset_images_come_from_the_full_set(name):
    full = full_data(name)
    part = data.subset(name)
    for x_part, x_full in ((part.x_train, full.x_train), (part.x_test, full.x_test)):
        seen = {image.tobytes() for image in x_full}
        assert all(image.tobytes() in seen for image in x_part)
    again = data.make_subset(full)  # and regenerating it gives the embedded one
    assert all((a == b).all() for a, b in zip(again, part))


# --- the full datasets (when CLAIMS_DATA_DIR provides them) -------------------------------

@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_full_dataset(name):
    d = full_data(name)
    assert d.x_train.shape == (60000, 28, 28) and d.x_test.shape == (10000, 28, 28)
    assert d.y_train.shape == (60000,) and d.y_test.shape == (10000,)
    expected = MNIST_TRAIN_PER_CLASS if name == "mnist" else [6000] * 10
    assert np.bincount(d.y_train).tolist() == expected


def test_full_cifar10():
    d = full_data("cifar10")
    assert d.x_train.shape == (50000, 32, 32, 3) and d.x_test.shape == (10000, 32, 32, 3)
    assert np.bincount(d.y_train).tolist() == [5000] * 10


# --- scale --------------------------------------------------------------------------------

def test_scale():
    x = np.array([[0, 51, 255]], np.uint8)
    scaled = data.scale(x)
    assert scaled.dtype == np.float32 and scaled.shape == (1, 3)
    assert scaled.max() == 1.0 and scaled.min() == 0.0
    assert scaled[0, 1] == pytest.approx(0.2)
