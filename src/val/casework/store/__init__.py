"""Casework in the database (docs/architecture.md, "One way to the database"): the case as a coordinator
reads it, its contact attempts, notes and same-person links (`records`), the work queue (`queue`) and what the
timeline reads (`history`). Plain values in, frozen records out."""
