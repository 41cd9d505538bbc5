"""Blueprints: the decrees as typed data (model, YAML and spreadsheet forms, validation)."""
