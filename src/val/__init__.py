"""VAL — the case-routing backend of a Victim Advice Line."""
