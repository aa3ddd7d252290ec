"""Commissioning intelligence (docs/commissioning.md): the commissioner's return and the routing what-if."""
