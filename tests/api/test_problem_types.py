"""Every problem's `type` opens a page VAL serves that says what it means and what to do."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import auth
from val.app import create_app
from val.auth.roles import Role
from val.errors import DomainError
from val.http.problem_types import VAL_TYPES, described, slug_of

SRC = Path(__file__).parents[2] / "src" / "val"


def _named_types() -> set[str]:
    """Every `problem_type="…"` VAL's code names, and every refusal class's title."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "problem_type"
                and isinstance(node.value, ast.Constant)
            ):
                found.add(node.value.value)
    # A refusal's type is its title's slug; every 422 is the one type `validation`.
    found |= {
        "validation" if kind.status == 422 else slug_of(kind.title) for kind in _subclasses(DomainError)
    }
    return found


def _subclasses(kind: type) -> set[type]:
    return {kind} | {deep for sub in kind.__subclasses__() for deep in _subclasses(sub)}


def test_every_problem_type_val_names_has_a_page(client):
    for slug in sorted(_named_types() | set(VAL_TYPES)):
        assert described(slug) is not None, slug
        page = client.get(f"/problems/{slug}")
        assert page.status_code == 200 and page.mimetype == "text/html", slug
        assert "What to do" in page.get_data(as_text=True)
    assert client.get("/problems/no-such-problem").status_code == 404
    assert "Validation failed" in client.get("/problems").get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "method", "role"),
    [
        ("/api/v1/cases", "get", None),  # 401
        ("/api/v1/cases", "get", Role.BOARD),  # 403
        ("/api/v1/cases/00000000-0000-0000-0000-000000000000", "get", Role.COORDINATOR),  # 404
        ("/api/v1/referrals", "post", Role.INTAKE),  # 422
        ("/api/v1/referrals", "put", Role.INTAKE),  # 405
    ],
)
def test_the_type_of_a_real_answer_opens_its_page(client, make_key, path, method, role):
    headers = auth(make_key(role)) if role else {}
    answer = getattr(client, method)(path, json={}, headers=headers)
    assert answer.status_code >= 400 and answer.mimetype == "application/problem+json"
    kind = answer.get_json()["type"]
    assert kind.startswith("/problems/")
    page = client.get(kind)
    assert page.status_code == 200 and answer.get_json()["title"] in page.get_data(as_text=True)


def test_with_a_public_base_url_the_type_is_absolute(database):
    app = create_app(
        overrides={"database_url": database.url, "public_base_url": "https://val.example.police.uk"}
    )
    try:
        kind = app.test_client().get("/api/v1/cases").get_json()["type"]
    finally:
        app.extensions["val"].db.dispose()
    assert kind == "https://val.example.police.uk/problems/unauthorized"
