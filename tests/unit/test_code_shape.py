"""The shape the code keeps (docs/architecture.md): small modules, short functions, and no service that
commits or rolls back — the entry point owns the transaction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "val"
MODULES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_is_two_rooms_in_one(path: Path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_is_longer_than_a_screen(path: Path):
    long = [
        f"{f.name} ({f.end_lineno - f.lineno + 1} lines)"
        for f in _functions(ast.parse(path.read_text()))
        if f.end_lineno is not None and f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


SERVICE_MODULES = [p for p in MODULES if p.parent != SRC and p.parent.name not in ("cli", "http", "db")]


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_service_commits_or_rolls_back(path: Path):
    calls = [
        f"line {node.lineno}: {node.func.attr}()"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]
    assert calls == [], "the entry point (request, task, CLI command) owns the transaction"


def test_the_intake_use_case_reads_like_a_table_of_contents():
    tree = ast.parse((SRC / "referrals" / "service.py").read_text())
    accept = next(f for f in _functions(tree) if f.name == "accept_referral")
    assert accept.end_lineno is not None and accept.end_lineno - accept.lineno + 1 <= 40
