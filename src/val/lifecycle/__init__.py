"""The data lifecycle (docs/data-lifecycle.md): retention that anonymises closed cases, and the subject access export."""
