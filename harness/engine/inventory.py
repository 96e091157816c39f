"""The claims inventory, ``../shared/CLAIMS.md``: the ids of its rows.

Table rows give their id in the first cell: ``| glorot_formulas | ...`` or, in
002's tables, a code and a name, ``| E03 fc_connections_3x4 | ...`` -> ``E03_fc_connections_3x4``.
The vague statements of its section 7 are bullets without ids: they get
``S7_01``, ``S7_02``, ... in the order they appear.
"""
import functools
import re
from pathlib import Path

ROW = re.compile(r"^\| (?:([A-Z]\d\d) ([A-Za-z]\w*)|([a-z]\w*) )")
VAGUE = re.compile(r"^\s+- .*\(L\d")


def path() -> Path:
    from harness import settings
    return settings.current().inventory


def ids(inventory: Path | None = None) -> list:
    """Row ids in document order; [] when the inventory is not beside the repository."""
    inventory = inventory or path()
    if not inventory.exists():
        return []
    rows, in_vague = [], False
    for line in inventory.read_text().splitlines():
        if line.startswith("## "):
            in_vague = line.startswith("## 7.")
        match = ROW.match(line)
        if match and match.group(3) != "id":
            code, name, plain_id = match.groups()
            rows.append(f"{code}_{name}" if code else plain_id)
        elif in_vague and VAGUE.match(line):
            rows.append(f"S7_{sum(r.startswith('S7_') for r in rows) + 1:02d}")
    return rows


def covers(row: str, claim_id: str) -> bool:
    """A claim covers a row when its id is the row's id or starts with it and '_'
    (``bn_param_counts_no_bias`` covers ``bn_param_counts``); for 002's coded rows the
    code decides (``A24_rmsprop_ctor_as_written`` covers ``A24_rmsprop_ctor``)."""
    same, prefix = _covering(row)
    return claim_id == same or (prefix is not None and claim_id.startswith(prefix))


@functools.cache
def _covering(row: str) -> tuple:
    """(the id that covers ``row`` by being it, the prefix of the ids that cover it); None: none."""
    code = re.match(r"[A-Z]\d\d_|S7_\d\d$", row)
    if code:
        return (row, None) if row.startswith("S7_") else (None, code.group(0))
    return row, row + "_"
