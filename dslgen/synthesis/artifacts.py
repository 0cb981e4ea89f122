"""What synthesis writes: admitted tasks as a tasks.yaml and admitted tools as a tools.yaml
fragment a person can review and commit, and rejected proposals as JSON lines beside them."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style, except short lists of plain values (a row, a list of ids) stay on one line."""


def _list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    flat = all(not isinstance(i, (list, dict)) for i in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text.strip() else None  # SQL over several lines stays readable
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(str, _str)


def tasks_yaml(tasks: Iterable, header: str = "") -> str:
    """`tasks:` with each TaskSpec as written by hand (defaults left out)."""
    return _yaml({"tasks": [t.model_dump(exclude_defaults=True) for t in tasks]}, header)


def tools_yaml(tools: Iterable, header: str = "") -> str:
    """`tools:` with each ToolSpec as written by hand (defaults left out)."""
    return _yaml({"tools": [t.model_dump(exclude_defaults=True) for t in tools]}, header)


def _yaml(data: dict, header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    return "\n".join(lines + [body])


def rejected_path(output: str | Path) -> Path:
    """`tasks_tau_bench.yaml` → `tasks_tau_bench.rejected.jsonl`."""
    output = Path(output)
    return output.with_name(output.stem + ".rejected.jsonl")
