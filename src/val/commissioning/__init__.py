"""Commissioning intelligence (DOMAIN §14): the commissioner's return and the routing what-if."""
