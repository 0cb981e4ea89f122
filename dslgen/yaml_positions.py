"""Where a path lies in a composed YAML document: the line and column of the nearest node
that exists. For files read outside the spec loader's source maps (a seed mapping, an MCP
Toolbox tools file with several documents); the bottom of the flow, like errors.py."""
from __future__ import annotations

import yaml

from dslgen.errors import Span


class NodePositions:
    def __init__(self, root: yaml.Node | None, file: str):
        self.root, self.file = root, file

    def span(self, path: tuple, key: bool = False) -> Span:
        """`key`: point at the mapping key that names the value, not at the value."""
        node, key_node = self.root, None
        for part in path:
            if isinstance(part, int) and isinstance(node, yaml.MappingNode):
                continue  # a single item written without its list
            found = _step(node, part)
            if found is None:
                break
            key_node, node = found
        target = key_node if key and key_node is not None else node
        if target is None:
            return Span(self.file, 1, 1)
        return Span(self.file, target.start_mark.line + 1, target.start_mark.column + 1)


def _step(node, part):
    if isinstance(node, yaml.MappingNode):
        return next(((k, v) for k, v in node.value if k.value == str(part)), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return None, node.value[part]
    return None
