"""Every row of the claims inventory is covered by a claim or an explicit exclusion."""
import importlib.util
from pathlib import Path

import pytest

from harness.engine import inventory
from harness.engine.claim import Claim
from harness.engine.judging import thresholds

CLAIMS_DIR = Path(__file__).resolve().parent.parent / "claims"


def claims():
    out = []
    for path in sorted(CLAIMS_DIR.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"_claims_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out += [c for c in getattr(module, "CLAIMS", []) if isinstance(c, Claim)]
    return out


def claim_ids():
    return [c.id for c in claims()]


def test_full_and_nightly_thresholds_rest_on_one_run_or_at_least_5_seeds():
    """A threshold rule judged over seeds in the full or nightly tier has >= 5 of them; one
    seed is a single run (no interval); exact rules may check a few trajectories."""
    few = [(c.id, tier, len(t.seeds)) for c in claims() for tier, t in c.tiers.items()
           if tier in ("full", "nightly") and thresholds(t.rule) and 1 < len(t.seeds) < 5]
    assert few == []


def test_parser_reads_plain_coded_and_section_7_rows(tmp_path):
    text = ("## 000\n| id | line |\n|---|---|\n| one_layer_param_count | 136 |\n"
            "## 2. Models\n| M18 resnet50_v1.5 projection | 1444 |\n| E03 fc_connections_3x4 | 171 |\n"
            "## 7. Vague\n- **Historical:**\n  - VGG 2014 (L990).\n  - ResNet (L1103).\n## 8. Other\n  - x (L1).\n")
    (tmp_path / "CLAIMS.md").write_text(text)
    assert inventory.ids(tmp_path / "CLAIMS.md") == [
        "one_layer_param_count", "M18_resnet50_v1", "E03_fc_connections_3x4", "S7_01", "S7_02"]
    assert inventory.covers("A24_rmsprop_ctor", "A24_rmsprop_ctor_as_written")
    assert inventory.covers("bn_param_counts", "bn_param_counts_no_bias")
    assert not inventory.covers("bn_param_counts", "bn_param_countsx")
    assert inventory.covers("A24_rmsprop_ctor", "A24_adaptive_lr") and not inventory.covers("A24_x", "A25_x")
    assert inventory.covers("S7_01", "S7_01") and not inventory.covers("S7_01", "S7_012")


def test_claim_ids_are_unique():
    ids = claim_ids()
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_inventory_row_is_accounted_for():
    rows = inventory.ids()
    if not rows:
        pytest.skip(f"the inventory {inventory.path()} is not beside the repository")
    ids = claim_ids()
    missing = [row for row in rows if not any(inventory.covers(row, i) for i in ids)]
    assert missing == []


def test_every_accepted_verdict_is_a_case_that_exists():
    """A baseline key names a (claim, tier) that is collected: a claim moved to another tier or
    removed takes its accepted verdicts with it, so that no baseline holds verdicts of cases
    that no run can give again."""
    from harness.engine import baseline
    cases = {f"{c.id}-{tier}" for c in claims() for tier in c.tiers}
    for path in sorted(CLAIMS_DIR.glob("baseline*.json")):
        assert sorted(set(baseline.load(path)) - cases) == [], path.name


def test_every_backend_difference_note_is_a_case_that_exists():
    """claims/backend_differences.json explains why a case's verdict depends on the backend:
    each key names a collected case."""
    import json
    cases = {f"{c.id}-{tier}" for c in claims() for tier in c.tiers}
    notes = json.loads((CLAIMS_DIR / "backend_differences.json").read_text())
    assert sorted(set(notes) - cases) == []
