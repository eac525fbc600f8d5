"""``fund batches …``: make, approve and pay disbursement batches, and write their outputs.

The acting user is given with ``--as USER`` (their role decides what they may do, and the
approver must not be the submitter); a step that moves money asks their second factor first.
A refused step exits with status 1 and says why; bad input (an unknown batch, user or file)
exits with status 2. Nothing is written when a step is refused.

One module per step the commands serve, on one group (``group.batches_cli``), as the pages are:

- ``steps``: make a draft, submit, approve, reject, cancel, pay, fund the float, list;
- ``payments``: result files, a line settled by hand, payee changes, unclaimed payments,
  overpayments;
- ``files``: the sheet, receipts and payment files, and checking a receipt.

Importing this package registers every command.
"""

from fund.disbursements.cli import files, payments, steps
from fund.disbursements.cli.group import batches_cli

__all__ = ["batches_cli", "files", "payments", "steps"]
