"""Calibration metrics against hand-computed values, and the binning edge cases."""
import numpy as np
import pytest

from harness.kit.calibration import (accuracy, brier_score, expected_calibration_error, negative_log_likelihood,
                                 reliability)


def binary(confidences, correct):
    """Two-class probs whose top class is 0 with the given confidences; labels 0 where correct."""
    c = np.asarray(confidences, float)
    return np.stack([c, 1 - c], axis=1), np.where(correct, 0, 1)


def test_ece_of_a_perfectly_calibrated_case_is_zero():
    # 10 predictions at confidence 0.8 of which 8 are right; 5 at 0.6 of which 3 are right
    probs, labels = binary([0.8] * 10 + [0.6] * 5, [True] * 8 + [False] * 2 + [True] * 3 + [False] * 2)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-12)


def test_ece_hand_computed_with_three_bins_populated():
    # n_bins=5, edges 0, .2, .4, .6, .8, 1; six examples:
    #   bin (0.4, 0.6]: conf 0.55, 0.55, one right  -> acc 0.5, |0.5 - 0.55| = 0.05, weight 2/6
    #   bin (0.6, 0.8]: conf 0.7 x3, all right      -> acc 1.0, |1.0 - 0.7|  = 0.30, weight 3/6
    #   bin (0.8, 1.0]: conf 0.9, wrong             -> acc 0.0, |0.0 - 0.9|  = 0.90, weight 1/6
    # ECE = (2*0.05 + 3*0.3 + 1*0.9) / 6 = 1.9 / 6 = 19/60
    probs, labels = binary([0.55, 0.55, 0.7, 0.7, 0.7, 0.9], [True, False, True, True, True, False])
    assert expected_calibration_error(probs, labels, n_bins=5) == pytest.approx(19 / 60, abs=1e-12)
    r = reliability(probs, labels, n_bins=5)
    assert r["count"].tolist() == [0, 0, 2, 3, 1]
    np.testing.assert_allclose(r["accuracy"][2:], [0.5, 1.0, 0.0])
    np.testing.assert_allclose(r["confidence"][2:], [0.55, 0.7, 0.9])


def test_confident_and_right_is_zero_and_lands_in_the_last_bin():
    labels = np.array([0, 2, 1, 2])
    probs = np.eye(3)[labels]
    assert expected_calibration_error(probs, labels) == 0.0
    r = reliability(probs, labels)
    assert r["count"][-1] == 4 and r["count"].sum() == 4


def test_confident_and_always_wrong_at_0_9_has_ece_0_9():
    probs, labels = binary([0.9] * 7, [False] * 7)
    assert expected_calibration_error(probs, labels) == pytest.approx(0.9, abs=1e-12)


def test_a_confidence_on_an_edge_goes_in_the_bin_below():
    # bin i holds (edge_i, edge_i+1]: uniform over 5 classes gives confidence exactly 0.2 = edges[1]
    probs, labels = np.full((3, 5), 0.2), np.array([0, 1, 4])
    assert reliability(probs, labels, n_bins=5)["count"].tolist() == [3, 0, 0, 0, 0]
    # argmax ties go to class 0, so one of three is right: |1/3 - 0.2| in the first bin
    assert expected_calibration_error(probs, labels, n_bins=5) == pytest.approx(1 / 3 - 0.2, abs=1e-12)


def test_reliability_counts_sum_to_n_and_empty_bins_are_nan():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(200, 4))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 4, size=200)
    r = reliability(probs, labels, n_bins=15)
    assert r["edges"].shape == (16,) and r["edges"][0] == 0.0 and r["edges"][-1] == 1.0
    assert r["count"].sum() == 200 and r["count"].dtype.kind == "i"
    empty = r["count"] == 0
    assert empty[:3].all()  # max of 4 probabilities is >= 0.25 > 3/15
    assert np.isnan(r["confidence"][empty]).all() and np.isnan(r["accuracy"][empty]).all()
    assert not np.isnan(r["confidence"][~empty]).any()
    # ECE is the count-weighted gap of exactly these bins
    gap = np.abs(r["accuracy"] - r["confidence"])[~empty]
    assert expected_calibration_error(probs, labels) == pytest.approx(np.sum(r["count"][~empty] / 200 * gap))


@pytest.mark.parametrize("k", [2, 10])
def test_nll_and_brier_of_uniform_predictions(k):
    probs, labels = np.full((6, k), 1 / k), np.arange(6) % k
    assert negative_log_likelihood(probs, labels) == pytest.approx(np.log(k))
    assert brier_score(probs, labels) == pytest.approx((k - 1) / k)


def test_nll_hand_case_perfect_and_clipped():
    probs = np.array([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]])
    labels = np.array([0, 1, 1])
    assert negative_log_likelihood(probs, labels) == pytest.approx((np.log(2) + np.log(4 / 3) + np.log(10)) / 3)
    assert negative_log_likelihood(np.eye(3), np.arange(3)) == 0.0
    assert negative_log_likelihood([[1.0, 0.0]], [1]) == pytest.approx(-np.log(1e-12))


def test_brier_perfect_wrong_and_hand_case():
    assert brier_score(np.eye(4), np.arange(4)) == 0.0
    assert brier_score(np.eye(4), [1, 2, 3, 0]) == 2.0
    # [0.7, 0.2, 0.1] with label 1: 0.49 + 0.64 + 0.01 = 1.14
    assert brier_score([[0.7, 0.2, 0.1]], [1]) == pytest.approx(1.14)


def test_accuracy():
    probs = np.array([[0.6, 0.4], [0.3, 0.7], [0.5, 0.5], [0.9, 0.1]])
    assert accuracy(probs, [0, 1, 1, 1]) == 0.5  # the tie [0.5, 0.5] predicts class 0


@pytest.mark.parametrize("probs, labels", [
    (np.full(4, 0.25), np.array([0])),                      # probs 1-D
    (np.full((2, 2, 2), 0.5), np.array([0, 1])),            # probs 3-D
    (np.full((3, 2), 0.5), np.array([0, 1])),               # n mismatch
    (np.full((2, 2), 0.5), np.array([[0], [1]])),           # labels 2-D
    (np.full((2, 2), 0.5), np.array([0.0, 1.0])),           # float labels
    (np.full((2, 2), 0.5), np.array([0, 2])),               # label out of range
    (np.array([[2.0, -1.0], [0.5, 0.5]]), np.array([0, 1])),  # logits, not probabilities
    (np.zeros((0, 3)), np.zeros(0, int)),                   # empty
])
@pytest.mark.parametrize("metric", [expected_calibration_error, reliability, negative_log_likelihood,
                                    brier_score, accuracy])
def test_bad_inputs_raise_value_error(metric, probs, labels):
    with pytest.raises(ValueError):
        metric(probs, labels)


def test_bad_bin_count_raises_value_error():
    with pytest.raises(ValueError):
        expected_calibration_error(np.eye(2), [0, 1], n_bins=0)
