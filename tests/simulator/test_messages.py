"""The message centre: the lists, the unread count, the events that file messages."""

from __future__ import annotations

from typing import Any

import pytest

from moogo_sim import DEMO_EMAIL, MoogoSimulator
from moogo_sim.messages import MessageType
from tests.common import START_TIME, TEST_EMAIL, TEST_PASSWORD, FakeClock

from .conftest import Api

START = int(START_TIME)
OTHER_EMAIL = "neighbour@example.com"
LISTS = {"messages": "", "notice": "/notice", "log": "/log"}


def _path(user_id: str, tail: str = "") -> str:
    return f"/v1/users/{user_id}/messages{tail}"


def _user(sim: MoogoSimulator, email: str = TEST_EMAIL) -> str:
    return sim.account(email).user_id


async def _items(api: Api, box: str, **params: str) -> list[dict[str, Any]]:
    reply = await api.get(_path(_user(api.sim), LISTS[box]), params=params)
    assert (reply.status, reply.code) == (200, 0), reply.text
    assert reply.data["total"] >= len(reply.data["items"])
    return list(reply.data["items"])


async def _unread(api: Api) -> int:
    reply = await api.get(_path(_user(api.sim), "/unread-count"))
    assert reply.code == 0, reply.text
    return int(reply.data["unReadCount"])


@pytest.mark.parametrize("box", sorted(LISTS))
async def test_a_new_account_has_empty_lists(api: Api, box: str) -> None:
    await api.login()

    reply = await api.get(_path(_user(api.sim), LISTS[box]))

    assert reply.data == {"items": [], "total": 0}
    assert await _unread(api) == 0


async def test_a_tank_running_empty_files_a_notice_once(
    clocked_api: Api, clocked_sim: MoogoSimulator, clocked_device: str
) -> None:
    sim = clocked_sim
    sim.set_tank_level(clocked_device, "water", 0)
    sim.set_tank_level(clocked_device, "water", 0)  # still empty: nothing new
    sim.set_tank_level(clocked_device, "concentrate", "low")  # no level: nothing
    sim.set_tank_level(clocked_device, "concentrate", 0)
    await clocked_api.login()

    notices = await _items(clocked_api, "notice")

    assert notices == [
        {
            "id": 2,
            "type": MessageType.CONCENTRATE_LOW,
            "title": "Concentrate is running low",
            "content": notices[0]["content"],
            "deviceName": "Front Yard",
            "createdAt": START,
            "isRead": 0,
            "targetId": clocked_device,
            "fromEmail": None,
            "fromNickname": None,
            "toEmail": None,
            "inviteStatus": None,
        },
        {**notices[1], "id": 1, "type": MessageType.NO_WATER_INFLOW},
    ]
    assert notices[0]["content"].startswith("Front Yard is out of concentrate")
    assert notices[1]["title"] == "Device Monitoring No Water Inflow"
    assert sim.device(clocked_device).water_level == 0
    assert await _items(clocked_api, "messages") == []
    assert await _items(clocked_api, "log") == []


