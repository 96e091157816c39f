"""Calibration and proper scoring rules for classifiers.

Inputs everywhere: ``probs`` of shape (n, k), each row a probability distribution
over k classes (softmax outputs, not logits), and integer ``labels`` of shape (n,)
in [0, k). The prediction is ``probs.argmax(1)`` (ties go to the lowest class
index) and its confidence is ``probs.max(1)``. Every result is a plain float,
averaged over the n examples.
"""
from __future__ import annotations

import numpy as np


def _check(probs, labels):
    """-> (probs as float (n, k), labels as int (n,)); ValueError on bad shapes or values."""
    probs, labels = np.asarray(probs, dtype=float), np.asarray(labels)
    if probs.ndim != 2 or probs.shape[0] == 0 or probs.shape[1] == 0:
        raise ValueError(f"probs must be 2-D (n, k) with n, k >= 1, got shape {probs.shape}")
    if labels.ndim != 1 or labels.shape[0] != probs.shape[0]:
        raise ValueError(f"labels must be 1-D of length n={probs.shape[0]}, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= probs.shape[1]:
        raise ValueError(f"labels must lie in [0, {probs.shape[1]}), got [{labels.min()}, {labels.max()}]")
    if (not np.all(np.isfinite(probs)) or probs.min() < 0 or probs.max() > 1 + 1e-6
            or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)):
        raise ValueError("each row of probs must be a probability distribution (were logits passed?)")
    return probs, labels


def _bin(confidence, n_bins):
    """Equal-width bins on [0, 1]: -> (edges (n_bins+1,), bin index per example (n,)).
    Bin i holds (edges[i], edges[i+1]]; the first bin also holds 0, so 1.0 is in the last."""
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins}")
    edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    index = np.searchsorted(edges, confidence, side="left") - 1
    return edges, np.clip(index, 0, int(n_bins) - 1)


def reliability(probs, labels, n_bins=15) -> dict:
    """Per-bin data for a reliability diagram, all arrays: "edges" (n_bins+1,),
    "confidence" and "accuracy" (n_bins,; mean confidence and accuracy of the bin's
    examples, NaN for an empty bin), "count" (n_bins,; int examples per bin)."""
    probs, labels = _check(probs, labels)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    edges, index = _bin(confidence, n_bins)
    count = np.bincount(index, minlength=len(edges) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, len(edges) - 1) / count
        mean_accuracy = np.bincount(index, correct, len(edges) - 1) / count
    return {"edges": edges, "confidence": mean_confidence, "accuracy": mean_accuracy, "count": count}


def expected_calibration_error(probs, labels, n_bins=15) -> float:
    """ECE as defined by Guo et al. 2017, "On Calibration of Modern Neural Networks":
    sum over bins b of (n_b / n) * |acc_b - conf_b|, with the equal-width confidence
    bins of ``reliability`` (same binning). In [0, 1]; 0 is perfectly calibrated."""
    r = reliability(probs, labels, n_bins)
    filled = r["count"] > 0
    weights = r["count"][filled] / r["count"].sum()
    return float(np.sum(weights * np.abs(r["accuracy"][filled] - r["confidence"][filled])))


def negative_log_likelihood(probs, labels, eps=1e-12) -> float:
    """Mean of -log p[label] in nats, with p clipped to [eps, 1] (so at most -log(eps))."""
    probs, labels = _check(probs, labels)
    p = np.clip(probs[np.arange(labels.size), labels], eps, 1.0)
    return float(np.mean(-np.log(p)))


def brier_score(probs, labels) -> float:
    """Multi-class Brier score (Brier 1950): mean over examples of sum_k (p_k - onehot_k)^2.
    In [0, 2]; 0 is perfect. (Not the binary/top-label variant, which lies in [0, 1].)"""
    probs, labels = _check(probs, labels)
    onehot = np.eye(probs.shape[1])[labels]
    return float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))


def accuracy(probs, labels) -> float:
    """Fraction of examples with argmax(probs) == label, in [0, 1]."""
    probs, labels = _check(probs, labels)
    return float(np.mean(probs.argmax(axis=1) == labels))
