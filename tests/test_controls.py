"""Positive controls (``Claim.control``): each names its published source, carries the
``controls`` mark, and ``pytest claims -m controls`` collects exactly them."""
import subprocess
import sys

from harness.engine import scoreboard
from harness.engine.claim import cases
from test_inventory import claims


def controls():
    return [c for c in claims() if c.control]


def test_every_control_names_its_source_and_carries_the_mark():
    assert controls(), "no positive controls in claims/"
    assert all(c.control.strip() for c in controls())
    marked = {p.id for p in cases(claims()) if any(m.name == "controls" for m in p.marks)}
    assert marked == {f"{c.id}-{tier}" for c in controls() for tier in c.tiers}


def test_marker_selects_exactly_the_controls():
    proc = subprocess.run([sys.executable, "-m", "pytest", "claims", "-m", "controls", "--collect-only", "-q",
                           "-n", "0", "-p", "no:cacheprovider"], capture_output=True, text=True, cwd=scoreboard.ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    collected = {line.split("[", 1)[1].rstrip("]") for line in proc.stdout.splitlines() if "::test_claims[" in line}
    assert collected == {f"{c.id}-{tier}" for c in controls() for tier in c.tiers}
