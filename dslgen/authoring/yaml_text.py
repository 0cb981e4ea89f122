"""YAML as a person would write it: multi-line text (SQL) as `|` blocks, small mappings such as
a parameter's schema on one line, keys in the order given."""
from __future__ import annotations

from typing import Any

import yaml


class Flow(dict):
    """A mapping written on one line: `{type: string, description: …}`."""


class FlowList(list):
    """A list written on one line: `[open, shipped]`."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True  # a value used twice is written twice, never as &anchor/*alias

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # lists indented under their key


def _str(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else None
    if style is None and "'" in text:
        plain = dumper.analyze_scalar(text)
        if not (plain.allow_flow_plain and plain.allow_block_plain):
            style = '"'  # "it's" reads better than 'it''s'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _flow(dumper: yaml.SafeDumper, data: Flow):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, data: FlowList):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Flow, _flow)
_Dumper.add_representer(FlowList, _flow_list)


def dump(data: Any, header: str = "", spaced: bool = True) -> str:
    """YAML text; `header` becomes leading `#` comment lines; `spaced`: a blank line between
    the items of a list under a top-level key (tools, tasks)."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                     default_flow_style=False)
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    return comments + (_spaced(body) if spaced else body)


def _spaced(body: str) -> str:
    """A blank line between the items of a list under a top-level key (tools, tasks), for reading."""
    lines, out = body.splitlines(), []
    for i, line in enumerate(lines):
        if line.startswith("  - ") and i > 1 and not lines[i - 1].endswith(":") \
                and not lines[i - 1].startswith("  - "):
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"
