"""Long work in the background: exports, statements, sheets and receipts over a size.

A ``Job`` row is the record people see (who asked, what, how far, where the file is, until
when it is kept); Huey (``fund/jobs/queue.py``) only carries the job's id to a consumer
(``fund worker``). The row, not the queue, decides what runs: a consumer claims a job with one
conditional UPDATE, so a message delivered twice, or a job re-sent after a consumer died, runs
once at a time. A result is written to ``<name>.part`` and renamed when complete, so a killed
job never leaves a file that looks finished; the next attempt starts it again from nothing.
A download over its size starts its job only from a button's POST (``large_files``): a GET
shows the button and changes nothing.
"""
