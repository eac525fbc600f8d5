"""Imports every area's models so that Alembic and ``create_app`` see the whole schema."""

from __future__ import annotations

from fund.audit.models import AuditChainHead, AuditEvent
from fund.auth.models import (
    ApiToken,
    Passkey,
    RecoveryCode,
    SignInThrottle,
    User,
    WebAuthnChallenge,
)
from fund.brands.models import Brand, Contribution, Conversion, Pledge
from fund.claims.models import Claim, ClaimAttachment
from fund.controls.models import (
    BatchApproval,
    PaymentClaim,
    RollFinding,
    VerificationCall,
    VerificationDraw,
)
from fund.disbursements.models import (
    BatchTransition,
    DisbursementBatch,
    PayeeChange,
    PaymentLine,
    ResultImport,
)
from fund.entitlements.models import Entitlement, EntitlementLine, EntitlementRun, PolicyVersion
from fund.events.models import DuplicateResolution, Event, EventExtension
from fund.factories.models import Factory, factory_brands
from fund.jobs.models import Job
from fund.rolls.models import ColumnMapping, Roll, RollWorker

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "BatchApproval",
    "BatchTransition",
    "Brand",
    "Claim",
    "ClaimAttachment",
    "ColumnMapping",
    "Contribution",
    "Conversion",
    "DisbursementBatch",
    "DuplicateResolution",
    "Entitlement",
    "EntitlementLine",
    "EntitlementRun",
    "Event",
    "EventExtension",
    "Factory",
    "Job",
    "Passkey",
    "PayeeChange",
    "PaymentClaim",
    "PaymentLine",
    "Pledge",
    "PolicyVersion",
    "RecoveryCode",
    "ResultImport",
    "Roll",
    "RollFinding",
    "RollWorker",
    "SignInThrottle",
    "User",
    "VerificationCall",
    "VerificationDraw",
    "WebAuthnChallenge",
    "factory_brands",
]
