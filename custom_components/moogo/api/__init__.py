"""Async client of the Moogo cloud API (aiohttp only; no Home Assistant imports)."""

from .auth import SignInState
from .client import MoogoClient
from .const import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, MistMode
from .exceptions import (
    MoogoApiError,
    MoogoAuthError,
    MoogoConnectionError,
    MoogoDeviceError,
    MoogoDeviceOfflineError,
    MoogoError,
    MoogoFrostError,
    MoogoInvalidIdError,
    MoogoLoginBlockedError,
    MoogoLoginDeferredError,
    MoogoNotFoundError,
    MoogoRateLimitError,
    MoogoRedirectError,
    MoogoResponseError,
    MoogoSessionClosedError,
)
from .models import (
    Device,
    DeviceConfig,
    FirmwareInfo,
    Liquid,
    MoogoToken,
    Schedule,
    ScheduleList,
    SprayRecord,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "Device",
    "DeviceConfig",
    "FirmwareInfo",
    "Liquid",
    "MistMode",
    "MoogoApiError",
    "MoogoAuthError",
    "MoogoClient",
    "MoogoConnectionError",
    "MoogoDeviceError",
    "MoogoDeviceOfflineError",
    "MoogoError",
    "MoogoFrostError",
    "MoogoInvalidIdError",
    "MoogoLoginBlockedError",
    "MoogoLoginDeferredError",
    "MoogoNotFoundError",
    "MoogoRateLimitError",
    "MoogoRedirectError",
    "MoogoResponseError",
    "MoogoSessionClosedError",
    "MoogoToken",
    "Schedule",
    "ScheduleList",
    "SignInState",
    "SprayRecord",
]