async def test_a_refilled_tank_that_empties_again_files_again(
    moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    sim = moogo_simulator
    for level in (0, 1, 0, True, False):
        sim.set_tank_level(device_ids[0], "water", level)

    # A boolean is no level (False is not 0 here): two emptyings, two notices.
    assert [m.type for m in sim.messages_of(TEST_EMAIL)] == [
        MessageType.NO_WATER_INFLOW
    ] * 2


async def test_going_offline_files_a_log_entry(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    sim = moogo_simulator
    sim.set_online(device_ids[1], False)
    sim.set_online(device_ids[1], False)
    sim.set_online(device_ids[1], True)  # coming back files nothing
    await api.login()

    (entry,) = await _items(api, "log")

    assert (entry["type"], entry["title"], entry["deviceName"]) == (
        MessageType.DEVICE_OFFLINE,
        "Device offline",
        "Back Yard",
    )
    assert entry["targetId"] == device_ids[1]


async def test_a_new_firmware_offer_files_a_message(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    sim = moogo_simulator
    sim.offer_firmware(device_ids[0], "1.2.3")  # what it runs: no offer
    sim.offer_firmware(device_ids[0], "2.0.0")
    sim.offer_firmware(device_ids[0], "2.0.0")  # offered already
    await api.login()

    (message,) = await _items(api, "messages")

    assert message["type"] == MessageType.FIRMWARE_OFFER
    assert message["content"] == "Firmware 2.0.0 is available for Front Yard."


async def test_installing_firmware_files_no_offline_entry(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    sim = moogo_simulator
    sim.configure(firmware_install_seconds=60)
    sim.offer_firmware(device_ids[0], "2.0.0")
    await api.login()

    reply = await api.post(f"/v1/devices/{device_ids[0]}/otaUpdate")

    assert reply.data["updating"] is True
    assert sim.device(device_ids[0]).online is False
    assert await _items(api, "log") == []


async def test_messages_are_per_account(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    sim = moogo_simulator
    sim.add_account(OTHER_EMAIL, "pw")
    theirs = sim.add_device(OTHER_EMAIL, name="Their Yard")
    sim.set_online(theirs.device_id, False)
    sim.set_online(device_ids[0], False)
    await api.login()

    (mine,) = await _items(api, "log")

    assert mine["deviceName"] == "Front Yard"
    assert [m.device_name for m in sim.messages_of(OTHER_EMAIL)] == ["Their Yard"]


@pytest.mark.parametrize("tail", [*LISTS.values(), "/unread-count"])
async def test_another_users_id_is_not_found(
    api: Api, moogo_simulator: MoogoSimulator, tail: str
) -> None:
    sim = moogo_simulator
    sim.add_account(OTHER_EMAIL, "pw")
    sim.add_message(OTHER_EMAIL, "Private")
    await api.login()

    foreign = await api.get(_path(_user(sim, OTHER_EMAIL), tail))
    unknown = await api.get(_path("999999", tail))
    anonymous = await api.get(_path(_user(sim), tail), token=None)

    # As for another account's device: the same answer as for no such user.
    assert (foreign.status, foreign.code, foreign.data) == (404, 404, None)
    assert (unknown.status, unknown.code) == (404, 404)
    assert (anonymous.status, anonymous.code) == (401, 401)


async def test_lists_page_newest_first(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    for number in range(25):
        moogo_simulator.add_message(
            TEST_EMAIL, f"Message {number}", box="notice", created_at=START + number
        )
    await api.login()
    path = _path(_user(moogo_simulator), "/notice")

    first = (await api.get(path, params={"page": "1", "pageSize": "10"})).data
    third = (await api.get(path, params={"page": "3", "pageSize": "10"})).data
    default = (await api.get(path)).data
    bad = await api.get(path, params={"pageSize": "0"})

    assert first["total"] == third["total"] == 25
    assert [item["title"] for item in first["items"]] == [
        f"Message {number}" for number in range(24, 14, -1)
    ]
    assert [item["createdAt"] for item in third["items"]] == [
        START + number for number in range(4, -1, -1)
    ]
    assert default["items"] == first["items"]
    assert (bad.status, bad.code) == (400, 400)


async def test_reading_marks_nothing_read(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    sim = moogo_simulator
    sim.set_online(device_ids[0], False)
    sim.set_tank_level(device_ids[0], "water", 0)
    sim.add_message(TEST_EMAIL, "Welcome")
    sim.add_message(TEST_EMAIL, "Old news", is_read=True)
    await api.login()

    for box in LISTS:
        await _items(api, box)
        await _items(api, box)

    assert await _unread(api) == 3
    assert {m.title: m.is_read for m in sim.messages_of(TEST_EMAIL)} == {
        "Device offline": False,
        "Device Monitoring No Water Inflow": False,
        "Welcome": False,
        "Old news": True,
    }


async def test_the_unread_count_spans_every_list(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    sim = moogo_simulator
    first = sim.add_message(TEST_EMAIL, "One", box="messages")
    sim.add_message(TEST_EMAIL, "Two", box="notice")
    sim.add_message(TEST_EMAIL, "Three", box="log")
    await api.login()
    before = await _unread(api)

    marked = sim.mark_messages_read(TEST_EMAIL, [first.message_id])
    after_one = await _unread(api)
    marked_rest = sim.mark_messages_read(TEST_EMAIL)

    assert (before, marked, after_one, marked_rest) == (3, 1, 2, 2)
    assert await _unread(api) == 0
    assert (await _items(api, "messages"))[0]["isRead"] == 1


async def test_odd_fields_go_out_as_given(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.add_message(
        TEST_EMAIL,
        "Odd",
        overrides={"createdAt": "yesterday", "isRead": True},
        missing_fields={"deviceName", "content"},
    )
    await api.login()

    (item,) = await _items(api, "messages")

    assert (item["createdAt"], item["isRead"]) == ("yesterday", True)
    assert "deviceName" not in item
    assert "content" not in item


async def test_faults_can_break_only_the_message_centre(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.add_message(TEST_EMAIL, "Hello", created_at=START + 0.5)
    await api.login()
    user_id = _user(moogo_simulator)

    moogo_simulator.faults.update({"http_status": 503, "paths": ["/messages"]})
    broken = [await api.get(_path(user_id, tail)) for tail in LISTS.values()]
    broken.append(await api.get(_path(user_id, "/unread-count")))
    devices = await api.get("/v1/devices")
    moogo_simulator.reset_faults()
    moogo_simulator.faults.update({"ms_timestamps": True, "paths": ["/messages"]})
    (item,) = await _items(api, "messages")

    assert {reply.status for reply in broken} == {503}
    assert devices.code == 0
    assert item["createdAt"] == START * 1000 + 500


async def test_admin_files_any_message(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    reply = await api.post(
        "/_admin/messages",
        json_body={
            "email": TEST_EMAIL,
            "title": "Low temperature Alert",
            "content": "Bring it indoors",
            "box": "notice",
            "type": 7,
            "device_id": device_ids[0],
            "created_at": START,
            "missing_fields": ["toEmail"],
        },
        token=None,
    )
    await api.login()

    assert reply.status == 201
    assert reply.body["box"] == "notice"
    (item,) = await _items(api, "notice")
    assert item == {k: v for k, v in reply.body.items() if k != "box"}
    assert (item["type"], item["deviceName"], item["targetId"]) == (
        7,
        "Front Yard",
        device_ids[0],
    )
    assert item["createdAt"] == START
    assert "toEmail" not in item


async def test_admin_marks_messages_read(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    message = moogo_simulator.add_message(TEST_EMAIL, "Read me")
    moogo_simulator.add_message(TEST_EMAIL, "And me")

    one = await api.post(
        "/_admin/messages/read",
        json_body={"email": TEST_EMAIL, "ids": [message.message_id]},
        token=None,
    )
    rest = await api.post(
        "/_admin/messages/read", json_body={"email": TEST_EMAIL}, token=None
    )

    assert (one.body, rest.body) == ({"marked": 1}, {"marked": 1})
    assert all(m.is_read for m in moogo_simulator.messages_of(TEST_EMAIL))


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/_admin/messages", {"title": "No email"}, 400),
        ("/_admin/messages", {"email": TEST_EMAIL}, 400),
        ("/_admin/messages", {"email": TEST_EMAIL, "title": 5}, 400),
        ("/_admin/messages", {"email": TEST_EMAIL, "title": "t", "box": "x"}, 400),
        ("/_admin/messages", {"email": TEST_EMAIL, "title": "t", "type": "1"}, 400),
        ("/_admin/messages", {"email": TEST_EMAIL, "title": "t", "colour": 1}, 400),
        ("/_admin/messages", {"email": "nobody@example.com", "title": "t"}, 404),
        (
            "/_admin/messages",
            {"email": TEST_EMAIL, "title": "t", "device_id": "X"},
            404,
        ),
        ("/_admin/messages/read", {}, 400),
        ("/_admin/messages/read", {"email": TEST_EMAIL, "ids": ["1"]}, 400),
        ("/_admin/messages/read", {"email": "nobody@example.com"}, 404),
    ],
)
async def test_admin_refuses_bad_message_requests(
    api: Api, path: str, body: dict[str, Any], status: int
) -> None:
    reply = await api.post(path, json_body=body, token=None)

    assert reply.status == status
    assert "error" in reply.body
    assert api.sim.messages_of(TEST_EMAIL) == []


async def test_admin_emptying_a_tank_files_its_notice(
    api: Api, moogo_simulator: MoogoSimulator, device_ids: list[str]
) -> None:
    reply = await api.post(
        f"/_admin/devices/{device_ids[0]}",
        json_body={"liquid_level": 0, "water_level": 1, "humidity": 40},
        token=None,
    )

    assert reply.status == 200
    assert (reply.body["liquid_level"], reply.body["humidity"]) == (0, 40)
    (message,) = moogo_simulator.messages_of(TEST_EMAIL, "notice")
    assert message.type == MessageType.CONCENTRATE_LOW


async def test_the_admin_state_shows_each_accounts_messages(
    api: Api, moogo_simulator: MoogoSimulator
) -> None:
    moogo_simulator.add_message(TEST_EMAIL, "Hello", box="log")

    state = (await api.get("/_admin/state", token=None)).body

    (message,) = state["accounts"][0]["messages"]
    assert (message["box"], message["title"], message["isRead"]) == ("log", "Hello", 0)


def test_a_message_list_must_exist() -> None:
    sim = MoogoSimulator()
    sim.add_account(TEST_EMAIL, TEST_PASSWORD)

    with pytest.raises(ValueError, match="no message list"):
        sim.add_message(TEST_EMAIL, "Lost", box="inbox")  # type: ignore[arg-type]


def test_the_demo_account_has_a_few_messages(clock: FakeClock) -> None:
    sim = MoogoSimulator.seeded_demo(clock=clock)

    messages = sim.messages_of(DEMO_EMAIL)

    assert {m.box for m in messages} == {"messages", "notice", "log"}
    assert [(m.device_name, m.type, m.is_read) for m in messages] == [
        ("Garden Mister", MessageType.NO_WATER_INFLOW, False),
        ("Patio Mister", MessageType.FIRMWARE_OFFER, False),
        ("Garage Mister", MessageType.DEVICE_OFFLINE, False),
        ("Patio Mister", MessageType.CONCENTRATE_LOW, True),
        ("Garage Mister", MessageType.FIRMWARE_OFFER, True),
    ]
    assert all(m.created_at < clock.now for m in messages)
    assert sim.messages.unread_count(sim.account(DEMO_EMAIL).user_id) == 3
