"""``results/index.html``: the review page, static files that open from the file system
(no server, no network), rendered from a results snapshot (harness/views/results.py).

The page (harness/views/page.html, its data embedded as JSON) holds a summary: what changed
since each board's previous run and against the accepted baselines, the verdict counts per
document and board, and one row per claim with its verdict on every board. What a claim's
row opens (quote, rule, reason, per-seed values, intervals, provenance, plot, its last
HISTORY_RUNS runs) and the forest plots (harness/views/forest.py) are in one script per board
beside it, ``results/<board>/details.js``, loaded when first needed: ``<script src>``
loads from ``file://`` where fetch() does not. So the page's size grows with the number of
claims, not with the history.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from harness.engine import baseline, scoreboard
from harness.engine.claim import DOCUMENTS
from harness.kit.style import VERDICT_COLOURS
from harness.settings import BOARDS, Board
from harness.views import history
from harness.views.results import VERDICTS, Snapshot, failures

TEMPLATE = Path(__file__).with_name("page.html")
DETAILS = "details.js"
HISTORY_RUNS = 10
# Scoreboard fields a claim's details leave out: large, or frozen by older runs.
LEFT_OUT = ("details", "recipes", "baseline", "change", "figure")  # the plot shows the figure spec
# kind of change: (its heading on the first screen, its note on the claim), in the page's order.
KINDS = {
    "accepted": ("Verdict differs from the accepted baseline", "verdict differs from the accepted {}"),
    "flipped": ("Flipped since the previous run", "flipped since the previous run: {}"),
    "drifted": ("Drifted since the previous run", "drifted since the previous run: {}"),
    "stopped": ("Stopped running", "stopped running: {}"),
    "rule": ("Rule changed since the previous run", "rule changed since the previous run: {}"),
    "new": ("New since the previous run", "new since the previous run"),
    "unaccepted": ("No accepted verdict yet", "no accepted verdict in {}: review and accept it"),
}
# A result's fields the page takes from its claim and board instead.
SAID = ("id", "board", "tier", "backend", "document", "control", "changed")


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def relative_move(a, b) -> float:
    """The largest relative move between two values (numbers, or lists and dicts of them)."""
    if _number(a) and _number(b):
        return abs(b - a) / max(abs(a), 1e-300) if a != b else 0.0
    if isinstance(a, dict) and isinstance(b, dict):
        return max((relative_move(a[k], b[k]) for k in a.keys() & b.keys()), default=0.0)
    if isinstance(a, list) and isinstance(b, list):
        return max((relative_move(x, y) for x, y in zip(a, b)), default=0.0)
    return 0.0


def board_changes(snapshot: Snapshot, board: Board) -> list:
    """[{kind, id, board, what, size}]: the board's changes against the accepted baseline (as it
    is now) and since its previous run in the history (history.compare: real drifts only, with
    size, the largest relative move of the value)."""
    since = snapshot.since_previous(board)
    claims = snapshot.claims(board)
    previous = {}
    if since:
        older = history.runs(snapshot.history(board), board)[-2]
        previous = {r["id"]: r for r in snapshot.history(board) if r["run"] == older}
    found = [("flipped", cid, f"{a} -> {b}", None) for cid, a, b in since.get("flipped", [])]
    found += sorted((("drifted", cid, how, relative_move(previous[cid].get("value"), claims[cid].get("value")))
                     for cid, how in since.get("drifted", [])), key=lambda c: -c[3])
    found += [("stopped", cid, why, None) for cid, why in since.get("stopped", [])]
    found += [("rule", cid, f"{a} -> {b}", None) for cid, a, b in since.get("rule_changed", [])]
    found += [("new", cid, "", None) for cid in since.get("new", [])]
    for e in claims.values():
        change = snapshot.change(board, e)
        if change == baseline.CHANGED:
            found.append(("accepted", e["id"], snapshot.accepted_verdict(board, e), None))
        elif change == baseline.NEW and snapshot.accepted[board.backend]:
            found.append(("unaccepted", e["id"], snapshot.baselines[board.backend].name, None))
    return [{"kind": k, "id": cid, "board": board.label, "what": what, "size": size} for k, cid, what, size in found]


def boards(snapshot: Snapshot) -> list:
    """The boards with claims, in BOARDS' order."""
    return [b for b in BOARDS if snapshot.claims(b)]


def entries(snapshot: Snapshot) -> tuple[list, list]:
    """-> (board summaries, one result per claim and board): its verdict, marks, the accepted
    verdict and ``changes``, the notes of its changes (KINDS' order), ``changed`` if any."""
    summaries, out = [], []
    for board in boards(snapshot):
        scores = snapshot.boards[board]
        summaries.append({"label": board.label, "backend": board.backend, "tier": board.tier,
                          "run": scores.get("run", {}), "environment": scores.get("environment", {})})
        notes = {}
        for c in sorted(board_changes(snapshot, board), key=lambda c: list(KINDS).index(c["kind"])):
            notes.setdefault(c["id"], []).append(KINDS[c["kind"]][1].format(c["what"]))
        for e in scores["claims"].values():
            changes = notes.get(e["id"], [])
            out.append({"id": e["id"], "board": board.label, "tier": board.tier, "backend": board.backend,
                        "document": e.get("document", ""), "verdict": e["verdict"], "evidence": e.get("evidence", ""),
                        "post_hoc": e.get("post_hoc") or "", "control": e.get("control") or "",
                        "power": e.get("power"), "accepted": snapshot.accepted_verdict(board, e),
                        "changes": changes, "changed": bool(changes)})
    return summaries, out


