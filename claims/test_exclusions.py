"""Statements of the documents that are not tested, each with the reason.

Every row of the inventory (../shared/CLAIMS.md) is either covered by a claim
test or listed here, so that the scoreboard accounts for all of them
(tests/test_inventory.py checks it). The ``S7_nn`` ids are the inventory's
section 7 bullets, numbered in order.
"""
from harness.engine import inventory
from harness.engine.claim import Claim, Excluded, Measured, Tier, claim_test

HISTORICAL = "Historical or external fact about a competition or a study: not checkable by running code."
RULE_OF_THUMB = "A practice rule of thumb, not a statement with a checkable outcome."
CONCEPT = "A conceptual statement with no measurable prediction that the document pins down."


def not_tested(case) -> Measured:
    """Nothing is measured; the statement must be a row of the inventory (when it is
    beside the repository), so that the exclusion accounts for a real row."""
    rows = inventory.ids()
    if rows:
        assert case.claim.id in rows, f"{case.claim.id} is not a row of {inventory.path()}"
    return Measured(None)


def excluded(id, lines, section, quote, reason, post_hoc=""):
    return Claim(id, "002", section, lines, quote, reason, {"fast": Tier(Excluded())}, measure=not_tested,
                 post_hoc=post_hoc)


CLAIMS = [
    excluded("S7_01", "990", "Chapter II, VGG Networks",
             "The VGGNet in the 2014 contest took first place on image location task", HISTORICAL),
    excluded("S7_02", "1103", "Chapter II, ResNet Networks",
             "The ResNet in the 2015 contest took first place in all categories", HISTORICAL),
    excluded("S7_03", "1440", "Chapter II, ResNet50",
             "increasing results on ImageNet by 0.5 percent",
             HISTORICAL + " Needs ImageNet training, far beyond this suite's data and budget."),
    excluded("S7_04", "559", "Chapter I, DNN Multi-Class Classifier",
             "Studies have shown that for girls and boys, the surface area of the nose continues to grow",
             HISTORICAL),
    excluded("S7_05", "1270", "Chapter II, Batch Normalization",
             "use half precision floats (16 bit float) for the matrix operations",
             "A hardware statement (fp16 instruction throughput) that depends on the accelerator; "
             "not checkable on the CPU-only machine."),
    excluded("S7_06", "1550", "Chapter III, Dataset Splitting",
             "SVHN (Street View Home Numbers), Flowers and Cats vs Dogs",
             "Needs tensorflow-datasets and downloads; not part of the suite's dependencies."),
    excluded("S7_07", "1554", "Chapter III, Dataset Splitting",
             "Historically, the rule of thumb has been 80/20", RULE_OF_THUMB),
    excluded("S7_08", "742", "Chapter I, Overfitting and Dropout",
             "A common practice for dropout is setting values between 20% and 50%.", RULE_OF_THUMB),
    excluded("S7_09", "809", "Chapter II, Feature Detection",
             "Typical filter sizes are 3×3 and 5×5", RULE_OF_THUMB),
    excluded("S7_10", "2207", "Chapter III, Mini-Batch Gradient Descent",
             "the most time/space efficient batch sizes are multiples of 8", RULE_OF_THUMB),
    excluded("S7_11", "2274", "Chapter III, Momentum",
             "accelerate or decelerate the rate of change based on prior changes", RULE_OF_THUMB),
    excluded("S7_12", "2494-2496", "Chapter III, Rotation",
             "If the images will be dead-on, use -15 to 15 degree range.", RULE_OF_THUMB),
    excluded("S7_13", "2577", "Chapter III, Shift",
             "limit the shift of the image to no more than 20%", RULE_OF_THUMB),
    excluded("S7_14", "2620", "Chapter III, Zoom",
             "the Image.BICUBIC interpolation generally provides the best results",
             "'Best' is a judgement of visual quality with no stated measure."),
    excluded("S7_15", "1745", "Chapter III, Standardization",
             "standardization is considered to give a better result", RULE_OF_THUMB),
    excluded("S7_16", "1762", "Chapter III, Validation & Overfitting",
             "a random split is done on a per epoch basis",
             CONCEPT + " Keras' validation_split is a fixed split; A12 checks what Keras does."),
    excluded("S7_17", "2330", "Chapter III, Translational Invariance",
             "Rotation (object can be at any rotation).", CONCEPT),
    excluded("S7_18", "1111", "Chapter II, ResNet Networks",
             "as we add deeper layers ... their performance can degrade", CONCEPT),
    excluded("S7_19", "734", "Chapter I, Overfitting and Dropout",
             "Even without training past the convergence, you will have some overfitting.", CONCEPT),
    excluded("S7_20", "1920-1922", "Chapter III, Convergence",
             "The neural network becomes overfitted to the training data", CONCEPT),
    excluded("B06_test_always_lower", "730, 734", "Chapter I, Overfitting and Dropout",
             "In reality, the test data will always be a little less.",
             "A universal statement ('always') about every model and dataset: no finite set of runs can "
             "confirm it, and one run where test accuracy >= training accuracy (common with dropout, "
             "whose training accuracy is measured with units dropped) only shows the word 'always' is "
             "loose. The measurable cases (train vs test gaps) are B05, B07 and B08."),
    excluded("B20_loss_steady_decrease", "1854", "Chapter III, Loss Monitoring",
             "What is important is that we see a steady decrease in the loss.",
             RULE_OF_THUMB + " Advice on what to watch during training, with no model or setting."),
    excluded("E40_lr_range_notation", "2232", "Chapter III, Small vs Large Learning Rate",
             "In best practices the rate will range between 0.1 and $10e-5$.",
             RULE_OF_THUMB + " Its lower end, '10e-5', is 1e-4 in e-notation or the 10^-5 such ranges "
             "usually quote; which the document means cannot be known, so there is no value to check.",
             post_hoc="excluded after its reported refutation had been seen (48e76dc)"),
    excluded("I27_scandir_py35", "2909", "Chapter III, Reading Images",
             "Note, `os.scandir()` was added in Python 3.5.",
             "A fact of Python's release history. The suite runs one interpreter (3.11, whose "
             "os.scandir exists, but so it would had it been added in any release up to 3.11), and "
             "the version a function was added in is recorded only in the Python documentation "
             "('Added in version 3.5'), which is not installed here; the function's docstring does "
             "not say. Not checkable by running code."),
]


test_claims = claim_test(CLAIMS)
