"""Constants of the Moogo cloud API."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

DEFAULT_BASE_URL: Final = "https://api.moogo.com"
# Seconds; applies only to a session the client creates for itself.
DEFAULT_TIMEOUT: Final = 15.0
TOKEN_HEADER: Final = "token"  # noqa: S105 - a header name, not a secret

CODE_OK: Final = 0
CODE_RATE_LIMITED: Final = 10000
CODE_BAD_CREDENTIALS: Final = 10104
CODE_DEVICE_OFFLINE: Final = 10201
CODE_FROST_LOCKED: Final = 10202
CODE_UNAUTHORIZED: Final = 401
CODE_NOT_FOUND: Final = 404
CODE_SERVER_ERROR: Final = 500


class MistMode(StrEnum):
    """The ``mode`` a start carries, as the official app sends it."""

    #: The app's Start and Stop buttons: a mist of the configured duration.
    NORMAL = "normal"
    #: The app's device self-test: about three minutes, then it stops by itself.
    SELF_TEST = "self-test"


class MessageBox(StrEnum):
    """The lists of the account's message centre, as the official app reads them.

    Which message goes to which list is not known; the app calls its alerts
    (no water inflow, low temperature, concentrate running low) notices.
    """

    #: ``GET v1/users/{userId}/messages``
    MESSAGES = "messages"
    #: ``GET v1/users/{userId}/messages/notice``
    NOTICES = "notice"
    #: ``GET v1/users/{userId}/messages/log``
    LOG = "log"


# A Retry-After header is believed up to this many seconds (a day); more is
# cut to it, a date in the past is 0.
MAX_RETRY_AFTER_SECONDS: Final = 24 * 3600

# A token this close to its expiry is renewed before use rather than after a 401.
TOKEN_EXPIRY_MARGIN_SECONDS: Final = 60

# Page sizes of the official app's list reads, so the cloud is known to accept
# them; the server's own default page size is unknown (the simulator's is 10).
DEVICES_PAGE_SIZE: Final = 999
SCHEDULES_PAGE_SIZE: Final = 20
SPRAY_HISTORY_PAGE_SIZE: Final = 9999
MESSAGE_PAGE_SIZES: Final = {
    MessageBox.MESSAGES: 20,
    MessageBox.NOTICES: 9999,
    MessageBox.LOG: 9999,
}
# A list read stops after this many pages whatever the cloud claims: a server
# that keeps sending new pages must not keep a read (or a poll) going forever.
MAX_PAGES: Final = 50

# After a login is refused as rate limited, the client signs in no more for
# this long: the cloud's lock lasts about 24 hours and every attempt during it
# restarts the lock, so the client waits it out plus a margin.
LOGIN_BACKOFF_SECONDS: Final = 24 * 3600 + 15 * 60

# The sign-in budget. Automatic sign-ins are spaced by this floor on average
# (one spare: a token that worked and is then revoked gets one re-login at
# once); after a sign-in that yields no working token the next waits the whole
# floor. About 6 sign-ins an hour at most, whatever the cloud answers.
LOGIN_FLOOR_SECONDS: Final = 10 * 60
# After this many sign-in answers in a row that give no working token (data
# null or garbled, the token rejected at once), the client stops signing in
# until it is told it may (``allow_login``).
MAX_UNUSABLE_LOGINS: Final = 3
# A token lifetime below this is not believed (a ttl in minutes, say): the
# token is used until the cloud rejects it. Above the maximum, it never expires.
MIN_TOKEN_TTL_SECONDS: Final = 10 * 60
MAX_TOKEN_TTL_SECONDS: Final = 10 * 365 * 24 * 3600
