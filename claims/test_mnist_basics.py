"""Document 000's basic facts about MNIST, softmax, mini-batches and the CNN's sizing.

- mnist_dataset_shape: the dataset's counts and image shape, from ``data.load``'s decoded
  arrays (full), or the image shape and channels written in the IDX headers of the
  embedded real subset's files (fast; the subset holds 5,000 + 1,000 images, so the
  counts are only checked in the full tier).
- cnn_neuron_halving: the neurons per layer of the text's sizing (4, 8, 12 filters),
  read from Keras' output shapes, and the ratios between consecutive layers.
- softmax_soft_max: ``keras.activations.softmax`` on random vectors: order kept,
  largest near 1 when it leads by a large margin.
- minibatch_gradient_quality: cosine between a mini-batch gradient and the
  full-batch gradient of doc000_one_layer on the MNIST subset, batch 1 vs 100.
"""
import gzip
import math

import keras
import numpy as np
import pytest
from keras import layers

from harness.kit import backend, data, models, plots, stats
from harness.engine.claim import AtLeast, AtMost, All, Claim, Exact, Measured, Tier, claim_test

pytestmark = pytest.mark.exact_numerics("shapes, softmax values and gradients are compared with formulas")

SHAPE_FIELDS = {"n_train": 60000, "n_test": 10000, "image_shape": (28, 28), "total": 70000}

def idx_header(path) -> tuple:
    """(magic, dimensions) from an IDX file's header (gzip-compressed file): magic 2051
    (unsigned bytes, 3 dimensions: count, rows, cols) or 2049 (labels: count)."""
    with gzip.open(path, "rb") as f:
        magic = int.from_bytes(f.read(4), "big")
        ndim = magic & 0xFF
        return magic, tuple(int.from_bytes(f.read(4), "big") for _ in range(ndim))


def dataset_shape(case):
    if case.config["source"] == "load":
        d = data.load("mnist")
        n_train, n_test = len(d.x_train), len(d.x_test)
        return Measured({"n_train": n_train, "n_test": n_test, "image_shape": tuple(d.x_train.shape[1:]),
                         "total": n_train + n_test},
                        details={"test_image_shape": tuple(d.x_test.shape[1:]), "dtype": str(d.x_train.dtype)})
    folder = data.SUBSETS / "mnist"
    headers = {key: idx_header(folder / f"{name}.gz") for key, name in data.IDX_FILES.items()}
    (train_magic, train_dims), (test_magic, test_dims) = headers["x_train"], headers["x_test"]
    channels = {dims[3] if len(dims) > 3 else 1 for dims in (train_dims, test_dims)}
    return Measured({"train_image_shape": train_dims[1:3], "test_image_shape": test_dims[1:3],
                     "channels": channels.pop() if len(channels) == 1 else sorted(channels),
                     "pixel_type": "unsigned byte" if {train_magic >> 8, test_magic >> 8} == {0x08} else "other"},
                    details={"files": str(folder), "headers": {k: {"magic": m, "dims": list(dims)}
                                                                for k, (m, dims) in headers.items()}})


def neuron_halving(case):
    c = case.config
    convs = [layers.Conv2D(f, 3, strides=s, padding="same") for f, s in zip(c["filters"], c["strides"])]
    model = keras.Sequential([keras.Input((28, 28, 1)), *convs, layers.Flatten(), layers.Dense(c["dense"])])
    neurons = [math.prod(layer.output.shape[1:]) for layer in model.layers if not isinstance(layer, layers.Flatten)]
    ratios = [a / b for a, b in zip(neurons, neurons[1:])]
    errors = [abs(a - n) / n for a, n in zip(c["approx"], neurons)]
    return Measured({"neurons": neurons, "max_approx_error": max(errors), "min_ratio": min(ratios),
                     "max_ratio": max(ratios)},
                    details={"ratios": ratios, "approx_errors": errors,
                             "code_model_neurons(6,12,24 filters)": [28 * 28 * 6, 14 * 14 * 12, 7 * 7 * 24, 200]},
                    figure=plots.points({f"step {i + 1}": [r] for i, r in enumerate(ratios)},
                                        ylabel="neurons(layer) / neurons(next)",
                                        title="000 L577: per-layer reduction", hline=(2.0, "factor of two")))


