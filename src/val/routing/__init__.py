"""Routing: a decision table over the triage outcome, and provider eligibility. Pure rules in rules.py."""
