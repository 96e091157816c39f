"""``results/README.md`` (a screen or two: provenance, counts, changes) and
``results/index.html`` (harness/views/page.py: every claim), rendered from a results snapshot
(harness/views/results.py: the committed scoreboards, each written by one complete run, the
history and the baselines as they are now) at the end of every run."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from harness.engine import baseline, inventory, scoreboard
from harness.views import forest, page
from harness.engine.claim import DOCUMENTS, EXCLUDED
from harness.views.results import TESTED, VERDICTS, Snapshot, failures  # noqa: F401  (Snapshot: report.Snapshot.load)
from harness.settings import BACKENDS, BOARDS, ROOT, TIERS, Board

FRAMEWORK_NOTES = ROOT / "claims" / "backend_differences.json"
TITLES = {
    "000": '"TensorFlow 2.0 Practical" (MNIST, one layer to a 99% CNN)',
    "001": "Notes on training deep neural networks (HOML ch. 11)",
    "002": '"Deep Learning Design Patterns with TensorFlow 2.0" primer',
}


def accounting(entries: list) -> list:
    """What became of every inventory row: tested (some judged verdict), excluded,
    only skipped, or missing."""
    rows = inventory.ids()
    if not rows:
        return [f"(The inventory {inventory.path()} is not beside the repository: rows not counted.)"]
    by_id: dict = {}  # the claims' verdicts on every board, by id
    for e in entries:
        by_id.setdefault(e["id"], set()).add(e["verdict"])
    status = {}
    for row in rows:
        verdicts = set().union(*(v for cid, v in by_id.items() if inventory.covers(row, cid)))
        status[row] = ("tested" if verdicts & set(TESTED) else "excluded" if EXCLUDED in verdicts
                       else "only skipped or errored" if verdicts else "without a committed verdict")
    counts = {k: sum(v == k for v in status.values())
              for k in ("tested", "excluded", "only skipped or errored", "without a committed verdict")}
    lines = [f"Inventory (`CLAIMS.md`): **{len(rows)} rows**: " + ", ".join(f"{n} {k}" for k, n in counts.items())
             + ". A row counts as tested only when a claim covering it got reproduced, refuted or inconclusive."]
    for kind in ("only skipped or errored", "without a committed verdict"):
        ids = [r for r in rows if status[r] == kind]
        if ids:
            lines.append(f"Rows {kind}: {', '.join(ids[:40])}{' and more' if len(ids) > 40 else ''}.")
    return lines


def provenance(tier: Board, board: dict) -> str:
    run, env = board.get("run", {}), board.get("environment", {})
    if not run:
        return f"- **{tier}**: no scoreboard from a run of this harness."
    runs = {e.get("run") for e in board["claims"].values()}
    flags = [] if len(runs) == 1 and run.get("complete") else [
        f"**entries from {len(runs)} runs**" if len(runs) > 1 else "**incomplete run**"]
    if run.get("dirty"):
        flags.append(f"**uncommitted changes**: {', '.join(run['dirty'])}")
    cpu = env.get("cpu", {})
    try:
        seconds = (datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["started"])).total_seconds()
        wall = f" ({seconds / 60:.1f} min wall)"
    except (KeyError, ValueError):
        wall = ""
    return (f"- **{tier}**: run `{run['id']}` at commit `{run['commit']}`, {run.get('started')} to "
            f"{run.get('finished')}{wall}, "
            f"{'complete' if run.get('complete') else 'partial'}; {env.get('device', '?')}, "
            f"{cpu.get('model', '?')} ({', '.join(cpu.get('vector_extensions', []))}); Keras "
            f"{env.get('keras', '?')} on {framework(env)}; options {env.get('options')}"
            + ("; " + "; ".join(flags) if flags else "") + ".")


def framework(env: dict) -> str:
    """'TensorFlow 2.21.0', 'JAX 0.10.2', 'PyTorch 2.14.1' from a scoreboard's environment."""
    backend = env.get("backend", "tensorflow")
    name, package = {"tensorflow": ("TensorFlow", "tensorflow"), "jax": ("JAX", "jax"),
                     "torch": ("PyTorch", "torch")}[backend]
    return f"{name} {env.get(package, '?')}"


