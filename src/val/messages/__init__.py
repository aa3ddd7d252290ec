"""Messages to victims through GOV.UK Notify (docs/victims.md): one safety rule decides whether a message may
go and by which channel; a message is committed with the change that asks for it and sent by a worker; Notify's
delivery receipts say what became of it."""
