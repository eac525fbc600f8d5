"""Configuration: defaults, then environment variables, then what the caller passes."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _secret_key(instance_path: Path) -> str:
    """The session-signing key: ``SECRET_KEY`` if set, else one kept in the instance folder."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Created private (0600) from the first byte, not made private after being written.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def load_config(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Build the app's config; ``overrides`` (tests, embedding) win over the environment."""
    overrides = dict(overrides or {})
    development = os.environ.get("FUND_ENV", "production") == "development"
    database_url = overrides.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not database_url and "DB_BIND" not in overrides:
        # The default SQLite file lives in the instance folder, which a fresh clone lacks.
        instance_path.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "DATABASE_URL": database_url or f"sqlite:///{instance_path / 'fund.sqlite'}",
        # Browsers keep Secure cookies off plain http; only the local dev server relaxes it.
        "SESSION_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_SECURE": not development,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        "PREFERRED_URL_SCHEME": "http" if development else "https",
        # Uploads waiting for a confirm or a background job (which reads them from here: the
        # web server and ``fund worker`` must share it).
        "UPLOAD_FOLDER": os.environ.get("FUND_UPLOAD_FOLDER", "").strip()
        or str(instance_path / "uploads"),
        # Claim attachments (ID cards, pay slips): outside the web root, served by a view only.
        "CLAIM_FILES": str(instance_path / "claim-files"),
    }
    config.update(_jobs_from_environment(instance_path))
    config["PAYMENT_FILE_BOM"] = _payment_file_bom()
    config.update(_policies_from_environment())
    # The second factor for roles that move money or grant access: on in production, off by
    # default on the development server and in tests (demo users sign in with a password).
    config["REQUIRE_SECOND_FACTOR"] = _switch(
        "FUND_REQUIRE_SECOND_FACTOR", not development and not overrides.get("TESTING")
    )
    config["SECOND_FACTOR_FOR_OFFICERS"] = _switch("FUND_SECOND_FACTOR_FOR_OFFICERS", False)
    if "SECRET_KEY" not in overrides:
        config["SECRET_KEY"] = _secret_key(instance_path)
    config.update(overrides)
    return config


def _payment_file_bom() -> list[str]:
    """Payment-file formats written with a UTF-8 byte-order mark (README: payment files)."""
    from fund.disbursements.payment_files import BOM_BY_DEFAULT, FORMATS

    text = os.environ.get("FUND_PAYMENT_FILE_BOM")
    if text is None:
        return list(BOM_BY_DEFAULT)
    chosen = [part.strip() for part in text.split(",") if part.strip() and part.strip() != "none"]
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown:
        raise ConfigInvalid(
            f"FUND_PAYMENT_FILE_BOM: {', '.join(unknown)} is not one of {', '.join(FORMATS)}"
            " (or none)"
        )
    return chosen


def _jobs_from_environment(instance_path: Path) -> dict[str, Any]:
    """Background jobs: the queue's broker, where results go, for how long, and what is large."""
    env = os.environ.get
    found: dict[str, Any] = {
        # No extra server by default: Huey's SQLite broker in the instance folder.
        "JOBS_QUEUE": env("FUND_JOBS_QUEUE", "").strip()
        or f"sqlite:///{instance_path / 'jobs-queue.sqlite'}",
        "JOB_FILES": env("FUND_JOB_FILES", "").strip() or str(instance_path / "job-files"),
    }
    numbers = {
        # A finished job's file is kept this long, then deleted.
        "JOB_KEEP_HOURS": ("FUND_JOB_KEEP_HOURS", 24),
        # A running job silent for this long has lost its consumer and is run again.
        "JOB_LEASE_SECONDS": ("FUND_JOB_LEASE_SECONDS", 60),
        # A journal or general ledger with more postings than this is written in the background.
        "BACKGROUND_POSTINGS": ("FUND_BACKGROUND_POSTINGS", 50_000),
        # Sheets and receipts of a batch with more lines than this: in the background.
        "BACKGROUND_LINES": ("FUND_BACKGROUND_LINES", 2_000),
        # An event whose roll has more workers than this is computed in the background.
        "BACKGROUND_COMPUTE_WORKERS": ("FUND_BACKGROUND_COMPUTE_WORKERS", 20_000),
        # A brand statement over more months than this (a far "to" date): in the background.
        "BACKGROUND_STATEMENT_MONTHS": ("FUND_BACKGROUND_STATEMENT_MONTHS", 60),
        # A roll upload with more rows than this is stored in the background.
        "BACKGROUND_ROLL_ROWS": ("FUND_BACKGROUND_ROLL_ROWS", 20_000),
    }
    for key, (variable, default) in numbers.items():
        text = env(variable, "").strip()
        if text and not text.isdecimal():
            raise ConfigInvalid(f"{variable}: {text!r} is not a whole number")
        found[key] = int(text) if text else default
    return found


