"""A released version's data, kept to prove that upgrades keep it: `capture` builds it with the release's own
code (`python -m tests.releases.capture vX.Y.Z`, run at the release), `load` puts it into a database migrated to
that release's head, whatever VAL's code is now."""
