"""Database helpers the app and the ledger share: no Flask, nothing of ``fund`` or ``ledger``.

``bulk.insert_rows`` writes many rows fast (COPY on PostgreSQL). It lives here, below both,
because the ledger posts entries of 100,000 postings with it and must not import the app, while
the app's own bulk writers (roll workers, entitlements, payment claims, payment lines) are not
ledger rows and should not reach into the ledger for it.
"""
