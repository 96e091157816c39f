"""``results/README.md``: the page a reviewer reads, regenerated from the committed
scoreboards (each written by one complete run) at the end of every run."""
from __future__ import annotations

from pathlib import Path

from harness import baseline, inventory, scoreboard
from harness.claim import DOCUMENTS, ERROR, EXCLUDED, INCONCLUSIVE, REFUTED, REPRODUCED, SKIPPED

TIERS = ("fast", "full", "benchmark")
VERDICTS = (REPRODUCED, REFUTED, INCONCLUSIVE, SKIPPED, ERROR, EXCLUDED)
TESTED = (REPRODUCED, REFUTED, INCONCLUSIVE)
TITLES = {
    "000": '"TensorFlow 2.0 Practical" (MNIST, one layer to a 99% CNN)',
    "001": "Notes on training deep neural networks (HOML ch. 11)",
    "002": '"Deep Learning Design Patterns with TensorFlow 2.0" primer',
}


def fmt(value) -> str:
    """Short human form of a measured value, interval or dict of them."""
    if isinstance(value, dict):
        if {"low", "high"} <= value.keys():
            return f"[{fmt(value['low'])}, {fmt(value['high'])}]"
        return ", ".join(f"{k} {fmt(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and len(value) > 6:
        return "[" + ", ".join(fmt(v) for v in value[:6]) + ", …]"
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)


def measured(entry: dict) -> str:
    """The value with its interval ('95% CI', t or Fieller, n seeds) or 'single run'."""
    if entry["verdict"] in (SKIPPED, ERROR):
        return entry.get("message", "")
    text = fmt(entry.get("value"))
    interval = entry.get("interval")
    if interval and "low" in interval:
        text += f" ({interval['confidence']:.4g} CI {fmt(interval)}, n={interval['n']})"
    elif interval:
        level = next(iter(interval.values()))
        text += f" ({level['confidence']:.4g} CIs: " + "; ".join(
            f"{k} {fmt(v)}" for k, v in interval.items()) + f"; n={level['n']})"
    elif entry.get("evidence") == "single run":
        text += " (single run, no interval)"
    if entry.get("dropped"):
        text += f"; dropped seeds {entry['dropped']} ({entry.get('drop')})"
    return text


def verdict_cell(entry: dict) -> str:
    v = entry["verdict"]
    if entry.get("evidence") == "single run" and v in TESTED:
        v += " (single run)"
    change = entry.get("change")
    if change == baseline.CHANGED:
        return f"**{v}** (was {entry['baseline']})"
    return f"{v} (new)" if change == baseline.NEW and entry["verdict"] in baseline.JUDGED else v


def accounting(entries: list) -> list:
    """What became of every inventory row: tested (some judged verdict), excluded,
    only skipped, or missing."""
    rows = inventory.ids()
    if not rows:
        return [f"(The inventory {inventory.path()} is not beside the repository: rows not counted.)"]
    status = {}
    for row in rows:
        verdicts = {e["verdict"] for e in entries if inventory.covers(row, e["id"])}
        status[row] = ("tested" if verdicts & set(TESTED) else "excluded" if EXCLUDED in verdicts
                       else "only skipped or errored" if verdicts else "missing")
    counts = {k: sum(v == k for v in status.values())
              for k in ("tested", "excluded", "only skipped or errored", "missing")}
    lines = [f"Inventory (`CLAIMS.md`): **{len(rows)} rows**: " + ", ".join(f"{n} {k}" for k, n in counts.items())
             + ". A row counts as tested only when a claim covering it got reproduced, refuted or inconclusive."]
    for kind in ("only skipped or errored", "missing"):
        ids = [r for r in rows if status[r] == kind]
        if ids:
            lines.append(f"Rows {kind}: {', '.join(ids)}.")
    return lines


def provenance(tier: str, board: dict) -> str:
    run, env = board.get("run", {}), board.get("environment", {})
    if not run:
        return f"- **{tier}**: no scoreboard from a run of this harness."
    runs = {e.get("run") for e in board["claims"].values()}
    flags = [] if len(runs) == 1 and run.get("complete") else [
        f"**entries from {len(runs)} runs**" if len(runs) > 1 else "**incomplete run**"]
    if run.get("dirty"):
        flags.append(f"**uncommitted changes**: {', '.join(run['dirty'])}")
    cpu = env.get("cpu", {})
    return (f"- **{tier}**: run `{run['id']}` at commit `{run['commit']}`, {run['started']} to {run['finished']}, "
            f"{'complete' if run.get('complete') else 'partial'}; {env.get('device', '?')}, "
            f"{cpu.get('model', '?')} ({', '.join(cpu.get('vector_extensions', []))}); TensorFlow "
            f"{env.get('tensorflow', '?')}, Keras {env.get('keras', '?')}; options {env.get('options')}"
            + ("; " + "; ".join(flags) if flags else "") + ".")


