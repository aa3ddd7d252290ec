"""Self-referral (docs/victims.md): a victim refers themselves through a page VAL serves, whether or not they
told the police. What they enter becomes a referral of the same intake contract, triaged and routed as any."""
