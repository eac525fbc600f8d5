"""Passkeys (WebAuthn): the stronger second factor, checked by py_webauthn.

A user who already has the authenticator app adds a passkey from the account page; from then
on the passkey can stand in for the six-digit code at sign-in and at step-up. Each ceremony
starts with a random challenge kept here on the server: it is good once, for
``CHALLENGE_LIFETIME``, for one user and one purpose, so a captured browser answer replays
into nothing. The authenticator's signature counter is checked on every use: a counter that
goes backwards means a cloned key and is refused (the library's check).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.parse_authentication_credential_json import (
    parse_authentication_credential_json,
)
from webauthn.helpers.parse_registration_credential_json import (
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from fund.audit.services import record
from fund.auth.errors import SecondFactorRefused
from fund.auth.models import Passkey, User, WebAuthnChallenge
from fund.auth.second_factor import record_check
from fund.db import utcnow

#: How long the browser has to answer a challenge.
CHALLENGE_LIFETIME = timedelta(minutes=5)
RP_NAME = "Worker Fund"
REGISTER = "register"
AUTHENTICATE = "authenticate"


class PasskeyRefused(SecondFactorRefused):
    """A passkey answer the fund does not accept; the message is safe to show."""


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """Who the passkeys are for: the site's origin and its relying-party id (a domain)."""

    origin: str
    rp_id: str

    @classmethod
    def of(cls, *, origin: str, rp_id: str | None = None) -> RelyingParty:
        """The relying party at ``origin``; its id is the origin's host unless given."""
        return cls(origin=origin.rstrip("/"), rp_id=rp_id or urlsplit(origin).hostname or "")


def _user_handle(user: User) -> bytes:
    # An opaque handle, not the username: the authenticator keeps it, and it may be shown.
    return user.id.to_bytes(8, "big")


def _descriptors(session: Session, user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
        for key in passkeys_of(session, user)
    ]


def passkeys_of(session: Session, user: User) -> list[Passkey]:
    """``user``'s passkeys, oldest first."""
    return list(
        session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id))
    )


def _new_challenge(session: Session, user: User, purpose: str, challenge: bytes) -> None:
    now = utcnow()
    session.add(
        WebAuthnChallenge(
            user_id=user.id,
            purpose=purpose,
            challenge=bytes_to_base64url(challenge),
            created_at=now,
            expires_at=now + CHALLENGE_LIFETIME,
        )
    )
    session.flush()


def _take_challenge(session: Session, user: User, purpose: str, client_data: bytes) -> bytes:
    """The challenge the browser answered, used up now (one UPDATE: two answers, one wins)."""
    try:
        challenge = parse_client_data_json(client_data).challenge
    except Exception as error:  # the library raises several kinds for a malformed blob
        raise PasskeyRefused("the browser's answer could not be read") from error
    now = utcnow()
    taken = session.execute(
        update(WebAuthnChallenge)
        .where(
            WebAuthnChallenge.challenge == bytes_to_base64url(challenge),
            WebAuthnChallenge.user_id == user.id,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.used_at.is_(None),
            WebAuthnChallenge.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise PasskeyRefused("this passkey request is used up or too old: start again")
    return challenge


def registration_options(session: Session, *, user: User, party: RelyingParty) -> str:
    """The JSON the browser passes to ``navigator.credentials.create`` (a fresh challenge)."""
    options = generate_registration_options(
        rp_id=party.rp_id,
        rp_name=RP_NAME,
        user_id=_user_handle(user),
        user_name=user.username,
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # The same authenticator twice would be no second key: the browser refuses it.
        exclude_credentials=_descriptors(session, user),
    )
    _new_challenge(session, user, REGISTER, options.challenge)
    return options_to_json(options)


def register(
    session: Session, *, user: User, party: RelyingParty, credential: str, name: str
) -> Passkey:
    """Check the browser's new credential against its challenge and keep it for ``user``."""
    try:
        parsed = parse_registration_credential_json(credential)
    except WebAuthnException as error:
        raise PasskeyRefused("the browser's answer could not be read") from error
    challenge = _take_challenge(session, user, REGISTER, parsed.response.client_data_json)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=party.rp_id,
            expected_origin=party.origin,
        )
    except WebAuthnException as error:
        raise PasskeyRefused(f"the passkey was not accepted: {error}") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise PasskeyRefused("this passkey is registered already")
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name.strip()[:100] or "passkey",
    )
    session.add(passkey)
    session.flush()
    record(
        session,
        actor=user,
        action="user.passkey_add",
        object_type="user",
        object_id=user.id,
        after={"passkey": passkey.name},
    )
    return passkey


def authentication_options(session: Session, *, user: User, party: RelyingParty) -> str:
    """The JSON for ``navigator.credentials.get``: ``user``'s passkeys and a fresh challenge."""
    allowed = _descriptors(session, user)
    if not allowed:
        raise PasskeyRefused("this account has no passkey")
    options = generate_authentication_options(
        rp_id=party.rp_id,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _new_challenge(session, user, AUTHENTICATE, options.challenge)
    return options_to_json(options)


def _used(passkey: Passkey) -> dict[str, str]:
    """What the audit log keeps of a passkey check: the method and the key's name."""
    return {"method": "passkey", "passkey": passkey.name}


def authenticate(session: Session, *, user: User, party: RelyingParty, credential: str) -> Passkey:
    """Check a passkey's signed answer for ``user``: the second factor given, as a code is."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except WebAuthnException as error:
        raise PasskeyRefused("the browser's answer could not be read") from error
    passkey = session.scalar(
        select(Passkey).where(
            Passkey.credential_id == bytes_to_base64url(parsed.raw_id),
            Passkey.user_id == user.id,
        )
    )
    if passkey is None:  # another user's key, or one never registered here
        raise PasskeyRefused("this passkey is not registered for this account")
    challenge = _take_challenge(session, user, AUTHENTICATE, parsed.response.client_data_json)
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=party.rp_id,
            expected_origin=party.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except WebAuthnException as error:
        record_check(session, user=user, passed=False, after=_used(passkey))
        raise PasskeyRefused(f"the passkey was not accepted: {error}") from error
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    session.flush()
    record_check(session, user=user, passed=True, after=_used(passkey))
    return passkey


def remove_passkey(session: Session, *, user: User, passkey_id: int) -> None:
    """Take one of ``user``'s own passkeys away (a lost key); the app and others stay."""
    passkey = session.scalar(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)
    )
    if passkey is None:
        raise PasskeyRefused("no such passkey on this account")
    session.delete(passkey)
    session.flush()
    record(
        session,
        actor=user,
        action="user.passkey_remove",
        object_type="user",
        object_id=user.id,
        before={"passkey": passkey.name},
    )