def across_backends(snapshot: Snapshot) -> list:
    """The claim-by-backend table: every claim judged on more than one backend in a tier,
    those whose verdict differs by framework first, with the reason found
    (``claims/backend_differences.json``: {'<claim id>-<tier>': why})."""
    notes = json.loads(FRAMEWORK_NOTES.read_text()) if FRAMEWORK_NOTES.exists() else {}
    rows = []
    for tier in TIERS:
        by_backend = {b: snapshot.claims(Board(b, tier)) for b in BACKENDS}
        for cid in sorted(set().union(*by_backend.values())):
            verdicts = {b: by_backend[b][cid]["verdict"] for b in BACKENDS if cid in by_backend[b]}
            judged = {b: v for b, v in verdicts.items() if v in TESTED}
            if len(judged) > 1:
                rows.append((len(set(judged.values())) > 1, cid, tier, verdicts))
    if not rows:
        return []
    differ = sum(d for d, *_ in rows)
    lines = ["", "## The same claims on TensorFlow, JAX and PyTorch", "",
             f"Claims judged on more than one Keras backend: {len(rows)}; their verdict depends on the "
             f"framework for **{differ}** (listed first, with the reason found). A skip on a backend is a "
             "TensorFlow-only claim (its API) or missing data.", "",
             "| claim | tier | " + " | ".join(BACKENDS) + " | why they differ |", "|---|---|" + "---|" * (len(BACKENDS) + 1)]
    for differs, cid, tier, verdicts in sorted(rows, key=lambda r: (not r[0], r[2], r[1])):
        cells = [f"**{verdicts[b]}**" if differs and b in verdicts else verdicts.get(b, "-") for b in BACKENDS]
        why = notes.get(f"{cid}-{tier}", "not yet explained") if differs else ""
        lines.append(f"| {cid} | {tier} | " + " | ".join(cells) + f" | {why} |")
    return lines


def failure_causes(entry: dict) -> set:
    """The causes an as-written claim recorded for the failures of the document's code
    (harness/kit/failures.py: ``details.failure``, one per snippet or one in all)."""
    return {f["cause"] for f in failures(entry).values()}


def as_written(snapshot: Snapshot) -> list:
    """Per board, the as-written claims whose code failed, by cause: the library changed since
    the document, or the code is wrong on any version."""
    lines = []
    for b in BOARDS:
        failed = [e for e in snapshot.claims(b).values() if e["verdict"] == "refuted" and failure_causes(e)]
        if failed:
            causes = sorted({c for e in failed for c in failure_causes(e)})
            lines.append(f"- **{b}**: " + "; ".join(
                f"{c}: {sum(c in failure_causes(e) for e in failed)} "
                f"({', '.join(sorted(e['id'] for e in failed if c in failure_causes(e)))})" for c in causes))
    if not lines:
        return []
    return ["", "## The documents' code that fails as printed, by cause", "",
            "Refuted as-written claims whose code raised the failure they declare (harness/kit/failures.py); "
            "any other exception is an error.", ""] + lines


def redraw_plots(snapshot: Snapshot, without_spec: bool = False) -> int:
    """Draw every committed claim plot again from its scoreboard entry (harness/kit/plots.py
    ``save``), no training: those whose entry holds its spec; with ``without_spec`` also those
    of entries from before specs, as their judged panel alone (their claim panel is lost) -> how many."""
    from harness.kit import plots  # matplotlib: imported only to draw
    drawn = 0
    for board in BOARDS:
        for entry in snapshot.claims(board).values():
            if entry.get("plot") and (entry.get("figure") or without_spec):
                scoreboard.atomic_write(snapshot.root / entry["plot"], lambda tmp: plots.save(entry, tmp))
                drawn += 1
    return drawn


