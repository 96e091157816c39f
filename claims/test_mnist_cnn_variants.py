"""Document 000's two design remarks about its CNN (§9-10), checked against variants of
``doc000_cnn`` (``harness.kit.models.doc000_cnn_variant``); full tier only.

Shared runs (module cache, keyed by variant, epochs and seed): all 60,000 training images
/255 with a channel axis, batch 32, the document's Adam(learning_rate=0.003, decay=0.001)
(ported as InverseTimeDecay(0.003, decay_steps=1, decay_rate=0.001)), then the final
test accuracy on the 10,000 test images (nothing selected on test data; the per-epoch
test accuracy is only drawn).

Budget: 2 epochs per run (the document trains 300); a seed of either claim trains two
variants, over a minute on a 2-core CPU, so each claim has 5 seeds (0-4), the two claims
sharing the document variant's runs. Each claim is judged on the Student-t interval of
the paired (same seed) accuracy difference.
"""
import functools

import numpy as np

from harness.kit import data, models, plots, recipes, stats
from harness.engine.claim import AtMost, Between, Claim, Measured, Tier, claim_test
from harness.kit.training import train

RUN = {"epochs": 2, "batch_size": 32}
SEEDS = tuple(range(5))
VARIANTS = {"document": {}, "maxpool": {"pooling": "maxpool"},
            "conv_dropout": {"conv_dropout": 0.35, "fc_dropout": 0.0}}
PORT = ("input_shape -> keras.Input; Adam(learning_rate=0.003, decay=0.001) -> Adam(learning_rate="
        "InverseTimeDecay(0.003, decay_steps=1, decay_rate=0.001)); epochs=300 -> 2; TensorBoard dropped.")
EQUIVALENCE_MARGIN = 0.005  # accuracy, i.e. 0.5 points


@recipes.shared
def run(variant: str, epochs: int, batch_size: int, seed: int) -> dict:
    """-> {"test_accuracy": float, "val_accuracy": [test accuracy per epoch, for the plot]}"""
    d = data.load("mnist")
    x_train, x_test = data.scale(d.x_train)[..., None], data.scale(d.x_test)[..., None]
    build = (models.doc000_cnn if variant == "document"
             else functools.partial(models.doc000_cnn_variant, **VARIANTS[variant]))
    r = train(build, x_train, d.y_train, seed=seed, epochs=epochs, batch_size=batch_size,
              optimizer=models.doc000_adam, validation_data=(x_test, d.y_test))
    return {"test_accuracy": float(r.history["val_accuracy"][-1]), "val_accuracy": r.history["val_accuracy"]}


def accuracy_difference(case):
    """config["variants"] = [a, b]: the paired difference of test accuracy a - b over seeds."""
    c = case.config
    runs = {v: [run(v, c["epochs"], c["batch_size"], s) for s in case.seeds] for v in c["variants"]}
    acc = {v: np.array([r["test_accuracy"] for r in rs]) for v, rs in runs.items()}
    a, b = (acc[v] for v in c["variants"])
    return Measured(estimate=stats.paired_difference(a, b), samples={**acc, "difference": a - b},
                    figure=plots.curves({v: [r["val_accuracy"] for r in rs] for v, rs in runs.items()},
                                        ylabel="test accuracy", title=f"000 {case.claim.id}"))


CLAIMS = [
    Claim("strided_conv_vs_maxpool", "000", "9. Theory: convolutional networks", "571",
          "if you slide the patches across the image with a stride of 2 pixels instead of 1, you also "
          "obtain fewer output values. This approach has proven just as effective",
          "doc000_cnn (strides 1, 2, 2) vs the same net with stride-1 convs and MaxPooling2D(2) after "
          "conv 2 and 3 (same output sizes 28, 14, 7), same seed and recipe. 'Just as effective' is an "
          "equivalence claim: the equivalence margin is +-0.5 points of test accuracy (fixed before "
          "measuring, about five times the seed-to-seed spread of this CNN's final accuracy near 99%). "
          "Reproduced if the whole 95% Student-t interval of the paired difference (strided minus "
          "max-pool, same seed) lies inside [-0.5, +0.5] points; refuted if it lies wholly outside; "
          "inconclusive if it straddles a margin.",
          {"full": Tier(Between(-EQUIVALENCE_MARGIN, EQUIVALENCE_MARGIN), SEEDS,
                        {"variants": ["document", "maxpool"], **RUN})},
          measure=accuracy_difference,
          port=PORT + " The max-pool variant is not in the document (its text only describes it).",
          document_value="stride 2 as effective as 2x2 max-pooling"),
    Claim("conv_dropout_useless", "000", "10. Lab: the 99% challenge", "585",
          "add dropout on the fully-connected layer. Why not on the convolutional layers? Their neurons "
          "reuse the same weights, so dropout ... would not work on them.",
          "Same net with Dropout(0.35) after each conv layer and none after Dense 200, vs the document's "
          "Dropout(0.35) after Dense 200 only. 'Would not work' = conv-layer dropout gives no accuracy "
          "benefit: its test accuracy minus the document's (paired by seed) at most +0.1 point (about "
          "the seed-to-seed spread of this CNN's final accuracy), on the whole 95% Student-t interval. "
          "The rate 0.35 is the document's fc rate; the document names none for conv layers.",
          {"full": Tier(AtMost(0.001), SEEDS, {"variants": ["conv_dropout", "document"], **RUN})},
          measure=accuracy_difference,
          port=PORT + " Dropout layers after the convs are the document's suggested change (L587), not its code.",
          document_value="dropout on conv layers would not work"),
]

test_claims = claim_test(CLAIMS)
