"""Webhooks in the database: deliveries and their attempts (`deliveries`), providers' endpoints and signing
secrets (`endpoints`)."""
