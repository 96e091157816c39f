"""``results/index.html``: the review page, one self-contained static file (no server,
no network: the data is embedded as JSON, the plots are the PNGs beside it).

On top the verdict counts per document and tier, the forest plots (harness/views/forest.py:
each judged claim's interval against its threshold, per document and board, as inline
SVGs whose row labels open the claim), then what changed (against the
accepted baseline, and between the tier's last two runs in the history), then every
claim with filters (document, tier, verdict, backend, changed) and, on a click, its
quote, citation, rule, reason, per-seed values, interval, run provenance, plot and
its verdict and value over the runs in the history.
"""
from __future__ import annotations

import json
from pathlib import Path

from harness.engine import baseline, scoreboard
from harness.views import history
from harness.engine.claim import DOCUMENTS
from harness.views.results import VERDICTS, Snapshot
from harness.settings import BOARDS

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>textbook-claims: results</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
.reproduced{color:#176}.refuted{color:#a11}.inconclusive{color:#a60}.error{color:#a11;font-weight:bold}
.skipped,.excluded{color:#777}.changed{background:#ffd}#claims tr{cursor:pointer}
#detail{border:1px solid #888;padding:.5em 1em;margin-top:1em}#detail img{max-width:100%}
label{margin-right:1em}pre{white-space:pre-wrap}
#forest svg{max-width:100%;height:auto}#forest a{cursor:pointer}
</style></head><body>
<h1>textbook-claims: results</h1>
<p id="provenance"></p>
<h2>Verdicts per document and tier</h2><table id="counts"></table>
<h2>Forest plots</h2>
<p>Each judged claim's interval (a single run: a hollow dot) against its own threshold, one row per
threshold part of its rule: the signed distance to the threshold in units of the threshold (a band's:
of its width), &gt; 0 on the claim's side. Click a row's label for the claim.</p>
<label>document · board <select id="forest-select"></select></label>
<div id="forest"></div>
<h2>What changed</h2><ul id="changes"></ul>
<h2>Claims</h2>
<div id="filters"></div>
<p><span id="shown"></span> claims shown</p>
<table id="claims"><thead><tr><th>claim</th><th>tier</th><th>document</th><th>verdict</th><th>measured</th><th>change</th></tr></thead><tbody></tbody></table>
<div id="detail" hidden></div>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const VERDICTS = DATA.verdicts, ENTRIES = DATA.entries;
const el = (tag, attrs = {}, text = "") => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== "") e.textContent = text;
  return e;
};
const fmt = v => typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(4))
  : Array.isArray(v) ? "[" + v.slice(0, 8).map(fmt).join(", ") + (v.length > 8 ? ", …" : "") + "]"
  : v && typeof v === "object" ? Object.entries(v).map(([k, x]) => k + " " + fmt(x)).join(", ")
  : String(v);
const measured = e => {
  if (e.verdict === "skipped" || e.verdict === "error") return e.message || "";
  let text = fmt(e.value);
  const iv = e.interval;
  if (iv && "low" in iv) text += ` (${iv.confidence} CI [${fmt(iv.low)}, ${fmt(iv.high)}], n=${iv.n})`;
  else if (iv) text += " (CIs: " + Object.entries(iv).map(([k, x]) => `${k} [${fmt(x.low)}, ${fmt(x.high)}]`).join("; ") + ")";
  else if (e.evidence === "single run") text += " (single run)";
  return text;
};
document.getElementById("provenance").textContent = DATA.tiers.map(t => {
  const r = t.run;
  return r.id ? `${t.tier}: run ${r.id}, commit ${r.commit}${r.dirty && r.dirty.length ? " (uncommitted changes)" : ""}, `
    + `${r.complete ? "complete" : "partial"}, finished ${r.finished}, ${t.device}` : `${t.tier}: no run`;
}).join(" · ");

const counts = document.getElementById("counts");
const head = el("tr"); ["document", "tier", ...VERDICTS].forEach(h => head.append(el("th", {}, h))); counts.append(head);
for (const doc of DATA.documents) for (const t of DATA.tiers) {
  const group = ENTRIES.filter(e => e.document === doc && e.tier === t.tier);
  if (!group.length) continue;
  const row = el("tr"); row.append(el("td", {}, doc), el("td", {}, t.tier));
  for (const v of VERDICTS) row.append(el("td", {"data-count": `${doc}/${t.tier}/${v}`}, String(group.filter(e => e.verdict === v).length)));
  counts.append(row);
}

