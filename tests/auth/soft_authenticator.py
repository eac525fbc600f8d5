"""A software passkey for tests: what a phone or security key sends, built with ``cryptography``.

Attestation "none", one P-256 key, a signature counter; enough for py_webauthn to verify a
registration and then assertions exactly as it does a browser's.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    ).encode()


@dataclass
class SoftPasskey:
    """One credential: its id, its private key and how often it has signed."""

    rp_id: str
    origin: str
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    count: int = 0

    def _auth_data(self, flags: int, extra: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.count) + extra

    def create(self, options_json: str) -> str:
        """The browser's answer to ``navigator.credentials.create`` with these options."""
        options = json.loads(options_json)
        numbers = self.key.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})  # EC2 key, ES256, P-256
        identifier = self.credential_id
        attested = bytes(16) + struct.pack(">H", len(identifier)) + identifier + cose
        attestation = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": self._auth_data(UP | UV | AT, attested)}
        )
        client = _client_data("webauthn.create", options["challenge"], self.origin)
        return self._credential(
            {
                "clientDataJSON": bytes_to_base64url(client),
                "attestationObject": bytes_to_base64url(attestation),
            }
        )

    def get(self, options_json: str, *, count: int | None = None) -> str:
        """The answer to ``navigator.credentials.get`` (``count``: force the counter)."""
        options = json.loads(options_json)
        self.count = self.count + 1 if count is None else count
        auth_data = self._auth_data(UP | UV)
        client = _client_data("webauthn.get", options["challenge"], self.origin)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256())
        )
        return self._credential(
            {
                "clientDataJSON": bytes_to_base64url(client),
                "authenticatorData": bytes_to_base64url(auth_data),
                "signature": bytes_to_base64url(signature),
            }
        )

    def _credential(self, response: dict[str, Any]) -> str:
        identifier = bytes_to_base64url(self.credential_id)
        return json.dumps(
            {
                "id": identifier,
                "rawId": identifier,
                "type": "public-key",
                "response": response,
                "clientExtensionResults": {},
            }
        )
