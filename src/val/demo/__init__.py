"""Sample data for a fresh install (`val demo`) and the Board pack's picture: fictional referrals of every kind,
worked through VAL's own services as a real line would work them, dated across recent months."""
