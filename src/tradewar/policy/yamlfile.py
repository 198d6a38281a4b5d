"""Read YAML while remembering the line of every key, and reject duplicate keys.

PyYAML's ``safe_load`` forgets where values came from and silently keeps the last of two
duplicate keys. Scenario errors must name the line, so :func:`load_yaml` walks the node
tree itself: scalars are built by PyYAML's safe constructor (so ``2026-01-01`` is still
a date and ``25`` an int), mappings and sequences are built here, and the line (1-based)
of each value is recorded under its path, e.g. ``("measures", 2, "sectors")``.

Reading is bounded (see :mod:`tradewar.limits`): files up to
:data:`~tradewar.limits.MAX_SCENARIO_BYTES`, UTF-8 only, at most
:data:`~tradewar.limits.MAX_YAML_ALIASES` aliases and
:data:`~tradewar.limits.MAX_YAML_NODES` values with aliases expanded, so a "billion
laughs" file is refused in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tradewar.errors import DataError, ScenarioError
from tradewar.limits import MAX_SCENARIO_BYTES, LimitedSafeLoader, read_text_limited

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LocatedYaml:
    """A parsed YAML document and the line of each path in it.

    Attributes
    ----------
    data: the document as plain Python objects.
    lines: 1-based line of the value at each path (the key's line for mapping entries).
    file: where the text came from.
    """

    data: Any
    lines: Mapping[Path_, int] = field(default_factory=dict)
    file: str = "<string>"

    def line(self, path: Path_) -> int | None:
        """Line of ``path`` or of its closest recorded parent; None if unknown."""
        p = tuple(path)
        while True:
            if p in self.lines:
                return self.lines[p]
            if not p:
                return None
            p = p[:-1]

    def where(self, path: Path_) -> str:
        """``"FILE, line N"`` for error messages."""
        n = self.line(path)
        return f"{self.file}, line {n}" if n is not None else self.file


def _walk(loader: LimitedSafeLoader, node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    loader.count_node()
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and len(path) > 64:
        raise ScenarioError(
            "values nested more than 64 levels deep (or an alias that contains itself)",
            file=f"{file}, line {node.start_mark.line + 1}",
            fix="write the values out plainly",
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError(
                    "YAML merge keys ('<<') are not allowed in scenario files",
                    file=f"{file}, line {key_node.start_mark.line + 1}",
                    field=".".join(str(p) for p in path) or None,
                    fix="write the keys out, or use `include:` to reuse another scenario",
                )
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                raise ScenarioError(
                    f"mapping key {key!r} is not a string or a year",
                    file=f"{file}, line {key_node.start_mark.line + 1}",
                    fix="use plain words (or years) as keys",
                )
            if key in out:
                first = lines.get((*path, key))
                raise ScenarioError(
                    f"duplicate key {key!r} (first given on line {first})",
                    file=f"{file}, line {key_node.start_mark.line + 1}",
                    field=".".join(str(p) for p in (*path, key)),
                    fix="give each key once; the second value would silently replace the first",
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _walk(loader, value_node, (*path, key), lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, v, (*path, i), lines, file) for i, v in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as err:  # e.g. a date such as 2026-13-45
        raise ScenarioError(
            f"{node.value!r} cannot be read ({err})",
            file=f"{file}, line {node.start_mark.line + 1}",
            field=".".join(str(p) for p in path) or None,
            fix="quote values that are not meant as dates or numbers, and check dates (YYYY-MM-DD)",
        ) from None


def load_yaml_text(text: str, file: str = "<string>") -> LocatedYaml:
    """Parse one YAML document from ``text``; see the module docstring.

    Raises
    ------
    ScenarioError
        On a YAML syntax error (with its line), a duplicate key or a merge key.
    """
    try:
        loader = LimitedSafeLoader(text)
    except yaml.YAMLError as err:  # the reader refuses control characters up front
        raise ScenarioError(f"not valid YAML text: {err}", file=file, fix=_TEXT_FIX) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return LocatedYaml(data=None, lines={}, file=file)
        lines: dict[Path_, int] = {}
        data = _walk(loader, node, (), lines, file)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(
            f"not valid YAML: {err.problem or err}",
            file=f"{file}{line}",
            fix="check indentation and that lists start with '- ' (a YAML linter helps)",
        ) from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"not valid YAML: {err}", file=file, fix=_TEXT_FIX) from None
    except RecursionError:
        raise ScenarioError(
            "values nested too deeply", file=file, fix="write the values out plainly"
        ) from None
    except (ValueError, TypeError, OverflowError) as err:  # e.g. a date such as 2026-13-45
        raise ScenarioError(
            f"a value cannot be read ({err})",
            file=file,
            fix="quote values that are not meant as dates or numbers, and check dates (YYYY-MM-DD)",
        ) from None
    finally:
        loader.dispose()
    return LocatedYaml(data=data, lines=lines, file=file)


_TEXT_FIX = "save the file as plain UTF-8 text (no control characters) and check its YAML"


def load_yaml(path: str | Path) -> LocatedYaml:
    """Read and parse the YAML file at ``path`` (see :func:`load_yaml_text`)."""
    p = Path(path)
    try:
        text = read_text_limited(p, MAX_SCENARIO_BYTES, "the scenario file")
    except DataError as err:
        raise ScenarioError(
            err.message,
            file=str(p),
            fix=err.fix or "check the path, or run `tradewar scenarios list` for the built-in names",
        ) from None
    return load_yaml_text(text, file=str(p))
