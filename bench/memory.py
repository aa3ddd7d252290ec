"""Resident memory of a process tree, read from /proc: what a gunicorn or Celery worker holds after the load."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (gunicorn's workers, Celery's pool processes)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                child = int(stat.parent.name)
                found.append(child)
                frontier.append(child)
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def largest_rss_mb(pid: int) -> float:
    """The largest resident set among `pid` and its descendants: one worker process's memory."""
    return max([rss_mb(pid), *(rss_mb(child) for child in children(pid))])
