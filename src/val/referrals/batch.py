"""Batches, as police record systems export them: every good record accepted, every bad one reported by
line and field, and one bad record never blocks the rest (each record is its own transaction)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import marshmallow as ma
from marshmallow import fields

from val.auth.roles import Principal
from val.cases.matching import MatchKeyer
from val.db.deferred import deferred_inserts
from val.http.problems import flatten_messages
from val.referrals.domain import Referral
from val.referrals.schemas import ReferralSchema
from val.referrals.service import accept_referral, prepare_batch, source_refusal
from val.rulebook import Rulebook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class RecordError:
    """A record that could not even be read (bad JSON): reported like a validation failure."""

    errors: list[dict[str, str]]


@dataclass
class BatchResult:
    """Every record's answer, counted as it comes. `keep` says which answers are kept whole: all of them for
    a batch sent over HTTP (answered record by record), only the rejected ones for `val import` (a year's file
    would otherwise be held in memory twice over)."""

    results: list[dict[str, Any]] = field(default_factory=list)
    keep: Callable[[dict[str, Any]], bool] = lambda _answer: True
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "duplicate": 0, "rejected": 0})

    def add(self, answers: Iterable[dict[str, Any]]) -> None:
        for answer in answers:
            self.counts[answer["outcome"]] += 1
            if self.keep(answer):
                self.results.append(answer)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": sum(self.counts.values()),
            "created": self.counts["created"],
            "duplicates": self.counts["duplicate"],
            "rejected": self.counts["rejected"],
            "results": self.results,
        }


def rejected_only() -> BatchResult:
    return BatchResult(keep=lambda answer: answer["outcome"] == "rejected")


def parse_json_array(text: str) -> list[tuple[int, Any]]:
    """Records of a JSON array, numbered from 1 in the order sent."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # Python reads no integer of more than 4,300 digits
        raise ValueError("a number in it has more than 4,300 digits") from None
    if not isinstance(data, list):
        raise ValueError("a JSON batch must be an array of referrals")
    return list(enumerate(data, start=1))


