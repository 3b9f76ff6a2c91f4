"""Emails the service sends: consent requests now, receipts and notices as they are built."""
