"""What a scoreboard entry says was judged: the parts of its rule string (``parse``: the
``>= t``, ``<= t``, ``in [a, b]`` and exact parts of ``str(rule)``, harness/engine/claim.py) and
each part's value and interval (``part_data``). Read by the claims' plots and the forest plots."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

AT_LEAST, AT_MOST, BAND, EXACT, UNPARSED = ">=", "<=", "in", "exact", "unparsed"

_NUMBER = r"[-+]?(?:inf|nan|\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+(?:e[-+]?\d+)?)"
_SUFFIX = re.compile(r"\s*\(this budget can only (refute|reproduce)\)\s*$")
_BOUND = re.compile(rf"^(>=|<=) ({_NUMBER})$", re.IGNORECASE)
_BAND = re.compile(rf"^in \[({_NUMBER}), ({_NUMBER})\]$", re.IGNORECASE)
_EXACT = re.compile(r"^(?:==|≈) ")
# An All rule's parts are "name rule" joined by "; ": split only outside brackets and quotes
# (an exact part's repr may itself hold "; ").


def _split(rule: str) -> list:
    pieces, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(rule):
        if quote:
            quote = "" if c == quote and rule[i - 1] != "\\" else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c == ";" and not depth and rule[i + 1:i + 2] == " ":
            pieces.append(rule[start:i])
            start = i + 2
    return pieces + [rule[start:]]


@dataclass(frozen=True)
class Part:
    """One part of a rule string. kind: '>=', '<=', 'in' (bounds (a, b)), 'exact' or 'unparsed'."""
    name: str  # "" for a rule of one part
    kind: str
    bounds: tuple = ()  # (t,) for '>=' and '<=', (a, b) for 'in'
    budget: str = ""  # "refute" / "reproduce": RefuteOnly / ReproduceOnly
    text: str = ""  # the part's rule, as written

    @property
    def threshold(self) -> bool:
        return self.kind in (AT_LEAST, AT_MOST, BAND)


def _rule(text: str):
    """'>= 0.5' -> ('>=', (0.5,)), 'in [a, b]' -> ('in', (a, b)), '== 4' -> ('exact', ()), else None."""
    m = _BOUND.match(text)
    if m:
        t = float(m.group(2))
        return (m.group(1), (t,)) if not math.isnan(t) else None
    m = _BAND.match(text)
    if m:
        a, b = float(m.group(1)), float(m.group(2))
        return (BAND, (a, b)) if not (math.isnan(a) or math.isnan(b)) and a <= b else None
    if _EXACT.match(text) or text == "not tested":
        return EXACT, ()
    return None


def parse(rule: str) -> list:
    """The parts of a rule string as harness/engine/claim.py writes it (``str(rule)``)."""
    rule = (rule or "").strip()
    budget = ""
    m = _SUFFIX.search(rule)
    if m and len(_split(rule)) == 1:  # RefuteOnly(AtLeast(...)): the whole rule
        budget, rule = m.group(1), rule[:m.start()]
    parts = []
    for piece in _split(rule):
        piece_budget = budget
        m = _SUFFIX.search(piece)
        if m:
            piece_budget, piece = m.group(1), piece[:m.start()]
        piece = piece.strip()
        name, text, found = "", piece, _rule(piece)
        if found is None and " " in piece:
            name, text = (s.strip() for s in piece.split(" ", 1))
            found = _rule(text)
        if found is None:
            parts.append(Part("", UNPARSED, (), piece_budget, piece))
        else:
            parts.append(Part(name, found[0], found[1], piece_budget, text))
    return parts


def number(v):
    """v as a float, None for a bool, None, NaN or anything else."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def part_data(entry: dict, part: Part):
    """-> (value, interval dict or None) of ``part`` in ``entry``: a named part's are keyed
    by its name in the entry's value and interval dicts."""
    value, interval = entry.get("value"), entry.get("interval")
    if part.name:
        value = value.get(part.name) if isinstance(value, dict) else None
        interval = interval.get(part.name) if isinstance(interval, dict) and "low" not in interval else None
    return value, interval if isinstance(interval, dict) and "low" in interval else None
