"""How far an import has come, said on a terminal and in a log (no database, a fake stream)."""

from __future__ import annotations

import io

from val.cli.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_plain_line_every_tenth_of_the_way():
    out = io.StringIO()
    with Progress(100, "importing x.ndjson", out) as progress:
        for _ in range(100):
            progress.update()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("importing x.ndjson: 100/100 (100%), ")
    assert all("referrals/s" in line and "left" in line for line in lines)


def test_a_terminal_gets_one_line_redrawn():
    out = Terminal()
    with Progress(3, "importing x.ndjson", out) as progress:
        progress.update(2)
        progress.update(1)
    said = out.getvalue()
    assert said.count("\r") == 2 and said.endswith("\n") and "3/3 (100%)" in said
