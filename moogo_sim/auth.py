"""Accounts, logins, tokens and the login lockout.

The real service locks an account for about a day after too many failed
logins and answers every login in that time with code 10000; a retry loop
makes it longer. Modelling this faithfully is what lets the client's
"never retry a rate-limit answer" rule be tested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import logging
import secrets

from .protocol import CODE_RATE_LIMITED, CODE_WRONG_CREDENTIALS, ApiError
from .state import SimAccount

_LOGGER = logging.getLogger(__name__)


def normalize_email(email: str) -> str:
    """Return the form emails are compared in (case and spaces ignored)."""
    return email.strip().lower()


class AuthService:
    """Owns the accounts and decides who a request's token belongs to."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        token_ttl: int,
        lockout_after: int,
        lockout_seconds: int,
    ) -> None:
        """Store the clock and the token / lockout policy."""
        self._clock = clock
        self.token_ttl = token_ttl
        self.lockout_after = lockout_after
        self.lockout_seconds = lockout_seconds
        self._accounts: dict[str, SimAccount] = {}
        self._token_owner: dict[str, str] = {}
        self._next_user_number = 100001

    # -- accounts -------------------------------------------------------

    def add_account(self, email: str, password: str) -> SimAccount:
        """Create an account; emails are unique regardless of case."""
        key = normalize_email(email)
        if key in self._accounts:
            raise ValueError(f"account {email} exists already")
        # Sequential ids keep snapshots of entities built on them stable.
        account = SimAccount(
            email,
            password,
            str(self._next_user_number),
            nickname=email.strip().split("@", 1)[0],
        )
        self._next_user_number += 1
        self._accounts[key] = account
        return account

    def account(self, email: str) -> SimAccount:
        """Return the account for ``email``; KeyError if there is none."""
        try:
            return self._accounts[normalize_email(email)]
        except KeyError:
            raise KeyError(f"no account {email}") from None

    def __iter__(self) -> Iterator[SimAccount]:
        """Iterate over the accounts in creation order."""
        return iter(self._accounts.values())

    def change_password(self, email: str, new_password: str) -> None:
        """Set a new password; like the real service, old tokens stop working."""
        account = self.account(email)
        account.password = new_password
        self.revoke(email)

    # -- logins -------------------------------------------------------------

    def login(self, email: str, password: str) -> tuple[SimAccount, str]:
        """Check the credentials and return the account and a new token.

        Raises ApiError 10104 for wrong credentials and 10000 while locked.
        """
        now = self._clock()
        account = self._accounts.get(normalize_email(email))
        if account is None:
            # Same answer as a wrong password: the service does not tell
            # which emails exist.
            raise ApiError.business(CODE_WRONG_CREDENTIALS, "wrong email or password")
        if account.locked_until is not None and now < account.locked_until:
            # Hammering a locked account extends the lockout.
            account.locked_until = now + self.lockout_seconds
            _LOGGER.debug("Login refused for %s: account locked", account.email)
            raise _locked_error()
        if not secrets.compare_digest(account.password, password):
            account.failed_logins += 1
            if account.failed_logins >= self.lockout_after:
                account.locked_until = now + self.lockout_seconds
                account.failed_logins = 0
                _LOGGER.info("Account %s locked after failed logins", account.email)
            raise ApiError.business(CODE_WRONG_CREDENTIALS, "wrong email or password")
        account.failed_logins = 0
        account.locked_until = None
        account.login_count += 1
        token = secrets.token_hex(24)
        account.tokens[token] = now + self.token_ttl
        self._token_owner[token] = normalize_email(account.email)
        _LOGGER.debug("Login %d for %s", account.login_count, account.email)
        return account, token

    def authenticate(self, token: str | None) -> SimAccount:
        """Return the account a token belongs to; ApiError 401 otherwise."""
        if not token:
            raise ApiError.unauthorized("token missing")
        owner = self._token_owner.get(token)
        if owner is None:
            raise ApiError.unauthorized()
        account = self._accounts[owner]
        expires_at = account.tokens.get(token)
        if expires_at is None or self._clock() >= expires_at:
            self._forget(token)
            raise ApiError.unauthorized()
        return account

    def revoke(self, email: str | None = None) -> int:
        """Revoke every token, or one account's; return how many died."""
        accounts = list(self) if email is None else [self.account(email)]
        revoked = 0
        for account in accounts:
            for token in list(account.tokens):
                self._forget(token)
                revoked += 1
        return revoked

    def _forget(self, token: str) -> None:
        # The index and the accounts' token dicts always change together.
        owner = self._token_owner.pop(token)
        del self._accounts[owner].tokens[token]

    def is_locked(self, account: SimAccount) -> bool:
        """Tell whether logins for ``account`` are refused right now."""
        return account.locked_until is not None and self._clock() < account.locked_until


def _locked_error() -> ApiError:
    return ApiError.business(
        CODE_RATE_LIMITED, "too many login attempts, try again in 24 hours"
    )
