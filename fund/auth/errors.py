"""Domain errors of the auth area."""

from __future__ import annotations


class AuthError(Exception):
    """Base of refusals in the auth area; the message is safe to show."""


class UsernameTaken(AuthError):
    """Another user already has this username."""


class BrandRequired(AuthError):
    """A brand user must be tied to a known brand, and only brand users may be."""


class PasswordTooWeak(AuthError):
    """The new password does not meet the minimum rules."""


class WrongPassword(AuthError):
    """The current password given to confirm a change is not the user's."""


class RoleRefused(AuthError):
    """A role change the rules refuse (segregation of duties, a brand's tie)."""


class TooManyAttempts(WrongPassword):
    """Too many wrong passwords or codes in a row: the account waits before checking more."""


class SecondFactorRefused(AuthError):
    """A second-factor code that is wrong, used already, or not enrolled."""


class TokenExpired(AuthError):
    """An API token past its ``expires_at``: the client needs a new one."""