def softmax_values(case):
    c = case.config
    rng = np.random.default_rng(case.seed)
    steps = 0.05 + rng.exponential(2.0, size=(c["vectors"], c["length"]))
    x = np.cumsum(steps, axis=1) + rng.normal(0, 5, size=(c["vectors"], 1))
    x = np.array([row[rng.permutation(c["length"])] for row in x], np.float32)
    p = keras.ops.convert_to_numpy(keras.activations.softmax(x))
    order_kept = np.all(np.argsort(p, axis=1) == np.argsort(x, axis=1), axis=1)
    top2 = np.sort(x, axis=1)[:, -2:]
    gap, top = top2[:, 1] - top2[:, 0], p.max(axis=1)
    large = gap >= c["gap"]
    groups = {"gap < 1": top[gap < 1], "1 <= gap < 3": top[(gap >= 1) & (gap < 3)],
              "3 <= gap < 7": top[(gap >= 3) & ~large], "gap >= 7": top[large]}
    return Measured({"order_kept_fraction": float(order_kept.mean()), "min_top_when_gap_ge_7": float(top[large].min()),
                     "max_sum_error": float(np.abs(p.sum(axis=1) - 1).max())},
                    details={"n_large_gap": int(large.sum()),
                             "median_top_by_gap": {k: float(np.median(v)) for k, v in groups.items()}},
                    figure=plots.points(groups, ylabel="largest softmax output", hline=(0.99, "0.99"),
                                        title="000 L106: softmax maximum vs lead of the largest logit"))


def _gradient_fn(model):
    """A function (x (n, 28, 28), y (n,)) -> flattened gradient (all weights) of the mean
    sparse CE of ``model``."""
    def gradient(x, y):
        _, grads, _ = backend.gradients(
            lambda: keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, model(x))), model.trainable_weights)
        return np.concatenate([g.ravel() for g in grads])
    return gradient


def _cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def minibatch_gradient(case):
    c = case.config
    d = data.subset("mnist")
    x, y = data.scale(d.x_train), d.y_train
    per_seed = {b: [] for b in c["batch_sizes"]}

    def cosines(seed):
        keras.utils.set_random_seed(seed)
        gradient = _gradient_fn(models.doc000_one_layer())
        full = gradient(x, y)
        rng = np.random.default_rng(seed)
        for b in c["batch_sizes"]:
            draws = [rng.choice(len(x), b, replace=False) for _ in range(c["draws"])]
            per_seed[b].append(np.mean([_cosine(gradient(x[i], y[i]), full) for i in draws]))
    case.per_seed(cosines)
    small, large = (np.array(per_seed[b]) for b in c["batch_sizes"])
    return Measured(estimate=stats.paired_difference(large, small), samples={f"batch_{b}": v for b, v in per_seed.items()},
                    figure=plots.points({f"batch {b}": v for b, v in per_seed.items()},
                                        ylabel="mean cosine to full-batch gradient",
                                        title="000 L150: mini-batch vs single-example gradient"))


