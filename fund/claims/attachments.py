"""Attachments of a claim (a photo of a payslip, an ID card, a letter).

An attachment is a JPEG, PNG or PDF judged by its first bytes, never by its name, and no larger
than ``MAX_ATTACHMENT_BYTES`` (the app config overrides); anything else is refused with the
reason. It is stored under a random name in the attachments folder, and only a stored name of
that form is ever opened again.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from fund.audit.services import record
from fund.auth.models import User
from fund.auth.roles import CLAIM_FILERS
from fund.claims.errors import ClaimInvalid as ClaimInvalid
from fund.claims.errors import ClaimRefused as ClaimRefused
from fund.claims.models import (
    Claim,
    ClaimAttachment,
)
from fund.claims.services import AttachmentRefused, check_role

#: Largest attachment accepted (the app config ``CLAIM_ATTACHMENT_MAX_BYTES`` overrides).
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: What an attachment may be, told by its first bytes (never by its name).
ATTACHMENT_TYPES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf)$")


# --- attachments ---------------------------------------------------------------------------


def sniff_attachment(data: bytes) -> tuple[str, str]:
    """``(content type, extension)`` of a JPEG, PNG or PDF, told by its first bytes."""
    for magic, content_type, extension in ATTACHMENT_TYPES:
        if data.startswith(magic):
            return content_type, extension
    raise AttachmentRefused(
        "the file is not a JPEG or PNG photo or a PDF (judged by its content, not its name)",
        "file",
    )


def add_attachment(
    session: Session,
    *,
    claim: Claim,
    data: bytes,
    filename: str,
    folder: Path,
    actor: User,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> ClaimAttachment:
    """Keep a photo of an ID card or pay slip with the claim, under a random name in ``folder``.

    The file is written before the row: if the request then fails, an unreferenced file is
    left behind (harmless), never a row pointing at nothing.
    """
    check_role(actor, CLAIM_FILERS, "add attachments to claims")
    if not data:
        raise AttachmentRefused("the file is empty", "file")
    if len(data) > max_bytes:
        raise AttachmentRefused(
            f"the file has {len(data) / 1024 / 1024:.1f} MB; at most"
            f" {max_bytes / 1024 / 1024:g} MB is accepted (a phone photo at normal quality fits)",
            "file",
        )
    content_type, extension = sniff_attachment(data)
    stored_name = secrets.token_hex(16) + extension
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / stored_name).open("xb") as out:
        out.write(data)
    attachment = ClaimAttachment(
        claim_id=claim.id,
        original_name=Path(filename or "attachment").name[:255],
        stored_name=stored_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    session.add(attachment)
    session.flush()
    record(
        session,
        actor=actor,
        action="claims.attach",
        object_type="claim",
        object_id=claim.id,
        after={
            "attachment": attachment.id,
            "name": attachment.original_name,
            "type": content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    return attachment


def attachment_path(folder: Path, attachment: ClaimAttachment) -> Path:
    """Where the attachment's file is; only names this module made are ever opened."""
    if not _STORED_NAME.fullmatch(attachment.stored_name):
        raise LookupError(f"attachment {attachment.id} has no stored file")
    return folder / attachment.stored_name
