"""The provider directory published as Open Referral UK services, so other agencies can find what is
commissioned (docs/commissioning.md). Public and read-only; it holds no personal data."""
