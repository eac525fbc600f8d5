"""Disbursement batches: an event's entitlements collected, submitted, approved by a second
person (four eyes), and posted to the ledger. Outputs and payment come in later work.
"""
