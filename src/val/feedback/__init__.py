"""Victims' feedback (docs/victims.md): a one-time link sent at closure, a short page VAL serves, answers kept
against the case (free text for coordinators only), and satisfaction figures for the Victims Board."""
