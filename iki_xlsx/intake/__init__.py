"""Intake: the workbooks inside files, archives and e-mails, collected into the store; who returned
what.
"""
