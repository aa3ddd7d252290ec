"""The `val` command: run the service, migrate, manage credentials and providers, import referral files,
write reports. Each command is an entry point: it owns its unit of work."""

from val.cli import admin, backup, data, demo, lifecycle, people, run, simulate  # noqa: F401  — each module adds its commands to `main`
from val.cli.base import main

__all__ = ["main"]
