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
            holder = body["items"] if _is(body, "array") and isinstance(body.get("items"), dict) else body
            values = holder.get("enum")
            if not values or not _is(holder, "string"):
                continue
            key = tuple(str(v) for v in values if v is not None)
            name = named.get(key)
            if name is None:
                name = _camel(schema_name) + _camel(prop)
                while name in schemas:
                    name += "Value"
                named[key] = name
                spec.components.schema(name, {"type": "string", "enum": list(key)})
            nullable = None in values or _is(holder, "null")
            kept = {k: v for k, v in holder.items() if k not in ("type", "enum", "nullable")}
            holder.clear()
            holder.update(kept)
            reference = {"$ref": f"#/components/schemas/{name}"}
            # OpenAPI 3.1 (JSON Schema): the list, or null — the one idiom every nullable reference uses.
            if nullable:
                holder["anyOf"] = [reference, {"type": "null"}]
            else:
                holder["allOf"] = [reference]


def _is(schema: dict[str, Any], kind: str) -> bool:
    """Whether a schema's `type` is `kind` or includes it (`["string", "null"]`)."""
    declared = schema.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)
