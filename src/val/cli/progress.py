"""How far `val import` has come: on a terminal, a bar with the rate and the time left; elsewhere (a log, a
pipe), a plain line every tenth of the way, so a job's log says how it went."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO

import click


class Progress:
    def __init__(self, total: int, label: str, out: IO[str] | None = None) -> None:
        self.total, self.label, self.done = total, label, 0
        self.out = out or sys.stderr
        self.started = time.monotonic()
        self.terminal = self.out.isatty()
        self._next_line = max(1, total // 10)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.terminal:
            click.echo("", file=self.out)

    def update(self, count: int = 1) -> None:
        self.done += count
        if self.terminal:
            click.echo(f"\r{self.line()}", nl=False, file=self.out)
        elif self.done >= self._next_line or self.done == self.total:
            click.echo(self.line(), file=self.out)
            self._next_line = self.done + max(1, self.total // 10)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        share = self.done / self.total if self.total else 1.0
        return (
            f"{self.label}: {self.done}/{self.total} ({share:.0%}), {rate:,.0f} referrals/s, "
            f"{_duration(left)} left"
        )


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
