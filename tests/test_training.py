"""The training helper: its input pipeline (every epoch a new permutation, the same per
seed) and seeded runs that repeat bit for bit with the run's device options."""
import numpy as np
import pytest

from harness.kit import data, device, models, training


def epochs_of_labels(seed, n_epochs=2, n=10, batch_size=4):
    x = np.arange(n * 3, dtype="float32").reshape(n, 3)
    ds = training.batches(x, np.arange(n), batch_size=batch_size, seed=seed)
    return [np.concatenate([y.numpy() for _, y in ds]) for _ in range(n_epochs)]


def test_each_epoch_is_a_new_permutation_of_all_examples():
    first, second = epochs_of_labels(seed=0)
    assert sorted(first) == sorted(second) == list(range(10))
    assert list(first) != list(second)


def test_the_same_seed_gives_the_same_batches():
    assert [list(e) for e in epochs_of_labels(seed=5)] == [list(e) for e in epochs_of_labels(seed=5)]
    assert [list(e) for e in epochs_of_labels(seed=5)] != [list(e) for e in epochs_of_labels(seed=6)]


def test_rows_stay_with_their_labels_and_batches_keep_their_size():
    x = np.arange(30, dtype="float32").reshape(10, 3)
    batches = list(training.batches(x, np.arange(10), batch_size=4, seed=1))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    for xb, yb in batches:
        np.testing.assert_array_equal(xb.numpy(), x[yb.numpy()])


def test_without_shuffle_the_order_is_kept():
    ds = training.batches(np.zeros((5, 1), "float32"), np.arange(5), batch_size=2, seed=0, shuffle=False)
    assert np.concatenate([y.numpy() for _, y in ds]).tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("deterministic", ["1", "0"])
def test_a_seeded_run_repeats_bit_for_bit(deterministic):
    """Two runs of 000's CNN (dropout, Adam, 500 MNIST images, 1 epoch) with one seed give
    identical weights, with TensorFlow's op determinism on and off (CPU)."""
    with device.op_determinism(deterministic):
        d = data.subset("mnist")
        x, y = data.scale(d.x_train[:500])[..., None], d.y_train[:500]
        runs = [training.train(models.doc000_cnn, x, y, seed=3, epochs=1, batch_size=32) for _ in range(2)]
    for a, b in zip(*(r.model.get_weights() for r in runs)):
        np.testing.assert_array_equal(a, b)


def test_a_shared_model_run_is_the_run_of_a_new_model():
    """share_model=True (traced once) gives, seed after seed, the weights and losses of a
    new model with the same seed: Dropout's masks, the initialization and Adam's state
    are all reset (the dropout MLP of 001, 300 images, 1 epoch, op determinism on)."""
    with device.op_determinism("1"):
        d = data.subset("fashion_mnist")
        x, y = data.scale(d.x_train[:300]), d.y_train[:300]
        for seed in (3, 4, 3):
            new, shared = (training.train(models.doc001_dropout_mlp, x, y, seed=seed, epochs=1, batch_size=32,
                                          share_model=share) for share in (False, True))
            assert new.history["loss"] == shared.history["loss"]
            for a, b in zip(new.model.get_weights(), shared.model.get_weights()):
                np.testing.assert_array_equal(a, b)
    assert training._shared.cache_info().misses == 1 and training._shared.cache_info().hits == 2


def test_steps_per_epoch_runs_over_passes_of_the_data():
    """7 examples, batch 2 (4 steps a pass), 3 fit epochs of 2 steps: 6 steps, past one pass."""
    x, y = np.zeros((7, 28, 28), "float32"), np.zeros(7, "int64")
    run = training.train(models.doc000_one_layer, x, y, seed=0, epochs=3, batch_size=2, steps_per_epoch=2)
    assert len(run.history["loss"]) == 3
    assert int(run.model.optimizer.iterations) == 6
