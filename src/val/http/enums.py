"""Every closed list in the OpenAPI document is a named component (`CaseStatus`, `AssignmentStatus`, …), so a
generated client has one type per list with a name that says what it is — never `Status1`…`Status11`, and
never two lists squeezed into one name."""

from __future__ import annotations

from typing import Any

from apispec import APISpec


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in text.replace("-", "_").split("_"))


def name_enums(spec: APISpec) -> None:
    """Move each property's inline enum into components: one component per list of values, named after the
    first schema and property that use it (`<Schema><Property>`); a nullable property keeps its null beside
    the reference."""
    schemas: dict[str, Any] = spec.components.schemas
    named: dict[tuple[str, ...], str] = {}
    for schema_name in sorted(schemas):
        for prop, body in schemas[schema_name].get("properties", {}).items():
            holder = (
                body["items"] if body.get("type") == "array" and isinstance(body.get("items"), dict) else body
            )
            values = holder.get("enum")
            if not values or holder.get("type") != "string":
                continue
            key = tuple(str(v) for v in values if v is not None)
            name = named.get(key)
            if name is None:
                name = _camel(schema_name) + _camel(prop)
                while name in schemas:
                    name += "Value"
                named[key] = name
                spec.components.schema(name, {"type": "string", "enum": list(key)})
            nullable = holder.get("nullable", False) or None in values
            kept = {k: v for k, v in holder.items() if k not in ("type", "enum", "nullable")}
            holder.clear()
            holder.update(kept)
            holder["allOf"] = [{"$ref": f"#/components/schemas/{name}"}]
            if nullable:
                holder["nullable"] = True
