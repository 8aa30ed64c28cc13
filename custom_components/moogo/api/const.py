"""Constants of the Moogo cloud API."""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.moogo.com"
# Seconds; applies only to a session the client creates for itself.
DEFAULT_TIMEOUT: Final = 15.0
TOKEN_HEADER: Final = "token"  # noqa: S105 - a header name, not a secret

CODE_OK: Final = 0
CODE_RATE_LIMITED: Final = 10000
CODE_BAD_CREDENTIALS: Final = 10104
CODE_DEVICE_OFFLINE: Final = 10201
CODE_UNAUTHORIZED: Final = 401
CODE_NOT_FOUND: Final = 404
CODE_SERVER_ERROR: Final = 500

# A token this close to its expiry is renewed before use rather than after a 401.
TOKEN_EXPIRY_MARGIN_SECONDS: Final = 60

# Page sizes of the official app's list reads, so the cloud is known to accept
# them; the server's own default page size is unknown (the simulator's is 10).
DEVICES_PAGE_SIZE: Final = 999
SCHEDULES_PAGE_SIZE: Final = 20
SPRAY_HISTORY_PAGE_SIZE: Final = 9999
# A list read stops after this many pages whatever the cloud claims: a server
# that keeps sending new pages must not keep a read (or a poll) going forever.
MAX_PAGES: Final = 50

# After a login is refused as rate limited, the client signs in no more for
# this long: the cloud's lock lasts about 24 hours and every attempt during it
# restarts the lock, so the client waits it out plus a margin.
LOGIN_BACKOFF_SECONDS: Final = 24 * 3600 + 15 * 60
