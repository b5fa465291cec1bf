"""Splits a markdown file into YAML front matter and body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from lms.courses.engine.safety import yaml_depth_problem


class FrontMatterError(ValueError):
    """Bad front matter, with the 1-based line it was found on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Document:
    meta: dict
    key_lines: dict[str, int]  # front-matter key -> 1-based line
    body: str
    body_line: int  # 1-based line number of the body's first line
    lines: dict[str, int] = field(default_factory=dict)


def parse_document(text: str) -> Document:
    """Parse `---`-delimited YAML front matter (optional) and the markdown body."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return Document(meta={}, key_lines={}, body=text, body_line=1)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise FrontMatterError(1, "front matter starts with '---' but never ends")
    source = "\n".join(lines[1:end])
    if (deep := yaml_depth_problem(source)) is not None:
        raise FrontMatterError(deep[0] + 2, deep[1])
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(source) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(line, f"bad YAML: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "front matter must be a mapping of `key: value` lines")
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    body = "\n".join(lines[end + 1 :])
    return Document(meta=meta, key_lines=key_lines, body=body, body_line=end + 2)
