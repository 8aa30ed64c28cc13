"""Request bodies as form fields or JSON, and the request log of the contract test."""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import MoogoSimulator, RecordedRequest
from moogo_sim.app_api import APP_ROUTES
from moogo_sim.cloud import REQUEST_LOG_SIZE
from tests.common import TEST_EMAIL, TEST_PASSWORD

from .conftest import Api

LOGIN = "/v1/user/login"
FORM = "application/x-www-form-urlencoded"


async def test_login_with_the_apps_form_fields(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    reply = await api.post(
        LOGIN,
        form={"email": TEST_EMAIL, "password": TEST_PASSWORD, "keep": "true"},
        token=None,
    )

    assert reply.code == 0, reply.text
    assert reply.data["userId"] == moogo_simulator.account(TEST_EMAIL).user_id
    assert (await api.get("/v1/devices", token=reply.data["token"])).code == 0


@pytest.mark.parametrize(
    "form",
    [
        {"email": TEST_EMAIL, "password": TEST_PASSWORD, "keep": "yes"},
        {"email": TEST_EMAIL, "password": TEST_PASSWORD, "keep": "1"},
        {"email": TEST_EMAIL},
        {"email": " ", "password": TEST_PASSWORD},
        {"email": TEST_EMAIL, "password": TEST_PASSWORD, "remember": "true"},
    ],
)
async def test_bad_login_forms_answer_400(
    api: Api, moogo_simulator: MoogoSimulator, form: dict[str, str]
) -> None:
    reply = await api.post(LOGIN, form=form, token=None)

    assert (reply.status, reply.code) == (400, 400)
    assert moogo_simulator.account(TEST_EMAIL).login_count == 0


async def test_a_wrong_password_in_a_form_is_10104(api: Api) -> None:
    reply = await api.post(
        LOGIN, form={"email": TEST_EMAIL, "password": "wrong"}, token=None
    )

    assert (reply.status, reply.code) == (200, 10104)


async def test_a_repeated_form_field_keeps_its_first_value(api: Api) -> None:
    reply = await api.post(
        LOGIN,
        raw=f"email={TEST_EMAIL}&password={TEST_PASSWORD}&password=wrong",
        headers={"Content-Type": FORM},
        token=None,
    )

    assert reply.code == 0


async def test_a_form_body_in_another_charset_than_declared_is_400(api: Api) -> None:
    reply = await api.post(
        LOGIN,
        raw="email=%C3%A9",
        headers={"Content-Type": f"{FORM}; charset=no-such-charset"},
        token=None,
    )

    assert (reply.status, reply.code) == (400, 400)


@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({}, None),  # no body at all
        ({"json_body": {}}, None),  # pymoogo
        ({"json_body": {"mode": "normal"}}, None),
        ({"json_body": {"mode": "manual"}}, None),  # the community notes' mode
        ({"form": {"mode": "normal"}}, None),  # the app's Start button
        ({"raw": "mode=normal"}, {"Content-Type": f"{FORM}; charset=UTF-8"}),
    ],
)
async def test_start_and_stop_take_every_known_body(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    kwargs: dict[str, Any],
    headers: dict[str, str] | None,
) -> None:
    await api.login()
    base = f"/v1/devices/{device_ids[0]}"

    started = await api.post(f"{base}/start", headers=headers, **kwargs)
    spraying = moogo_simulator.is_spraying(device_ids[0])
    stopped = await api.post(f"{base}/stop", headers=headers, **kwargs)

    assert (started.code, stopped.code) == (0, 0), (started.text, stopped.text)
    assert spraying
    assert not moogo_simulator.is_spraying(device_ids[0])


@pytest.mark.parametrize(
    ("kwargs", "headers"),
    [
        ({"json_body": {"mode": 1}}, None),
        ({"json_body": {"mode": None}}, None),
        ({"json_body": {"mode": ["normal"]}}, None),
        ({"json_body": {"duration": 30}}, None),
        ({"raw": "[]"}, None),
        ({"raw": "{}"}, {"Content-Type": "text/plain"}),
    ],
)
async def test_bad_start_bodies_answer_400_and_start_nothing(
    api: Api,
    moogo_simulator: MoogoSimulator,
    device_ids: list[str],
    kwargs: dict[str, Any],
    headers: dict[str, str] | None,
) -> None:
    await api.login()

    reply = await api.post(
        f"/v1/devices/{device_ids[0]}/start", headers=headers, **kwargs
    )

    assert (reply.status, reply.code) == (400, 400)
    assert not moogo_simulator.is_spraying(device_ids[0])


async def test_a_body_check_comes_after_the_token_check(api: Api) -> None:
    reply = await api.post("/v1/devices/MGNONE/start", raw="{broken", token=None)

    assert (reply.status, reply.code) == (401, 401)


async def test_the_request_log_records_what_each_request_carried(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.post(
        LOGIN,
        form={"email": TEST_EMAIL, "password": TEST_PASSWORD, "keep": "true"},
        token=None,
    )
    await api.login()
    await api.get("/v1/devices", params={"page": "1", "pageSize": "999"})
    await api.post(f"/v1/devices/{device_ids[0]}/start")
    await api.put(
        f"/v1/devices/{device_ids[0]}/update",
        raw="{}",
        headers={"Content-Type": "text/plain"},
    )
    await api.get("/v1/nowhere", token=None)
    await api.get("/_admin/state", token=None)  # the control plane is not logged

    assert list(moogo_simulator.request_log) == [
        RecordedRequest(
            "POST", LOGIN, "form", frozenset({"email", "password", "keep"}), frozenset()
        ),
        RecordedRequest(
            "POST", LOGIN, "json", frozenset({"email", "password", "keep"}), frozenset()
        ),
        RecordedRequest(
            "GET", "/v1/devices", "none", frozenset(), frozenset({"page", "pageSize"})
        ),
        RecordedRequest(
            "POST", "/v1/devices/{device_id}/start", "none", frozenset(), frozenset()
        ),
        RecordedRequest(
            "PUT", "/v1/devices/{device_id}/update", "other", frozenset(), frozenset()
        ),
        RecordedRequest("GET", "/v1/nowhere", "none", frozenset(), frozenset()),
    ]
    assert moogo_simulator.request_log[0].key in APP_ROUTES


async def test_the_request_log_keeps_a_bad_bodys_fields_and_the_handler_its_body(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    await api.login()
    moogo_simulator.reset_counts()

    reply = await api.put(
        f"/v1/devices/{device_ids[0]}/configs",
        json_body={"sprayingSeconds": 30, "syncStatus": True},
    )

    assert reply.code == 400
    (logged,) = moogo_simulator.request_log
    assert logged.body_fields == {"sprayingSeconds", "syncStatus"}
    assert logged.encoding == "json"


async def test_the_request_log_is_bounded_and_reset_with_the_counts(
    moogo_simulator: MoogoSimulator,
) -> None:
    entry = RecordedRequest("GET", "/v1/liquid", "none", frozenset(), frozenset())
    for _ in range(REQUEST_LOG_SIZE + 5):
        moogo_simulator.record_request(entry)

    assert len(moogo_simulator.request_log) == REQUEST_LOG_SIZE
    assert moogo_simulator.request_counts == {"GET /v1/liquid": REQUEST_LOG_SIZE + 5}
    moogo_simulator.reset_counts()
    assert list(moogo_simulator.request_log) == []


def test_every_served_route_is_a_row_of_the_apps_table() -> None:
    app = MoogoSimulator().build_app()
    served = {
        f"{route.method} {route.resource.canonical}"
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/v1/")
        and route.method != "HEAD"
    }

    assert served == set(APP_ROUTES)
