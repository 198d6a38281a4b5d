"""The world layer is the lowest: nothing under ``tradewar/world`` imports a higher layer.

Layout (BRIEF/README): world < analysis < policy < model < runs < strategy < report < cli;
the calibration report once imported ``tradewar.analysis`` for self-sufficiency (issue 9).
"""

from __future__ import annotations

import ast
from pathlib import Path

import tradewar.world

HIGHER = ("analysis", "policy", "model", "runs", "strategy", "report", "cli")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def test_world_imports_no_higher_layer() -> None:
    root = Path(tradewar.world.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 10
    upward = [
        f"{p.relative_to(root)}: {m}"
        for p in files
        for m in _imports(p)
        if m.startswith("tradewar.") and m.split(".")[1] in HIGHER
    ]
    assert upward == []
