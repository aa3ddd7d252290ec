"""A Board figure's CSV form: its own path, declared as text/csv alone, so a client generated from the OpenAPI
document reads it as text (one operation with both forms would be parsed as JSON whatever came back)."""

from __future__ import annotations

from typing import Any

from flask import Response

CSV_ANSWER: dict[str, Any] = {
    "description": "CSV (RFC 4180), UTF-8, with a header line",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


def csv_download(text: str, filename: str) -> Response:
    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"}
    )
