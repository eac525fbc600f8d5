"""Passkeys: registration and sign-in checked by py_webauthn; challenges once only; no strangers."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from fund.auth.models import Passkey, WebAuthnChallenge
from fund.auth.passkeys import (
    PasskeyRefused,
    RelyingParty,
    authenticate,
    authentication_options,
    passkeys_of,
    register,
    registration_options,
    remove_passkey,
)
from fund.auth.roles import Role
from fund.db import utcnow
from tests.auth.soft_authenticator import SoftPasskey

if TYPE_CHECKING:
    from tests.conftest import People

PARTY = RelyingParty.of(origin="https://fund.example.org")


def enrolled_key(users: People, role: Role = Role.APPROVER) -> SoftPasskey:
    """A passkey registered for the user of ``role``, through the service."""
    user = users.by_role[role]
    key = SoftPasskey(rp_id=PARTY.rp_id, origin=PARTY.origin)
    options = registration_options(users.session, user=user, party=PARTY)
    register(users.session, user=user, party=PARTY, credential=key.create(options), name="phone")
    return key


def test_a_registered_passkey_signs_in_and_its_counter_moves(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    key = enrolled_key(users)
    [stored] = passkeys_of(users.session, approver)
    assert stored.name == "phone"
    assert stored.sign_count == 0
    assert PARTY.rp_id == "fund.example.org"
    for _ in range(2):
        options = authentication_options(users.session, user=approver, party=PARTY)
        used = authenticate(users.session, user=approver, party=PARTY, credential=key.get(options))
        assert used.id == stored.id
    assert stored.sign_count == 2
    assert stored.last_used_at is not None


def test_a_replayed_answer_is_refused(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    key = enrolled_key(users)
    answer = key.get(authentication_options(users.session, user=approver, party=PARTY))
    authenticate(users.session, user=approver, party=PARTY, credential=answer)
    with pytest.raises(PasskeyRefused, match="used up or too old"):
        authenticate(users.session, user=approver, party=PARTY, credential=answer)


def test_a_replayed_registration_is_refused(users: People) -> None:
    admin = users.by_role[Role.ADMIN]
    key = SoftPasskey(rp_id=PARTY.rp_id, origin=PARTY.origin)
    answer = key.create(registration_options(users.session, user=admin, party=PARTY))
    register(users.session, user=admin, party=PARTY, credential=answer, name="key")
    with pytest.raises(PasskeyRefused, match="used up or too old"):
        register(users.session, user=admin, party=PARTY, credential=answer, name="key")


def test_another_users_or_an_unknown_passkey_is_refused(users: People) -> None:
    approver_key = enrolled_key(users, Role.APPROVER)
    enrolled_key(users, Role.ACCOUNTANT)
    accountant = users.by_role[Role.ACCOUNTANT]
    options = authentication_options(users.session, user=accountant, party=PARTY)
    with pytest.raises(PasskeyRefused, match="not registered for this account"):
        authenticate(
            users.session, user=accountant, party=PARTY, credential=approver_key.get(options)
        )
    stranger = SoftPasskey(rp_id=PARTY.rp_id, origin=PARTY.origin)
    with pytest.raises(PasskeyRefused, match="not registered for this account"):
        authenticate(users.session, user=accountant, party=PARTY, credential=stranger.get(options))


def test_a_challenge_of_another_user_purpose_or_site_is_refused(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    accountant = users.by_role[Role.ACCOUNTANT]
    key = enrolled_key(users)
    enrolled_key(users, Role.ACCOUNTANT)
    # The accountant's challenge answered by the approver's key: not the approver's challenge.
    foreign = authentication_options(users.session, user=accountant, party=PARTY)
    with pytest.raises(PasskeyRefused, match="used up or too old"):
        authenticate(users.session, user=approver, party=PARTY, credential=key.get(foreign))
    # A registration challenge is no sign-in challenge.
    wrong_purpose = registration_options(users.session, user=approver, party=PARTY)
    with pytest.raises(PasskeyRefused, match="used up or too old"):
        authenticate(users.session, user=approver, party=PARTY, credential=key.get(wrong_purpose))
    # A phishing site's origin: the library refuses it.
    phished = SoftPasskey(
        rp_id=PARTY.rp_id,
        origin="https://fund.example.org.evil.example",
        credential_id=key.credential_id,
        key=key.key,
        count=key.count,
    )
    options = authentication_options(users.session, user=approver, party=PARTY)
    with pytest.raises(PasskeyRefused, match="origin"):
        authenticate(users.session, user=approver, party=PARTY, credential=phished.get(options))


def test_an_expired_challenge_is_refused(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    key = enrolled_key(users)
    options = authentication_options(users.session, user=approver, party=PARTY)
    for challenge in users.session.scalars(select(WebAuthnChallenge)):
        challenge.expires_at = utcnow() - timedelta(seconds=1)
    users.session.flush()
    with pytest.raises(PasskeyRefused, match="used up or too old"):
        authenticate(users.session, user=approver, party=PARTY, credential=key.get(options))


def test_a_counter_going_backwards_means_a_clone_and_is_refused(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    key = enrolled_key(users)
    options = authentication_options(users.session, user=approver, party=PARTY)
    authenticate(users.session, user=approver, party=PARTY, credential=key.get(options, count=7))
    options = authentication_options(users.session, user=approver, party=PARTY)
    with pytest.raises(PasskeyRefused, match="not accepted"):
        authenticate(
            users.session, user=approver, party=PARTY, credential=key.get(options, count=3)
        )


def test_nothing_to_ask_without_a_passkey_and_removal_is_own_only(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    with pytest.raises(PasskeyRefused, match="no passkey"):
        authentication_options(users.session, user=approver, party=PARTY)
    enrolled_key(users)
    [stored] = passkeys_of(users.session, approver)
    with pytest.raises(PasskeyRefused):
        remove_passkey(users.session, user=users.by_role[Role.ADMIN], passkey_id=stored.id)
    remove_passkey(users.session, user=approver, passkey_id=stored.id)
    assert users.session.scalar(select(Passkey)) is None


def test_a_malformed_answer_is_refused_cleanly(users: People) -> None:
    approver = users.by_role[Role.APPROVER]
    enrolled_key(users)
    for garbage in ("", "{}", "not json", '{"id": "x", "rawId": "x", "response": {}}'):
        with pytest.raises(PasskeyRefused):
            authenticate(users.session, user=approver, party=PARTY, credential=garbage)
        with pytest.raises(PasskeyRefused):
            register(users.session, user=approver, party=PARTY, credential=garbage, name="x")
