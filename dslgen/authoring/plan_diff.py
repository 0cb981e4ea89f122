"""What a change to a spec does to its compiled plan, as a review comment.

Works on the plan JSON (`dslgen compile`), generically: every top-level section of the plan is
compared; a list of objects is matched item by item on its identity (a tool's `name`, a
task's `id`, a stage's kind), anything else leaf by leaf. A field the plan gains later shows
up here with no change to this module.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

IDENTITY_KEYS = ("name", "id", "stage", "kind")  # what names an item of a list, first found wins
SHORT = 100  # values longer than this (as JSON) are shown as a line diff


@dataclass
class Change:
    path: str  # e.g. parameters.properties.reason.enum
    old: Any
    new: Any


@dataclass
class ItemDiff:
    identity: str
    status: str  # added | removed | changed
    summary: str = ""  # for added/removed items: a short description
    changes: list[Change] = field(default_factory=list)


@dataclass
class SectionDiff:
    name: str
    items: list[ItemDiff] = field(default_factory=list)  # for lists of named objects
    changes: list[Change] = field(default_factory=list)  # for anything else

    def __bool__(self) -> bool:
        return bool(self.items or self.changes)


_ABSENT = object()


def diff_plans(old: dict, new: dict) -> list[SectionDiff]:
    """Sections of the plan that differ, in the new plan's order."""
    keys = list(new) + [k for k in old if k not in new]
    out = []
    for key in keys:
        section = _section(key, old.get(key, _ABSENT), new.get(key, _ABSENT))
        if section:
            out.append(section)
    return out


def _section(name: str, old: Any, new: Any) -> SectionDiff:
    ids_old, ids_new = _identified(old), _identified(new)
    if ids_old is not None and ids_new is not None:
        return SectionDiff(name, items=_items(ids_old, ids_new))
    return SectionDiff(name, changes=leaf_changes(old, new, ""))


def _identified(value: Any) -> dict[str, Any] | None:
    """A list of objects keyed by identity (repeats get #2, #3…), or None if it is not one."""
    if value is _ABSENT:
        return {}
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return None
    key = next((k for k in IDENTITY_KEYS if value and all(k in v for v in value)), None)
    if key is None:
        return None if value else {}
    out: dict[str, Any] = {}
    for item in value:
        base = str(item[key])
        n = sum(1 for k in out if k == base or k.startswith(base + " #"))
        out[base if n == 0 else f"{base} #{n + 1}"] = item
    return out


def _items(old: dict[str, Any], new: dict[str, Any]) -> list[ItemDiff]:
    out = []
    for ident in list(new) + [k for k in old if k not in new]:
        if ident not in old:
            out.append(ItemDiff(ident, "added", _summary(new[ident])))
        elif ident not in new:
            out.append(ItemDiff(ident, "removed", _summary(old[ident])))
        else:
            changes = leaf_changes(old[ident], new[ident], "")
            if changes:
                out.append(ItemDiff(ident, "changed", changes=changes))
    return out


def _summary(item: dict) -> str:
    for key in ("description", "goal"):
        if isinstance(item.get(key), str):
            return _one_line(item[key])
    return ""


def leaf_changes(old: Any, new: Any, path: str) -> list[Change]:
    """Every differing leaf, with its dotted path; lists of differing length compare whole."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for k in list(new) + [k for k in old if k not in new]:
            out += leaf_changes(old.get(k, _ABSENT), new.get(k, _ABSENT), f"{path}.{k}" if path else str(k))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and \
            any(isinstance(v, (dict, list)) for v in old + new):
        out = []
        for i, (a, b) in enumerate(zip(old, new)):
            out += leaf_changes(a, b, f"{path}[{i}]")
        return out
    return [Change(path, None if old is _ABSENT else old, None if new is _ABSENT else new)]


def render_markdown(sections: list[SectionDiff], old_label: str, new_label: str, title: str) -> str:
    head = [f"### dslgen diff: {title}", "", f"`{old_label}` → `{new_label}`", ""]
    if not sections:
        return "\n".join(head + ["No change to the compiled plan."])
    body = []
    for s in sections:
        body += _render_section(s) + [""]
    return "\n".join(head + body).rstrip() + "\n"


def _render_section(s: SectionDiff) -> list[str]:
    title = s.name.replace("_", " ").capitalize()
    if len(s.changes) == 1 and not s.changes[0].path:  # a plain value
        first, *rest = _render_change(s.changes[0], "", f"**{title}**")
        return [first[2:], *rest]
    if s.changes:
        return [f"**{title}** changed", *[line for c in s.changes for line in _render_change(c, "")]]
    counts = {st: sum(1 for i in s.items if i.status == st) for st in ("added", "removed", "changed")}
    tally = ", ".join(f"{n} {st}" for st, n in counts.items() if n)
    lines = [f"**{title}**: {tally}"]
    for item in s.items:
        lines.append(f"- {item.status} `{item.identity}`" + (f": {item.summary}" if item.summary else ""))
        for c in item.changes:
            lines += _render_change(c, "  ")
    return lines


def _render_change(c: Change, indent: str, label: str = "value") -> list[str]:
    where = f"`{c.path}`" if c.path else label
    old, new = _text(c.old), _text(c.new)
    if c.old is None:
        return [f"{indent}- {where} added: {_inline(new)}"] if len(new) <= SHORT and "\n" not in new else \
            [f"{indent}- {where} added:", *_block(difflib.unified_diff([], new.splitlines(), lineterm="", n=2), indent)]
    if c.new is None:
        return [f"{indent}- {where} removed (was {_inline(_clip(old))})"]
    if max(len(old), len(new)) <= SHORT and "\n" not in old + new:
        return [f"{indent}- {where}: {_inline(old)} → {_inline(new)}"]
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
    return [f"{indent}- {where}:", *_block(lines, indent)]


def _block(lines, indent: str) -> list[str]:
    body = [ln for ln in lines if not ln.startswith(("---", "+++", "@@"))]
    return [f"{indent}  ```diff", *[f"{indent}  {ln}" for ln in body], f"{indent}  ```"]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    compact = json.dumps(value, ensure_ascii=False)
    return compact if len(compact) <= SHORT else json.dumps(value, indent=2, ensure_ascii=False)


def _inline(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"<code>{text}</code>"


def _clip(text: str, n: int = 60) -> str:
    text = _one_line(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
