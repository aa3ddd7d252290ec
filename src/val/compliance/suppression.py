"""Small-number suppression for the Victims Board (docs/compliance.md). Pure: no I/O.

A table has one row per group plus a total row; its cells are counts by status, and `due` is the sum of the
applicable statuses. Published values obey linear relations (each row: due = met + met_late + missed +
pending; each column: the groups add up to the total), so hiding small counts is not enough: a hidden cell
must not be recoverable by subtraction. The rule:

1. primary: every count from 1 to threshold - 1 is hidden (zeros are published);
2. secondary: while some hidden cell is still determined by the published cells and the relations (checked
   exactly, by linear algebra over the hidden cells), hide one more cell of a relation it belongs to — the
   cell that costs the reader least: a group cell rather than a total (totals must agree across tables),
   not a part of an on-time rate if that can be helped, then the smallest count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

STATUS_COLUMNS = ("met", "met_late", "missed", "pending")
COLUMNS = ("due", *STATUS_COLUMNS, "not_applicable")
Cell = tuple[int, str]  # (row index, column); the last row is the total row
Vertex = tuple[str, object]  # ("row", index) or ("column", name) in the hidden-cell graph
Adjacency = dict[Vertex, list[tuple[Vertex, Cell]]]


@dataclass
class SuppressedTable:
    rows: list[dict[str, int]]  # every row, the total row last
    hidden: set[Cell] = field(default_factory=set)

    def published(self, row: int, column: str) -> int | None:
        return None if (row, column) in self.hidden else self.rows[row][column]


def relations(n_groups: int) -> list[dict[Cell, int]]:
    """Each relation: sum of coefficient × cell = 0."""
    total = n_groups
    found: list[dict[Cell, int]] = []
    for row in range(n_groups + 1):
        found.append({(row, "due"): 1, **{(row, c): -1 for c in STATUS_COLUMNS}})
    for column in COLUMNS:
        found.append({**{(row, column): 1 for row in range(n_groups)}, (total, column): -1})
    return found


def _reduced_basis(matrix: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon form: (pivot column, row) pairs, each row scaled so its pivot is 1."""
    rows = [row[:] for row in matrix if any(row)]
    basis: list[tuple[int, list[Fraction]]] = []
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((r for r in rows if r[col] != 0), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        pivot = [value / pivot[col] for value in pivot]
        rows = [[a - r[col] * b for a, b in zip(r, pivot, strict=True)] if r[col] else r for r in rows]
        basis = [
            (c, [a - r[col] * b for a, b in zip(r, pivot, strict=True)] if r[col] else r) for c, r in basis
        ]
        basis.append((col, pivot))
        rows = [r for r in rows if any(r)]
    return basis


def determined_cells(hidden: set[Cell], all_relations: Sequence[dict[Cell, int]]) -> set[Cell]:
    """Hidden cells whose value follows from the published ones: cell i is determined exactly when the unit
    vector e_i lies in the row space of the relations restricted to hidden cells."""
    unknowns = sorted(hidden)
    if not unknowns:
        return set()
    index = {cell: i for i, cell in enumerate(unknowns)}
    matrix = [
        [Fraction(relation.get(cell, 0)) for cell in unknowns]
        for relation in all_relations
        if any(cell in index for cell in relation)
    ]
    basis = _reduced_basis(matrix)
    found = set()
    for cell, i in index.items():
        # Reduce e_i by the basis: it lies in the row space exactly when nothing is left.
        vector = [Fraction(1 if j == i else 0) for j in range(len(unknowns))]
        for col, row in basis:
            if vector[col]:
                factor = vector[col]
                vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
        if not any(vector):
            found.add(cell)
    return found


def exposed_cells(hidden: set[Cell], n_groups: int) -> set[Cell]:
    """The same answer as `determined_cells` for this table's relations, in linear time.

    Rows (groups and the total) and the columns due, met, met late, missed and pending form a two-way table
    whose margins are the due column and the total row: each row and each column is one relation. Seen as a
    bipartite graph with a vertex per row and per column and an edge per hidden cell, a hidden cell can be
    worked out exactly when its edge lies on no cycle — when it is a bridge. The not-applicable column is in
    one relation only (its column), so a hidden cell there is exposed exactly when it is alone."""
    grid_columns = ("due", *STATUS_COLUMNS)
    adjacency: Adjacency = {}
    for row, column in hidden:
        if column in grid_columns:
            a, b = ("row", row), ("column", column)
            adjacency.setdefault(a, []).append((b, (row, column)))
            adjacency.setdefault(b, []).append((a, (row, column)))
    exposed = bridges(adjacency)
    not_applicable = [cell for cell in hidden if cell[1] == "not_applicable"]
    if len(not_applicable) == 1:
        exposed.add(not_applicable[0])
    return exposed


def bridges(adjacency: Adjacency) -> set[Cell]:
    """Tarjan's bridge-finding, iteratively (no recursion limit on large tables)."""
    order: dict[Vertex, int] = {}
    low: dict[Vertex, int] = {}
    bridges: set[Cell] = set()
    counter = 0
    for start in adjacency:
        if start in order:
            continue
        order[start] = low[start] = counter
        counter += 1
        stack: list[tuple[Vertex, Cell | None, Iterator[tuple[Vertex, Cell]]]] = [
            (start, None, iter(adjacency[start]))
        ]
        while stack:
            vertex, via, edges = stack[-1]
            advanced = False
            for neighbour, edge in edges:
                if edge == via:
                    continue
                if neighbour in order:
                    low[vertex] = min(low[vertex], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[vertex])
                    if low[vertex] > order[parent] and via is not None:
                        bridges.add(via)
    return bridges


def suppress(rows: list[dict[str, int]], threshold: int) -> SuppressedTable:
    """`rows`: the group rows then the total row, each with every column of COLUMNS."""
    table = SuppressedTable(rows=rows)
    n_groups = len(rows) - 1
    table.hidden = _total_row_pattern(rows[-1], n_groups, threshold) | {
        (r, c) for r, row in enumerate(rows[:-1]) for c in COLUMNS if 0 < row[c] < threshold
    }
    all_relations = relations(n_groups)

    def in_a_group(cells: list[Cell]) -> list[Cell]:
        return [c for c in cells if c[0] < n_groups]

    while True:
        exposed = exposed_cells(table.hidden, n_groups)
        if not exposed:
            return table
        cell = min(exposed)
        candidates = (
            in_a_group(_cycle_closing_cells(cell, table.hidden, n_groups))
            or in_a_group(
                # No single cell closes a cycle yet: grow the pattern from the exposed cell's relations (or, when
                # those are all hidden, from any relation that holds hidden cells) and look again.
                [o for r in all_relations if cell in r for o in r if o not in table.hidden]
            )
            or in_a_group(
                [o for r in all_relations if table.hidden.intersection(r) for o in r if o not in table.hidden]
            )
        )
        if not candidates:  # every group cell is hidden: nothing is left to recover anything from
            return table
        table.hidden.add(min(candidates, key=lambda c: _cost(c, rows, n_groups)))


def _total_row_pattern(total: dict[str, int], n_groups: int, threshold: int) -> set[Cell]:
    """Which totals are withheld depends on the totals alone — never on how the points are grouped — so every
    table of the same period withholds the same totals and no two tables can be played against each other
    through them."""
    hidden = {(n_groups, c) for c in COLUMNS if 0 < total[c] < threshold}
    in_row = [c for c in GRID_COLUMNS if (n_groups, c) in hidden]
    if len(in_row) == 1:  # the row's relation would give it away: withhold the cheapest other total as well
        partner = min(
            (c for c in GRID_COLUMNS if c not in in_row), key=lambda c: (c in RATE_PARTS, total[c], c)
        )
        hidden.add((n_groups, partner))
    return hidden


GRID_COLUMNS = ("due", *STATUS_COLUMNS)


def reachable(neighbours: dict[Vertex, list[Vertex]], start: Vertex) -> set[Vertex]:
    """Every vertex a path from `start` reaches (the side of a graph split at a bridge)."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in neighbours.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cycle_closing_cells(cell: Cell, hidden: set[Cell], n_groups: int) -> list[Cell]:
    """Published cells whose hiding puts `cell` on a cycle, so it can no longer be worked out."""
    row, column = cell
    if column == "not_applicable":
        return [(r, "not_applicable") for r in range(n_groups + 1) if (r, "not_applicable") not in hidden]
    # Split the hidden-cell graph at this bridge; an edge from one side to the other closes a cycle.
    edges = [c for c in hidden if c[1] in GRID_COLUMNS and c != cell]
    neighbours: dict[Vertex, list[Vertex]] = {}
    for r, c in edges:
        neighbours.setdefault(("row", r), []).append(("column", c))
        neighbours.setdefault(("column", c), []).append(("row", r))

    row_side, column_side = reachable(neighbours, ("row", row)), reachable(neighbours, ("column", column))
    found: list[Cell] = []
    for first, second in ((row_side, column_side), (column_side, row_side)):
        rows_here = [v[1] for v in first if v[0] == "row" and isinstance(v[1], int)]
        columns_there = [v[1] for v in second if v[0] == "column" and isinstance(v[1], str)]
        found.extend((r, c) for r in rows_here for c in columns_there if (r, c) not in hidden)
    return found


RATE_PARTS = ("met", "met_late", "missed")


def _cost(cell: Cell, rows: list[dict[str, int]], n_groups: int) -> tuple[bool, bool, int, Cell]:
    """Which cell to hide next. Never a total if a group cell will do: the totals are the same whichever way
    the Board groups the points, so a total hidden in one table but published in another would give the
    secret away. Then spare the parts of a group's on-time rate (what the Board reads most), then larger
    counts."""
    row, column = cell
    return (row == n_groups, column in RATE_PARTS, rows[row][column], cell)


def on_time_rate(table: SuppressedTable | ProtectedTable, row: int, threshold: int) -> float | None:
    """met ÷ (met + met late + missed), only over a denominator of at least the threshold and only when none
    of its parts is hidden (a rate over a hidden count would reveal it). From the published (rounded) counts,
    so a rate reveals no more than the counts do."""
    if any((row, c) in table.hidden for c in RATE_PARTS):
        return None
    values = table.rows[row]
    denominator = values["met"] + values["met_late"] + values["missed"]
    if denominator < threshold:
        return None
    return round(values["met"] / denominator, 4)


# docs/compliance.md: every published count is rounded to a multiple of this base, independently of the query, so
# subtracting the answers of two overlapping queries gives a multiple of it too — never a person.
ROUNDING_BASE = 5


def rounded(value: int, base: int = ROUNDING_BASE) -> int:
    """To the nearest multiple of `base` (the ONS convention for small-area tables; halves go up)."""
    return ((2 * value + base) // (2 * base)) * base


@dataclass
class ProtectedTable:
    """What is published of a table: withheld cells stay withheld, every other count is rounded."""

    rows: list[dict[str, int]]
    hidden: set[Cell]

    def published(self, row: int, column: str) -> int | None:
        return None if (row, column) in self.hidden else self.rows[row][column]


def protect(table: SuppressedTable, base: int = ROUNDING_BASE) -> ProtectedTable:
    return ProtectedTable(
        rows=[{column: rounded(value, base) for column, value in row.items()} for row in table.rows],
        hidden=set(table.hidden),
    )


def protect_counts(counts: dict[str, int], threshold: int) -> tuple[dict[str, int | None], int | None]:
    """A one-way table (counts by one dimension, and their total) protected as the summary is: counts from 1 to
    threshold - 1 withheld; if only one count of the table is withheld, the next smallest non-zero one is too,
    so the total cannot give it away (a withheld total withholds nothing else); then base-5 rounding."""
    total = sum(counts.values())
    hidden = {key for key, value in counts.items() if 0 < value < threshold}
    total_hidden = 0 < total < threshold
    if len(hidden) == 1 and not total_hidden:
        others = sorted((value, key) for key, value in counts.items() if key not in hidden and value > 0)
        if others:
            hidden.add(others[0][1])
        else:
            total_hidden = True
    published = {key: None if key in hidden else rounded(value) for key, value in counts.items()}
    return published, None if total_hidden else rounded(total)