def write(root: Path) -> Path:
    boards = {tier: scoreboard.read(tier, root) for tier in TIERS}
    entries = [e for tier in TIERS for e in boards[tier]["claims"].values()]
    lines = ["# Results", "",
             "Regenerated by `harness/report.py` from the tiers' scoreboards, each written whole by one "
             "complete run. Do not edit by hand. A verdict is the result; **bold** marks a verdict that "
             "differs from the accepted one in `claims/baseline.json`.", ""]
    lines += [provenance(tier, boards[tier]) for tier in TIERS]
    lines += ["", "## Verdicts per document and tier", "",
              "| document | tier | " + " | ".join(VERDICTS) + " | new | changed |", "|---|---|" + "---|" * (len(VERDICTS) + 2)]
    for doc in DOCUMENTS:
        for tier in TIERS:
            group = [e for e in boards[tier]["claims"].values() if e["document"] == doc]
            if group:
                lines.append(f"| {doc} | {tier} | " + " | ".join(str(sum(e["verdict"] == v for e in group)) for v in VERDICTS)
                             + f" | {sum(e.get('change') == baseline.NEW for e in group)}"
                             + f" | {sum(e.get('change') == baseline.CHANGED for e in group)} |")
    lines += [""] + accounting(entries)
    changed = [e for e in entries if e.get("change") == baseline.CHANGED]
    if changed:
        lines += ["", "## Changed since the accepted baseline", ""]
        lines += [f"- {e['id']} ({e['tier']}): {e['baseline']} -> **{e['verdict']}**" for e in changed]
    for doc, name in DOCUMENTS.items():
        doc_entries = sorted((e for e in entries if e["document"] == doc), key=lambda e: (e["id"], e["tier"]))
        if not doc_entries:
            continue
        lines += ["", f"## {name}: {TITLES[doc]}", "",
                  "| claim | tier | where | verdict | measured | document says | rule |", "|---|---|---|---|---|---|---|"]
        for e in doc_entries:
            lines.append(f"| [{e['id']}](#{e['id']}-{e['tier']}) | {e['tier']} | §{e['section']} L{e['lines']} | "
                         f"{verdict_cell(e)} | {measured(e)} | {e['document_value']} | {e['rule']} |".replace("\n", " "))
    lines += ["", "## Time per claim, largest first", ""]
    for tier in TIERS:
        timed = sorted((e for e in boards[tier]["claims"].values() if "seconds" in e), key=lambda e: -e["seconds"])
        if timed:
            lines += [f"**{tier}**: {sum(e['seconds'] for e in timed):,.0f} s over {len(timed)} judged claims "
                      "(one process's time from each test's start to its judgement); the largest:", "",
                      "| claim | seconds |", "|---|---|"]
            lines += [f"| {e['id']} | {e['seconds']:.1f} |" for e in timed[:15]] + [""]
    lines += ["", "## Evidence", ""]
    for e in sorted(entries, key=lambda e: (e["document"], e["id"], e["tier"])):
        lines += [f'<a id="{e["id"]}-{e["tier"]}"></a>', f"### {e['id']} ({e['tier']})", "",
                  f"{e['citation']}: «{e['quote']}»", "",
                  f"- verdict: {verdict_cell(e)}; measured: {measured(e)}; rule: {e['rule']}",
                  f"- why this rule: {e['reason']}"]
        if e.get("port"):
            lines.append(f"- ported to Keras 3: {e['port']}")
        if e.get("samples") is not None:
            lines.append(f"- per seed: {fmt(e['samples'])}")
        if e.get("plot"):
            lines += ["", f"![{e['id']}]({e['plot']})"]
        lines.append("")
    path = root / "README.md"
    scoreboard.atomic_write(path, lambda tmp: Path(tmp).write_text("\n".join(lines) + "\n"))
    return path
