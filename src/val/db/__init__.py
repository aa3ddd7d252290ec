"""Database plumbing: declarative base, engine and session factories, the unit of work, migrations."""

from val.db.base import Base, UTCDateTime
from val.db.session import Database, unit_of_work

__all__ = ["Base", "Database", "UTCDateTime", "unit_of_work"]
