"""The run report: Table-1 statistics, acceptance by reason, turn and tool-use histograms and
every dialogue, as one static HTML page (inline SVG, inline CSS, no network) or as text."""
from __future__ import annotations

import json
from collections import Counter
from html import escape
from pathlib import Path

from dslgen.export.reasons import acceptance, rejection_reasons
from dslgen.validate.report import table1
from dslgen.export.svg import horizontal_bars, vertical_bars

REPORT_FILE = "report.html"


def tool_names(record: dict) -> list[str]:
    """The tools a dialogue called, in call order (with repeats)."""
    return [c["function"]["name"] for m in record["messages"] for c in m.get("tool_calls") or []]


def figures(records: list[dict]) -> dict:
    """Everything the report shows, as data."""
    turns = Counter(r["stats"]["turns"] for r in records)
    tools = Counter(name for r in records for name in tool_names(r))
    every_count = range(min(turns, default=0), max(turns, default=-1) + 1)  # a histogram has no gaps
    return {"acceptance": acceptance(records), "table1": table1(records),
            "turns": {t: turns[t] for t in every_count}, "tool_calls": dict(tools.most_common())}


def text_report(records: list[dict]) -> str:
    f = figures(records)
    a = f["acceptance"]
    lines = [f"{a['generated']} generated, {a['accepted']} accepted, {a['rejected']} rejected"]
    lines += [f"  {n:>5}  {reason}" for reason, n in a["reasons"].items()]
    for mode, s in f["table1"].items():
        cells = ", ".join(f"{k} {s[k]['mean']:.2f} mean / {s[k]['max']} max" for k in ("turns", "steps", "tasks"))
        lines.append(f"{mode}: {s['dialogues']} dialogues; {cells}")
    lines.append("tool calls: " + (", ".join(f"{t} {n}" for t, n in f["tool_calls"].items()) or "none"))
    return "\n".join(lines)


def write_html(records: list[dict], path: Path, title: str, subtitle: str = "") -> Path:
    path.write_text(html_page(records, title, subtitle), encoding="utf-8")
    return path


def html_page(records: list[dict], title: str, subtitle: str = "") -> str:
    f = figures(records)
    a = f["acceptance"]
    plots = [
        horizontal_bars([("accepted", a["accepted"]), ("rejected", a["rejected"])], "Acceptance"),
        horizontal_bars(list(a["reasons"].items()), "Rejected dialogues by reason"),
        vertical_bars([(str(t), n) for t, n in f["turns"].items()], "Turns per dialogue", "user turns", "dialogues"),
        horizontal_bars(list(f["tool_calls"].items()), "Tool calls by tool"),
    ]
    return _PAGE.format(
        title=escape(title), subtitle=escape(subtitle),
        summary=f"{a['generated']} generated · {a['accepted']} accepted · {a['rejected']} rejected",
        table1=_table1(f["table1"]), plots="\n".join(f'<figure>{p}</figure>' for p in plots),
        dialogues="\n".join(_dialogue(r) for r in records), script=_SCRIPT, style=_STYLE)


def _table1(stats: dict) -> str:
    head = "<tr><th>mode</th><th>dialogues</th><th>turns mean / max</th><th>steps mean / max</th><th>tasks mean / max</th></tr>"
    rows = [f"<tr><td>{escape(mode)}</td><td>{s['dialogues']}</td>" +
            "".join(f"<td>{s[k]['mean']:.2f} / {s[k]['max']}</td>" for k in ("turns", "steps", "tasks")) + "</tr>"
            for mode, s in stats.items()]
    return f"<table>{head}{''.join(rows)}</table>"


def _dialogue(r: dict) -> str:
    valid = r["validation"]["valid"]
    reasons, tools = rejection_reasons(r), sorted(set(tool_names(r)))
    tasks = [t.get("id", "") for t in r.get("task", [])]
    attrs = (f'data-status="{"accepted" if valid else "rejected"}" '
             f'data-text="{escape(" ".join([r["id"], *reasons, *tasks, *tools]).lower())}"')
    badge = '<span class="ok">accepted</span>' if valid else '<span class="bad">rejected</span>'
    summary = (f"{badge} <code>{escape(r['id'])}</code> · {r['stats']['turns']} turns · "
               f"tasks: {escape(', '.join(tasks))} · tools: {escape(', '.join(tools) or 'none')}")
    why = "".join(f"<li>{escape(x)}</li>" for x in reasons)
    body = "".join(_message(m) for m in r["messages"])
    return (f'<details class="dialogue" {attrs}><summary>{summary}</summary>'
            f'{f"<ul class=reasons>{why}</ul>" if why else ""}{body}</details>')


def _message(m: dict) -> str:
    role = m["role"]
    text = escape(m.get("content") or "")
    calls = "".join(f'<div class="call">→ {escape(c["function"]["name"])}'
                    f'({escape(arguments_text(c["function"]["arguments"]))})</div>' for c in m.get("tool_calls") or [])
    label = f"tool {escape(m.get('name', ''))}" if role == "tool" else role
    return f'<div class="msg {role}"><b>{label}</b>{f"<pre>{text}</pre>" if text else ""}{calls}</div>'


def arguments_text(arguments) -> str:
    try:
        value = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError:
        return str(arguments)
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in value.items())


_STYLE = """
body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
td:first-child,th:first-child{text-align:left}
.plots{display:flex;flex-wrap:wrap;gap:1.5em}figure{margin:0}
.dialogue{border:1px solid #ddd;border-radius:4px;margin:.4em 0;padding:.3em .6em}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#b42318;font-weight:bold}
.msg{margin:.4em 0;padding:.3em .6em;border-left:4px solid #aaa}.msg pre{white-space:pre-wrap;margin:.2em 0}
.msg.user{border-color:#3b6ea5}.msg.assistant{border-color:#1a7f37}.msg.tool{border-color:#b7791f;background:#fbf7ef}
.msg.system{border-color:#888;background:#f5f5f5}.call{font-family:monospace}.reasons{color:#b42318}
#filters{margin:1em 0}
"""

_SCRIPT = """
function applyFilters(){
  var q=document.getElementById('q').value.toLowerCase(), s=document.getElementById('status').value, shown=0;
  document.querySelectorAll('.dialogue').forEach(function(d){
    var ok=(!s||d.dataset.status===s)&&(!q||d.dataset.text.indexOf(q)>=0);
    d.style.display=ok?'':'none'; if(ok) shown++;});
  document.getElementById('count').textContent=shown+' shown';
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{style}</style></head>
<body>
<h1>{title}</h1><p>{subtitle}</p><p><b>{summary}</b></p>
<h2>Statistics (Table 1)</h2>{table1}
<h2>Plots</h2><div class="plots">{plots}</div>
<h2>Dialogues</h2>
<div id="filters"><input id="q" placeholder="filter: id, reason, task, tool" oninput="applyFilters()">
<select id="status" onchange="applyFilters()"><option value="">all</option><option value="accepted">accepted</option>
<option value="rejected">rejected</option></select> <span id="count"></span></div>
{dialogues}
<script>{script}</script>
</body></html>
"""