def parse_ndjson(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """One referral per line; blank lines are skipped but still counted, so line numbers match the file."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RecordError([{"field": "(line)", "detail": f"Not valid JSON: {exc.msg}."}])
        except (ValueError, RecursionError):  # a number too large to read, nesting too deep
            yield number, RecordError([{"field": "(line)", "detail": "Not valid JSON."}])


def _columns(schema: ma.Schema, prefix: str = "") -> dict[str, fields.Field[Any]]:
    """Every dotted column of the referral contract and its field."""
    found: dict[str, fields.Field[Any]] = {}
    for name, schema_field in schema.fields.items():
        path = prefix + (schema_field.data_key or name)
        if isinstance(schema_field, fields.Nested):
            found |= _columns(schema_field.schema, path + ".")
        else:
            found[path] = schema_field
    return found


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def _cell_value(cell: str, schema_field: fields.Field[Any] | None) -> Any:
    """A CSV cell is text; JSON intake is typed strictly, so typed columns are read as their type here. A cell
    that is not what its column needs is passed on unchanged, for validation to name it."""
    if isinstance(schema_field, fields.List):
        return [v.strip() for v in cell.split(LIST_SEPARATOR) if v.strip()]
    if isinstance(schema_field, fields.Boolean):
        lowered = cell.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else cell
    if isinstance(schema_field, fields.Integer) and cell.lstrip("-").isdigit():
        return int(cell)
    return cell


LIST_SEPARATOR = ";"


def csv_rows(stream: io.TextIOBase) -> Iterator[dict[str, str | None]]:
    """The CSV's data rows (a quoted cell may hold a line break, so lines are not rows)."""
    yield from csv.DictReader(stream)


def parse_csv(stream: io.TextIOBase) -> Iterator[tuple[int, Any]]:
    """CSV with dotted column names (`victim.date_of_birth`). Empty cells are absent fields; list columns
    (`offence.flags`) hold values separated by ';'; yes/no columns take true/false (or yes/no, 1/0)."""
    columns = _columns(ReferralSchema())
    reader = csv.DictReader(stream)
    for row in reader:
        record: dict[str, Any] = {}
        for column, cell in row.items():
            if column is None or cell is None:
                continue
            column, cell = column.strip(), cell.strip()
            schema_field = columns.get(column)
            if cell == "" and not isinstance(schema_field, fields.List):
                continue
            value = _cell_value(cell, schema_field)
            target = record
            *parents, leaf = column.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        # A dotted path whose parent is absent (e.g. no risk columns filled) stays absent.
        yield reader.line_num, record


UnitOfWork = Callable[[], AbstractContextManager["Session"]]


def import_records(
    unit_of_work: UnitOfWork,
    principal: Principal,
    records: Iterable[tuple[int, Any]],
    rulebook: Rulebook,
    request_id: str | None = None,
    on_records: Callable[[int], None] | None = None,
    repeat_keyer: MatchKeyer | None = None,
    records_per_transaction: int = 1,
    into: BatchResult | None = None,
) -> BatchResult:
    """Invalid records are reported and never reach the database. Valid ones are committed
    `records_per_transaction` at a time: one over HTTP (each answer is final when sent), more for a file
    import, where a commit per record was a tenth of the time. A chunk is validated before its transaction
    begins, so a transaction holds the database (SQLite's one writer) only while it writes. A database failure
    rolls back the records of its transaction only, and stops the import; importing the file again creates
    no case twice."""
    schema = ReferralSchema()
    result = into if into is not None else BatchResult()
    for chunk in chunks(records, records_per_transaction):
        checked = validate_chunk(schema, chunk)
        answers = write_chunk(unit_of_work, principal, checked, rulebook, request_id, repeat_keyer)
        result.add(answers)
        if on_records is not None:
            on_records(len(answers))
    return result


@dataclass
class CheckedChunk:
    """A chunk after validation: the answer of each rejected record by its index, and the valid ones."""

    lines: list[int]
    answers: dict[int, dict[str, Any]]
    valid: list[tuple[int, Referral]]


def validate_chunk(schema: ReferralSchema, chunk: list[tuple[int, Any]]) -> CheckedChunk:
    checked = CheckedChunk([line for line, _ in chunk], {}, [])
    for index, (line, raw) in enumerate(chunk):
        referral, errors = _validated(schema, raw)
        if referral is None:
            checked.answers[index] = {"line": line, "outcome": "rejected", "errors": errors}
        else:
            checked.valid.append((index, referral))
    return checked


def write_chunk(
    unit_of_work: UnitOfWork,
    principal: Principal,
    checked: CheckedChunk,
    rulebook: Rulebook,
    request_id: str | None = None,
    repeat_keyer: MatchKeyer | None = None,
) -> list[dict[str, Any]]:
    """The chunk's valid records in one transaction; every record's answer, in the chunk's order."""
    answers = dict(checked.answers)
    permitted = []
    for index, referral in checked.valid:
        refused = source_refusal(principal, referral)
        if refused is None:
            permitted.append((index, referral))
        else:
            answers[index] = {
                "line": checked.lines[index],
                "outcome": "rejected",
                "errors": [{"field": "source.system", "detail": refused}],
            }
    checked = CheckedChunk(checked.lines, answers, permitted)
    if checked.valid:
        # A chunk's rows are written table by table when its records are all accepted (db.deferred).
        with unit_of_work() as session, deferred_inserts(session):
            prepare_batch(session, [referral for _, referral in checked.valid], repeat_keyer)
            for index, referral in checked.valid:
                intake = accept_referral(
                    session, principal, referral, rulebook, request_id, repeat_keyer=repeat_keyer
                )
                answers[index] = {
                    "line": checked.lines[index],
                    "outcome": "created" if intake.created else "duplicate",
                    "id": str(intake.case.id),
                    "reference": intake.case.reference,
                }
    return [answers[index] for index in range(len(checked.lines))]


def chunks(records: Iterable[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    """Records in lists of `size` (the last one shorter), in order."""
    chunk: list[tuple[int, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _validated(schema: ReferralSchema, raw: Any) -> tuple[Referral, None] | tuple[None, list[dict[str, str]]]:
    if isinstance(raw, RecordError):
        return None, raw.errors
    if not isinstance(raw, dict):
        return None, [{"field": "(record)", "detail": "Not an object."}]
    try:
        return schema.load(raw), None
    except ma.ValidationError as exc:
        return None, flatten_messages(exc.messages)
