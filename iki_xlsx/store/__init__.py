"""The store: every received file byte for byte, and what the office recorded; owns all SQL."""