def _whole_number(name: str, default: int) -> int:
    """A positive whole number from the environment variable ``name``, else ``default``."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdecimal() or int(value) < 1:
        raise ConfigInvalid(f"{name}: {value!r} is not a whole number of at least 1")
    return int(value)


def _count(name: str) -> int:
    """A whole number (zero allowed) from the environment variable ``name``, else 0."""
    value = os.environ.get(name, "").strip()
    if value and not value.isdecimal():
        raise ConfigInvalid(f"{name}: {value!r} is not a whole number (0 or more)")
    return int(value) if value else 0


def _switch(name: str, default: bool) -> bool:
    """An on/off setting from the environment variable ``name``, else ``default``."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in ("1", "0", "true", "false", "on", "off", "yes", "no"):
        raise ConfigInvalid(f"{name}: {value!r} is not on/off (1/0, true/false, yes/no)")
    return value in ("1", "true", "on", "yes")


def _policies_from_environment() -> dict[str, Any]:
    """The fund's own policies an operator sets without code; a bad value stops the start."""
    from fund.auth.lifetimes import DEFAULT_IDLE_MINUTES, DEFAULT_MAX_HOURS
    from fund.auth.services import DEFAULT_API_TOKEN_DAYS
    from fund.claims.models import CLAIM_KINDS
    from fund.controls.approvals import bands_from_text

    found: dict[str, Any] = {
        "SESSION_IDLE_MINUTES": _whole_number("FUND_SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES),
        "SESSION_MAX_HOURS": _whole_number("FUND_SESSION_MAX_HOURS", DEFAULT_MAX_HOURS),
        "API_TOKEN_DAYS": _whole_number("FUND_API_TOKEN_DAYS", DEFAULT_API_TOKEN_DAYS),
        # Reverse proxies in front of the app that set X-Forwarded-For (0: none, trust nothing).
        "TRUSTED_PROXIES": _count("FUND_TRUSTED_PROXIES"),
    }
    # Passkeys: the site's origin and relying-party id; unset, they follow the request's host.
    for key in ("WEBAUTHN_ORIGIN", "WEBAUTHN_RP_ID"):
        value = os.environ.get(f"FUND_{key}", "").strip()
        if value:
            found[key] = value
    helpline = os.environ.get("FUND_CLAIMS_HELPLINE", "").strip()
    if helpline:
        found["CLAIMS_HELPLINE"] = helpline
    bands = os.environ.get("FUND_APPROVAL_BANDS", "").strip()
    if bands:
        try:
            found["APPROVAL_BANDS"] = [list(band) for band in bands_from_text(bands)]
        except ValueError as error:
            raise ConfigInvalid(f"FUND_APPROVAL_BANDS: {error}") from None
    deadlines = os.environ.get("FUND_CLAIM_DEADLINES", "").strip()
    if deadlines:
        days: dict[str, int] = {}
        for part in deadlines.split(","):
            kind, _, count = part.strip().partition(":")
            if kind not in CLAIM_KINDS or not count.isdecimal() or int(count) < 1:
                raise ConfigInvalid(
                    f"FUND_CLAIM_DEADLINES: {part.strip()!r} is not KIND:DAYS with a kind of "
                    f"{', '.join(CLAIM_KINDS)} and at least one day"
                )
            days[kind] = int(count)
        found["CLAIM_DEADLINES"] = days
    return found


class ConfigInvalid(ValueError):
    """A setting in the environment the fund cannot use; the message names it."""
