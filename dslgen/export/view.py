"""`dslgen view`: a run's dialogues in the terminal, filtered; a table of the matches, and the
transcripts of those asked for (plain text when the output is not a terminal)."""
from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dslgen.export.report import arguments_text, tool_names
from dslgen.export.reasons import rejection_reasons

SYSTEM_SHOWN = 300  # characters of the system prompt a transcript shows
ROLE_STYLE = {"system": "dim", "user": "bold blue", "assistant": "bold green", "tool": "yellow"}


@dataclass(frozen=True)
class Filter:
    status: str | None = None  # accepted | rejected
    reason: str | None = None  # part of a rejection reason
    task: str | None = None  # a task id
    tool: str | None = None  # a tool the dialogue called
    id: str | None = None  # part of the dialogue id

    def matches(self, r: dict) -> bool:
        valid = r["validation"]["valid"]
        return all((
            self.status is None or (self.status == "accepted") == valid,
            self.reason is None or any(self.reason in x for x in rejection_reasons(r)),
            self.task is None or self.task in [t.get("id") for t in r.get("task", [])],
            self.tool is None or self.tool in tool_names(r),
            self.id is None or self.id in r["id"],
        ))


def view(records: list[dict], flt: Filter, console: Console, show: bool, limit: int) -> int:
    """Print the matching dialogues (a table; transcripts when `show`); returns how many matched."""
    found = [r for r in records if flt.matches(r)]
    console.print(_table(found[:limit], len(found)))
    if show:
        for r in found[:limit]:
            transcript(r, console)
    return len(found)


def _table(records: list[dict], total: int) -> Table:
    table = Table(title=f"{total} dialogue(s)" + (f", first {len(records)} shown" if total > len(records) else ""))
    for col in ("id", "status", "turns", "tasks", "tools", "reasons"):
        table.add_column(col, overflow="fold")
    for r in records:
        valid = r["validation"]["valid"]
        table.add_row(r["id"], "[green]accepted[/]" if valid else "[red]rejected[/]", str(r["stats"]["turns"]),
                      ", ".join(t.get("id", "") for t in r.get("task", [])),
                      ", ".join(sorted(set(tool_names(r)))), escape("; ".join(rejection_reasons(r))))
    return table


def transcript(r: dict, console: Console) -> None:
    console.rule(f"{escape(r['id'])} ({'accepted' if r['validation']['valid'] else 'rejected'}, "
                 f"ended: {r['termination']['reason']})")
    for m in r["messages"]:
        style = ROLE_STYLE.get(m["role"], "")
        who = f"tool {m.get('name', '')}" if m["role"] == "tool" else m["role"]
        text = m.get("content") or ""
        if m["role"] == "system" and len(text) > SYSTEM_SHOWN:  # the same long prompt in every dialogue
            text = text[:SYSTEM_SHOWN] + " …"
        if text:
            console.print(f"[{style}]{who}:[/] {escape(text)}")
        for c in m.get("tool_calls") or []:
            args = escape(arguments_text(c["function"]["arguments"]))
            console.print(f"[{style}]{who} calls[/] {c['function']['name']}({args})")
    for reason in rejection_reasons(r):
        console.print(f"[red]rejected:[/] {escape(reason)}")
