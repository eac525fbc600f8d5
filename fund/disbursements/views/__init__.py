"""Batch pages (fund staff), one module per step they serve, on one blueprint
(``blueprint.bp``):

- ``batches``: the batches of an event, making a draft, one batch's page;
- ``steps``: submit, approve, pay, reject, cancel, and funding the mobile-money float;
- ``payments``: result files, a payment settled, failed, unclaimed or reissued, payee changes;
- ``files``: the sheet, receipts and payment files, and checking a receipt.

Thin: each POST checks the form (and the confirmation box for steps that move money or cannot
be undone), calls the service, and turns a refusal into a message; the service enforces the
rules again (four eyes, funds, states), so the page can never do what the rules forbid.
Importing this package registers every route.
"""

from fund.disbursements.views import batches, files, payments, steps
from fund.disbursements.views.blueprint import bp

__all__ = ["batches", "bp", "files", "payments", "steps"]
