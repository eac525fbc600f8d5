"""Integrity controls: the checks an auditor asks for first, each visible and recorded.

- ``roll_review``: a new roll version compared with the factory's earlier versions and other
  factories' rolls; findings by severity, HIGH ones acknowledged before a batch is submitted.
- ``approvals``: amount bands set how many distinct approvers a batch needs; roles that conflict
  are refused where roles are granted (segregation of duties).
- ``payment_guard``: a worker (by national ID) is paid once per day of a factory's suspensions
  and once a separation benefit; a claim row is written with each payment line and the database
  (a trigger) refuses an overlapping one.
- ``verification``: a reproducible sample of paid workers per batch, called by the helpline;
  each answer is recorded, and "not received" waits for the claims desk.
"""

# The roll review connects to the roll and event signals when imported; importing it with the
# package means every use of the app has it (``fund.models`` imports ``fund.controls.models``).
from fund.controls import roll_review as roll_review
