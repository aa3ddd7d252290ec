"""Operational metrics in the Prometheus text format (issue 10): no personal data, no case or person ids in
labels — only routes, outcomes, statuses and provider ids from the directory."""
