"""The audit trail: every action of the office recorded with who, when, what and from where,
append-only and chained, so that an entry changed or deleted directly in the database is found
(`AuditTrail.check`). The records are the store's (`store.audit`); what an entry says, how it
is sealed and how the chain is checked are here. The service records every use case."""