CLAIMS = [
    Claim("mnist_dataset_shape", "000", "2. The Data", "68-70",
          "the MNIST dataset consisting of 70,000 greyscale images ... the 60,000 training images "
          "... the 10,000 test images",
          "Counts and shapes the document states exactly: no tolerance. Greyscale = one channel, "
          "so each image is a 28x28 array. Full tier: the counts and image shape of the decoded MNIST "
          "arrays (data.load). Fast tier: what the files of the embedded real subset (5,000 training and "
          "1,000 test images drawn from MNIST) declare in their IDX headers: the rows and columns of "
          "every image, and one unsigned byte per pixel with no channel axis (magic 2051: 3 dimensions, "
          "type 0x08), i.e. greyscale. The subset cannot show the document's counts, so the fast tier "
          "checks only the 28x28 greyscale part of the claim.",
          {"fast": Tier(Exact({"train_image_shape": (28, 28), "test_image_shape": (28, 28), "channels": 1,
                               "pixel_type": "unsigned byte"}), config={"source": "subset IDX headers"}),
           "full": Tier(Exact(SHAPE_FIELDS), config={"source": "load"})},
          measure=dataset_shape,
          document_value="70,000 = 60,000 train + 10,000 test, 28x28 greyscale"),
    Claim("control_mnist_shape_published", "000", "2. The Data", "68-70",
          "x_train shape: (60000, 28, 28, 1) / 60000 train samples / 10000 test samples (keras-io's MNIST "
          "convnet, after adding the channel axis)",
          "The counts and image shape keras-io prints for keras.datasets.mnist, read through the family's "
          "loader (data.load): exact.",
          {"full": Tier(Exact(SHAPE_FIELDS), config={"source": "load"})},
          measure=dataset_shape,
          control="keras-team/keras-io, examples/vision/md/mnist_convnet.md (commit 38324b7), output of the "
                  "data cell: x_train shape (60000, 28, 28, 1), 60000 train samples, 10000 test samples"),
    Claim("cnn_neuron_halving", "000", "9. Theory: convolutional networks", "577",
          "the number of neurons goes down roughly by a factor of two at each layer: "
          "28x28x4≈3000 → 14x14x8≈1500 → 7x7x12≈500 → 200",
          "Neurons per layer are read from Keras' output shapes of Conv2D 4@s1, 8@s2, 12@s2 "
          "('same' padding) on 28x28x1, and must be exactly 3136, 1568, 588 (the text's own "
          "products). 'Roughly a factor of two' is taken as a ratio that rounds to 2, i.e. in "
          "[1.5, 2.5], for each of the three steps (including 7x7x12 -> 200). '≈' is taken as "
          "within 10% of the exact product (the document rounds to one or two significant "
          "figures), relative to the exact product. The text's own products give 3136/1568 = 2.00, "
          "1568/588 = 2.67, 588/200 = 2.94, and ≈500 is 15% below 588 (which rounds to 600); its "
          "rounded numbers give 3000/1500 = 2, 1500/500 = 3, 500/200 = 2.5.",
          {"fast": Tier(All({"neurons": Exact([3136, 1568, 588, 200]),
                             "max_approx_error": AtMost(0.10),
                             "min_ratio": AtLeast(1.5), "max_ratio": AtMost(2.5)}),
                        config={"filters": [4, 8, 12], "strides": [1, 2, 2], "dense": 200,
                                "approx": [3000, 1500, 500]})},
          measure=neuron_halving,
          document_value="≈3000 → ≈1500 → ≈500 → 200, 'roughly a factor of two'"),
    Claim("softmax_soft_max", "000", "3. Theory: a 1-layer neural network", "106",
          "the largest element ... will be normalised to a value close to 1 ... but retains the "
          "original relative order of its values, hence the \"soft\"",
          "Order: exact, on every vector (argsort of the output equals argsort of the input; "
          "inputs have distinct values at least 0.05 apart so float32 ties cannot occur). "
          "'Close to 1': when the largest logit leads every other of the 10 by at least 7, "
          "the softmax maximum is at least 1/(1 + 9 e^-7) = 0.9918 in exact arithmetic, so it "
          "must be >= 0.99. Outputs must also sum to 1 within 1e-5 (float32).",
          {"fast": Tier(All({"order_kept_fraction": Exact(1.0), "min_top_when_gap_ge_7": AtLeast(0.99),
                             "max_sum_error": AtMost(1e-5)}),
                        seeds=(0,), config={"vectors": 2000, "length": 10, "gap": 7.0})},
          measure=softmax_values,
          document_value="order kept; largest -> close to 1"),
    Claim("minibatch_gradient_quality", "000", "4. Theory: gradient descent", "150",
          "Doing so on 100 examples gives a gradient that better represents the constraints "
          "imposed by different example images",
          "'Better represents' = closer in direction to the full-batch gradient, read as "
          "the cosine between a mini-batch gradient and the gradient over all 5,000 subset "
          "training images, for doc000_one_layer at its (seeded) initialisation, averaged over "
          "random draws; per seed the difference cosine(batch 100) - cosine(batch 1). Rule: the "
          "Student-t interval of the mean paired difference over seeds lies above 0.1, a tenth of the "
          "cosine's range, so that the improvement is more than marginal.",
          {"fast": Tier(AtLeast(0.1), seeds=(0, 1, 2),
                        config={"batch_sizes": [1, 100], "draws": 10})},
          measure=minibatch_gradient,
          document_value="batch of 100 better than 1 example"),
]

test_claims = claim_test(CLAIMS)
