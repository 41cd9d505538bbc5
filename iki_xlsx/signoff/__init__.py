"""Sign-off: a person verifies a unit's return against its evidence or sends it back with a
comment, an approver approves a period, which closes it, and reopens it with a reason. The
records are the store's (`store.signoff`); the rules (which step is allowed when, which return
counts for a closed period) are here."""