def write(snapshot: Snapshot, redraw=None) -> Path:
    """Render results/README.md and results/index.html from ``snapshot``; redraw: the boards
    whose forest plots to draw again (None: every board; a run passes the boards it published)."""
    boards = snapshot.boards
    entries = [e for tier in TIERS for e in snapshot.claims(Board("tensorflow", tier)).values() if not e.get("control")]
    lines = ["# Results", "",
             "Regenerated by `harness/views/report.py` from the tiers' scoreboards, each written whole by one "
             "complete run. Do not edit by hand. A verdict is the result; **bold** marks a verdict that "
             "differs from the accepted one in `claims/baseline.json` (`baseline-jax.json`, "
             "`baseline-torch.json` for the JAX and PyTorch scoreboards under `jax/` and `torch/`), as the "
             "baselines are when this page was rendered.", ""]
    lines += [provenance(b, boards[b]) for b in BOARDS if b.backend == "tensorflow" or boards[b]["run"]]
    lines += ["", "## Verdicts per document and tier", "",
              "| document | tier | " + " | ".join(VERDICTS) + " | new | changed |", "|---|---|" + "---|" * (len(VERDICTS) + 2)]
    for doc in (*DOCUMENTS, "controls"):
        for b in BOARDS:
            group = [e for e in snapshot.claims(b).values()
                     if ("controls" if e.get("control") else e["document"]) == doc]
            if group:
                changes = [snapshot.change(b, e) for e in group]
                lines.append(f"| {doc} | {b} | " + " | ".join(str(sum(e["verdict"] == v for e in group)) for v in VERDICTS)
                             + f" | {changes.count(baseline.NEW)} | {changes.count(baseline.CHANGED)} |")
    lines += ["", "Documents: " + "; ".join(f"{d} = {TITLES[d]}" for d in DOCUMENTS) + "; controls = positive "
              "controls, claims that reproduce a published number under its publisher's setup through a family's "
              "measuring code (`-m controls`): a failed control is a measurement bug, not a finding about a document."]
    lines += [""] + accounting(entries)
    fast, full = snapshot.claims(Board("tensorflow", "fast")), snapshot.claims(Board("tensorflow", "full"))
    split = [cid for cid in sorted(set(fast) & set(full)) if fast[cid]["verdict"] != full[cid]["verdict"]]
    if split:
        lines += ["", "## Where the fast and full tiers disagree", "",
                  "Same claim and rule, different sizes: the fast tier runs the small embedded subsets and "
                  "short budgets, the full tier the documents' data and budgets (the full tier is the answer).", ""]
        lines += [f"- {cid}: fast {fast[cid]['verdict']} ({fast[cid]['config']}, {len(fast[cid]['seeds'])} seeds), "
                  f"full {full[cid]['verdict']} ({full[cid]['config']}, {len(full[cid]['seeds'])} seeds)" for cid in split]
    lines += across_backends(snapshot)
    lines += as_written(snapshot)
    changed = [(b, e) for b in BOARDS for e in snapshot.claims(b).values() if snapshot.change(b, e) == baseline.CHANGED]
    if changed:
        lines += ["", "## Changed since the accepted baseline", ""]
        lines += [f"- {e['id']} ({b}): {snapshot.accepted_verdict(b, e)} -> **{e['verdict']}**" for b, e in changed]
    lines += ["", "## Time per tier", ""]
    for tier in TIERS:
        timed = sorted((e for e in snapshot.claims(Board("tensorflow", tier)).values() if "seconds" in e),
                       key=lambda e: -e["seconds"])
        if timed:
            top = ", ".join(f"{e['id']} {e['seconds']:.0f} s" for e in timed[:5])
            lines.append(f"- **{tier}**: {sum(e['seconds'] for e in timed):,.0f} s over {len(timed)} judged claims "
                         f"(one process's time from each test's start to its judgement); the largest: {top}.")
    lines += ["", "Every claim, with filters and its quote, rule, reason, per-seed values, interval, provenance "
              "and plot: **[index.html](index.html)** (a static page: open it from the file system). What "
              "changed between runs: `python -m harness.views.history`."]
    forests = forest.write(snapshot, redraw)  # results/<board>/forest-<document>.png/.svg, and the page's SVGs
    if forests:
        links = ", ".join(f"[{d} · {b.label}]({b.label}/forest-{d}.png)"
                          for b in BOARDS for d in DOCUMENTS if (b.label, d) in forests)
        lines += ["", ("Forest plots (each judged claim's interval against its own threshold, per board and "
                       f"document, `harness/views/forest.py`): {links}.")]
    path = snapshot.root / "README.md"
    scoreboard.atomic_write(path, lambda tmp: Path(tmp).write_text("\n".join(lines) + "\n"))
    page.write(snapshot, forests)
    return path


def main(argv=None) -> int:
    """``python -m harness.views.report``: render results/README.md and index.html again from the
    committed scoreboards and the baselines as they are now (no run); --redraw: draw the claims'
    plots again first."""
    import argparse
    import sys
    parser = argparse.ArgumentParser(prog="python -m harness.views.report", description=main.__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, help="results folder (default: results/)")
    parser.add_argument("--redraw", action="store_true",
                        help="draw every claim plot whose entry holds its spec again from the scoreboards")
    parser.add_argument("--redraw-all", action="store_true",
                        help="as --redraw, and replace the plots of entries without a spec (runs before specs) "
                             "by their judged panel alone")
    args = parser.parse_args(argv)
    try:
        snapshot = Snapshot.load(args.results)
        if args.redraw or args.redraw_all:
            print(f"{redraw_plots(snapshot, args.redraw_all)} plots drawn again")
        print(write(snapshot))
    except scoreboard.BadFile as e:
        print(f"python -m harness.views.report: {e}", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
