"""No status is written except through `val.db.transitions` (a guarded UPDATE from a transition table). Inserts
give a new record its first state; every later change must say which state it starts from."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
THE_ONE_WAY = ROOT / "src" / "val" / "db" / "transitions.py"
SOURCES = sorted(
    p
    for folder in (ROOT / "src" / "val", ROOT / "workers")
    for p in folder.rglob("*.py")
    if "migrations" not in p.parts and p != THE_ONE_WAY
)
SQL_STATUS_UPDATE = re.compile(r"\bUPDATE\b.*\bSET\b.*\bstatus\s*=", re.IGNORECASE | re.DOTALL)


def _chain_calls(node: ast.AST) -> list[str]:
    """The names of the calls a method chain is built from: `update(t).where(…).values(…)` → values, where,
    update."""
    names = []
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            func = node.func
            names.append(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
            node = func.value if isinstance(func, ast.Attribute) else func
        else:
            node = node.value
    return names


def status_writes(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
                found.append(f"line {line}: assigns .status")
        elif isinstance(node, ast.Call):
            calls = _chain_calls(node)
            if calls[:1] == ["values"] and "update" in calls:
                keys = [k.arg for k in node.keywords] + [
                    k.value
                    for d in node.args
                    if isinstance(d, ast.Dict)
                    for k in d.keys
                    if isinstance(k, ast.Constant)
                ]
                if "status" in keys:
                    found.append(f"line {line}: UPDATE … SET status")
            if calls[:1] == ["setattr"] and len(node.args) > 1:
                name = node.args[1]
                if isinstance(name, ast.Constant) and name.value == "status":
                    found.append(f"line {line}: setattr status")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL_STATUS_UPDATE.search(node.value)
        ):
            found.append(f"line {line}: SQL text sets status")
    return found


def test_every_status_is_written_through_a_guarded_transition():
    writes = {str(p.relative_to(ROOT)): found for p in SOURCES if (found := status_writes(p.read_text()))}
    assert writes == {}, "write states with val.db.transitions (guarded by the state they leave)"


def test_the_scan_finds_each_way_of_writing_a_status():
    """The scan itself can fail: each of these is a write it must see."""
    samples = [
        "case.status = 'closed'",
        "session.execute(update(Case).where(Case.id == i).values(status='closed'))",
        "update(t).where(c).values({'status': 'x'})",
        "setattr(case, 'status', 'closed')",
        "text('UPDATE cases SET status = :s WHERE id = :i')",
    ]
    assert [len(status_writes(sample)) for sample in samples] == [1] * len(samples)
    assert status_writes("insert(t).values(status='pending')") == [], "a first state is not a change"
