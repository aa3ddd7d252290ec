"""The data lifecycle (DOMAIN §13): retention that anonymises closed cases, and the subject access export."""
