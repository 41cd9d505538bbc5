"""Workbooks: writing (xlsxwriter), reading (one bounded pass), filling, generating, and the
formulas engine.
"""
