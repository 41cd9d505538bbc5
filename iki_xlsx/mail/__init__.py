"""E-mail: the one sender (outbox), workbooks to units (kirim), the mailbox (IMAP), and answers to
returns.
"""
