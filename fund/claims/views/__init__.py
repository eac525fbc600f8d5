"""Claim pages, one module per step they serve, on one blueprint (``blueprint.bp``):

- ``desk``: the desk's list, filing a claim, the report;
- ``claim_page``: one claim with its candidates and decision forms, the printable letter, and
  attachments (served by this view only, never by path);
- ``decisions``: accepting, rejecting, referring, a claim from a verification call;
- ``case_handling``: calls, notes, callbacks, referral outcomes, reopening, who the claimant is.

Thin: forms are read, services decide, refusals come back as messages on the page (400) with
what was typed; nothing of a refused step is kept. Importing this package registers every route.
"""

from fund.claims.views import case_handling, claim_page, decisions, desk
from fund.claims.views.blueprint import (
    bp,
    deadlines,
    files_folder,
    helpline_number,
    max_attachment_bytes,
)

__all__ = [
    "bp",
    "case_handling",
    "claim_page",
    "deadlines",
    "decisions",
    "desk",
    "files_folder",
    "helpline_number",
    "max_attachment_bytes",
]