const forestSelect = document.getElementById("forest-select"), forestBox = document.getElementById("forest");
DATA.forests.forEach(f => forestSelect.append(el("option", {value: `${f.document} ${f.board}`}, `${f.document} · ${f.board} (${f.rows} rows)`)));
function showForest() {
  const f = DATA.forests.find(f => `${f.document} ${f.board}` === forestSelect.value);
  forestBox.innerHTML = f ? f.svg : "<p>No judged claim with a threshold in a complete scoreboard.</p>";
  forestBox.dataset.document = f ? f.document : ""; forestBox.dataset.board = f ? f.board : "";
}
forestSelect.addEventListener("change", showForest);
forestBox.addEventListener("click", ev => {
  const a = ev.target.closest("a");
  if (!a) return;
  ev.preventDefault();
  const id = (a.getAttribute("href") || a.getAttribute("xlink:href") || "").replace(/^#/, "");
  const e = ENTRIES.find(x => x.id === id && x.tier === forestBox.dataset.board);
  if (e) detail(e);
});
showForest();

const changes = document.getElementById("changes");
const changed = ENTRIES.filter(e => e.changed);
for (const e of changed) changes.append(el("li", {}, `${e.id} (${e.tier}): ${e.changes.join("; ")}`));
if (!changed.length) changes.append(el("li", {}, "nothing: every verdict is the accepted one and no claim moved since the previous run"));

const filters = {document: DATA.documents, tier: DATA.tiers.map(t => t.tier), verdict: VERDICTS,
                 backend: [...new Set(ENTRIES.map(e => e.backend))], changed: ["yes", "no"]};
const box = document.getElementById("filters");
for (const [name, values] of Object.entries(filters)) {
  const label = el("label", {}, name + " "); const select = el("select", {id: "filter-" + name});
  select.append(el("option", {value: ""}, "all"));
  values.forEach(v => select.append(el("option", {value: v}, v)));
  select.addEventListener("change", render); label.append(select); box.append(label);
}
function render() {
  const want = Object.fromEntries(Object.keys(filters).map(k => [k, document.getElementById("filter-" + k).value]));
  const body = document.querySelector("#claims tbody"); body.replaceChildren();
  const shown = ENTRIES.filter(e => (!want.document || e.document === want.document) && (!want.tier || e.tier === want.tier)
    && (!want.verdict || e.verdict === want.verdict) && (!want.backend || e.backend === want.backend)
    && (!want.changed || (e.changed ? "yes" : "no") === want.changed));
  for (const e of shown) {
    const row = el("tr", {"data-claim": e.id, "data-tier": e.tier, class: e.changed ? "changed" : ""});
    row.append(el("td", {}, e.id), el("td", {}, e.tier), el("td", {}, e.document),
               el("td", {class: e.verdict}, e.verdict + (e.evidence === "single run" ? " (single run)" : "")
                                                   + (e.post_hoc ? " (post hoc)" : "")),
               el("td", {}, measured(e)), el("td", {}, e.changes.join("; ")));
    row.addEventListener("click", () => detail(e));
    body.append(row);
  }
  document.getElementById("shown").textContent = String(shown.length);
}
function detail(e) {
  const d = document.getElementById("detail"); d.hidden = false; d.replaceChildren();
  d.append(el("h3", {}, `${e.id} (${e.tier})`), el("p", {}, `${e.citation}: «${e.quote}»`));
  const rows = [["verdict", e.verdict], ["accepted (baseline, as it is now)", e.accepted ?? "none yet"], ["measured", measured(e)],
    ["rule", e.rule], ["why this rule", e.reason], ["ported to Keras 3", e.port],
    ["changed after a reported run (post hoc)", e.post_hoc || ""], ["seeds", fmt(e.seeds)],
    ["per seed", e.samples == null ? "" : JSON.stringify(e.samples)], ["interval", e.interval == null ? "none" : JSON.stringify(e.interval)],
    ["dropped", e.dropped && e.dropped.length ? `${fmt(e.dropped)} (${e.drop})` : ""],
    ["run", `${e.run} at commit ${e.commit}${e.dirty ? " (uncommitted changes)" : ""}, ${e.device}, options ${JSON.stringify(e.options)}`]];
  const table = el("table");
  for (const [k, v] of rows) if (v) { const r = el("tr"); r.append(el("th", {}, k), el("td", {}, v)); table.append(r); }
  d.append(table);
  if (e.history && e.history.length) {
    d.append(el("h4", {}, "Over runs (results/history.jsonl)"));
    const past = el("table", {id: "history"}); const top = el("tr");
    ["finished", "commit", "verdict", "value", "interval"].forEach(h => top.append(el("th", {}, h))); past.append(top);
    for (const r of e.history) {
      const row = el("tr");
      [r.time, r.commit, r.verdict, fmt(r.value), r.interval ? `[${fmt(r.interval[0])}, ${fmt(r.interval[1])}]` : ""]
        .forEach(v => row.append(el("td", {}, v)));
      past.append(row);
    }
    d.append(past);
  }
  if (e.plot) d.append(el("img", {src: e.plot, alt: e.id + " plot", id: "plot"}));
  d.scrollIntoView();
}
render();
</script></body></html>
"""


def entries(snapshot: Snapshot) -> tuple[list, list]:
    """-> (tier summaries, claim entries with 'changes' and 'changed' added): against the
    baselines as they are now, and since the board's previous run in the history."""
    tiers, out = [], []
    for board in BOARDS:
        scores = snapshot.boards[board]
        if not scores["claims"]:
            continue
        tiers.append({"tier": board.label, "run": scores.get("run", {}),
                      "device": scores.get("environment", {}).get("device", "")})
        since = snapshot.since_previous(board)
        notes = {}
        for cid, a, b in since.get("flipped", []):
            notes.setdefault(cid, []).append(f"flipped since the previous run: {a} -> {b}")
        for cid, how in since.get("drifted", []):
            notes.setdefault(cid, []).append(f"drifted since the previous run: {how}")
        for cid, a, b in since.get("rule_changed", []):
            notes.setdefault(cid, []).append(f"rule changed since the previous run: {a} -> {b}")
        for cid, why in since.get("stopped", []):
            notes.setdefault(cid, []).append(f"stopped running: {why}")
        by_claim = {}
        for r in history.of(snapshot.records, board):
            by_claim.setdefault(r["id"], []).append(r)
        for e in scores["claims"].values():
            changes = list(notes.get(e["id"], []))
            change = snapshot.change(board, e)
            if change == baseline.CHANGED:
                changes.insert(0, f"verdict differs from the accepted {snapshot.accepted_verdict(board, e)}")
            elif change == baseline.NEW and snapshot.accepted[board.backend]:
                changes.insert(0, f"no accepted verdict in {snapshot.baselines[board.backend].name}: review and accept it")
            past = [{"run": r["run"], "time": r["time"], "commit": r["commit"], "verdict": r["verdict"],
                     "value": r.get("value"), "interval": r.get("interval")}
                    for r in by_claim.get(e["id"], [])]
            shown = {k: v for k, v in e.items() if k not in ("change", "baseline")}  # frozen by older runs
            out.append({**shown, "tier": board.label, "backend": board.backend,
                        "accepted": snapshot.accepted_verdict(board, e),
                        "changes": changes, "changed": bool(changes), "history": past})
    return tiers, out


def write(snapshot: Snapshot, forests: dict | None = None) -> Path:
    """forests: {(board label, document): inline SVG} (harness/views/forest.py), shown in the
    page's "Forest plots" section."""
    tiers, claim_entries = entries(snapshot)
    order = {b.label: i for i, b in enumerate(BOARDS)}
    data = {"verdicts": list(VERDICTS), "documents": list(DOCUMENTS), "tiers": tiers,
            "entries": sorted(claim_entries, key=lambda e: (e["document"], e["id"], e["tier"])),
            "forests": [{"board": b, "document": d, "rows": svg.count("<a "), "svg": svg}
                        for (b, d), svg in sorted((forests or {}).items(), key=lambda kv: (kv[0][1], order[kv[0][0]]))]}
    text = json.dumps(data, sort_keys=True, default=str).replace("</", "<\\/")
    path = snapshot.root / "index.html"
    scoreboard.atomic_write(path, lambda tmp: Path(tmp).write_text(TEMPLATE.replace("__DATA__", text)))
    return path