def claims(snapshot: Snapshot, results: list) -> dict:
    """{claim id: {document, citation, quote, control, results: {board label: result}}}, the
    claim's fields from its first board, each result less what its claim and board say and
    its empty fields."""
    out = {}
    for board in boards(snapshot):
        for e in snapshot.claims(board).values():
            out.setdefault(e["id"], {"document": e.get("document", ""), "citation": e.get("citation", ""),
                                     "quote": e.get("quote", ""), "control": e.get("control") or "", "results": {}})
    for r in results:
        out[r["id"]]["results"][r["board"]] = {k: v for k, v in r.items() if k not in SAID and v not in ("", None, [])}
    return out


def first_screen(snapshot: Snapshot) -> list:
    """[{kind, title, items}]: every board's changes grouped by kind (KINDS' order), then the
    post-hoc marks."""
    found = [c for b in boards(snapshot) for c in board_changes(snapshot, b)]
    groups = [{"kind": k, "title": title, "items": [c for c in found if c["kind"] == k]}
              for k, (title, _) in KINDS.items()]
    marks = [{"kind": "post_hoc", "id": e["id"], "board": b.label, "what": e["post_hoc"], "size": None}
             for b in boards(snapshot) for e in snapshot.claims(b).values() if e.get("post_hoc")]
    groups.append({"kind": "post_hoc", "title": "Post-hoc marks (changed after a reported run)", "items": marks})
    return [g for g in groups if g["items"]]


def _part(record: dict) -> str:
    """The part a sparkline follows: '' for a number, else the value's first numeric key."""
    value = record.get("value")
    return next((k for k in sorted(value) if _number(value[k])), "") if isinstance(value, dict) else ""


def series(records: list) -> dict:
    """A claim's last HISTORY_RUNS records on one board: {part, runs: [{time, commit, verdict,
    y, low, high}]}, y the value (or its ``part``), low and high its interval's."""
    recent = records[-HISTORY_RUNS:]
    part = _part(recent[-1])
    runs = []
    for r in recent:
        value, interval = r.get("value"), r.get("interval")
        if part:
            value = value.get(part) if isinstance(value, dict) else None
            interval = interval.get(part) if isinstance(interval, dict) else None
        low, high = interval if isinstance(interval, list) else (None, None)
        runs.append({"time": r["time"], "commit": r["commit"], "verdict": r["verdict"],
                     "y": value if _number(value) else None, "low": low, "high": high})
    return {"part": part, "runs": runs}


def details(snapshot: Snapshot, board: Board, forests: dict) -> dict:
    """What ``board``'s details.js holds: its run and environment, each claim's entry (less
    LEFT_OUT, with its failures and history series) and its forest plots {document: svg}."""
    scores = snapshot.boards[board]
    past = {}
    for r in snapshot.history(board):
        past.setdefault(r["id"], []).append(r)
    return {"run": scores.get("run", {}), "environment": scores.get("environment", {}),
            "claims": {cid: {**{k: v for k, v in e.items() if k not in LEFT_OUT}, "failures": failures(e),
                             "history": series(past[cid]) if cid in past else None}
                       for cid, e in scores["claims"].items()},
            "forests": {d: svg for (b, d), svg in forests.items() if b == board.label}}


def _json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, sort_keys=True, default=str).replace("</", "<\\/")


def write(snapshot: Snapshot, forests: dict | None = None) -> Path:
    """Write index.html and each board's details.js (removing those of boards now empty).
    forests: {(board label, document): inline SVG} (harness/views/forest.py)."""
    forests = forests or {}
    for board in BOARDS:
        path = snapshot.root / board.label / DETAILS
        if snapshot.claims(board):
            text = f"(window.CLAIM_DETAILS ||= {{}})[{json.dumps(board.label)}] = {_json(details(snapshot, board, forests))};\n"
            scoreboard.atomic_write(path, lambda tmp, text=text: Path(tmp).write_text(text))
        else:
            path.unlink(missing_ok=True)
    summaries, results = entries(snapshot)
    order = {b.label: i for i, b in enumerate(BOARDS)}
    data = {"verdicts": list(VERDICTS), "colours": VERDICT_COLOURS, "documents": list(DOCUMENTS),
            "boards": summaries, "claims": claims(snapshot, results), "changes": first_screen(snapshot),
            "forests": [{"board": b, "document": d, "rows": svg.count("<a ")}
                        for (b, d), svg in sorted(forests.items(), key=lambda kv: (kv[0][1], order[kv[0][0]]))]}
    path = snapshot.root / "index.html"
    text = TEMPLATE.read_text().replace("__DATA__", _json(data))
    scoreboard.atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    return path
