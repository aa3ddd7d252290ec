"""States and their transition tables. Every stateful record (case, assignment, compliance point, webhook
delivery) names its states as a StrEnum and allows exactly the moves its table lists; a forbidden move is a
conflict (409) wherever it is attempted. Pure: no I/O, no framework."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from val.errors import ConflictError

S = TypeVar("S", bound=StrEnum)


class ForbiddenTransition(ConflictError):
    """A change of state the record's transition table does not allow."""


class TransitionTable(Generic[S]):
    def __init__(self, record: str, states: type[S], allowed: Mapping[S, Iterable[S]]) -> None:
        unknown = set(allowed) - set(states)
        if unknown:
            raise ValueError(f"{record}: unknown states {sorted(unknown)}")
        self.record = record
        self.states = states
        self.allowed: dict[S, frozenset[S]] = {s: frozenset(allowed.get(s, ())) for s in states}

    def can(self, current: S | str, target: S) -> bool:
        return target in self.allowed[self.states(current)]

    def check(self, current: S | str, target: S) -> S:
        """`target` when the table allows it, else ForbiddenTransition naming both states."""
        if not self.can(current, target):
            raise ForbiddenTransition(
                f"The {self.record} is {current}; it cannot become {target}.", field="status"
            )
        return target

    def sources_of(self, target: S) -> frozenset[S]:
        """Every state from which `target` may be reached."""
        return frozenset(s for s, targets in self.allowed.items() if target in targets)

    def terminal(self) -> frozenset[S]:
        return frozenset(s for s, targets in self.allowed.items() if not targets)

    def pairs(self) -> list[tuple[S, S, bool]]:
        """Every (from, to, allowed) pair, for table tests."""
        return [(a, b, b in self.allowed[a]) for a in self.states for b in self.states]
