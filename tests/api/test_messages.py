"""The message centre through the client: read whole, typed, and never marked read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
import pytest

from custom_components.moogo import api as public_api
from custom_components.moogo.api import (
    Message,
    MessageBox,
    MoogoClient,
    MoogoConnectionError,
    MoogoInvalidIdError,
    MoogoNotFoundError,
    MoogoResponseError,
    MoogoToken,
)
from custom_components.moogo.api.models import parse_unread_count
from moogo_sim import MoogoSimulator
from moogo_sim.app_api import APP_ROUTES
from moogo_sim.messages import MessageType
from tests.common import START_TIME, TEST_EMAIL, logins

from .conftest import ClientFactory
from .http_stub import serve

START = int(START_TIME)
START_MOMENT = datetime.fromtimestamp(START, UTC)
MESSAGES = "/v1/users/{user_id}/messages"
ROUTES = {
    MessageBox.MESSAGES: f"GET {MESSAGES}",
    MessageBox.NOTICES: f"GET {MESSAGES}/notice",
    MessageBox.LOG: f"GET {MESSAGES}/log",
}
UNREAD_ROUTE = f"GET {MESSAGES}/unread-count"
SIM_BOX = {
    MessageBox.MESSAGES: "messages",
    MessageBox.NOTICES: "notice",
    MessageBox.LOG: "log",
}


@pytest.fixture
async def signed_in(client: MoogoClient, sim: MoogoSimulator) -> MoogoClient:
    """The test client, signed in, with the simulator's counters reset."""
    await client.authenticate()
    sim.reset_counts()
    return client


def _fill(sim: MoogoSimulator, box: MessageBox, count: int) -> None:
    for number in range(count):
        sim.add_message(
            TEST_EMAIL, f"Message {number}", box=SIM_BOX[box], created_at=START + number
        )


def test_the_names_are_exported() -> None:
    assert {"Message", "MessageBox"} <= set(public_api.__all__)


async def test_each_event_reaches_its_list_as_a_typed_message(
    sim: MoogoSimulator, signed_in: MoogoClient, device_ids: list[str]
) -> None:
    front, back = device_ids
    sim.set_tank_level(front, "water", 0)
    sim.set_tank_level(back, "concentrate", 0)
    sim.set_online(back, False)
    sim.offer_firmware(front, "2.0.0")

    notices = await signed_in.get_messages(MessageBox.NOTICES)
    log = await signed_in.get_messages(MessageBox.LOG)
    messages = await signed_in.get_messages()

    assert [(m.kind, m.device_name, m.target_id) for m in notices] == [
        (MessageType.CONCENTRATE_LOW, "Back Yard", back),
        (MessageType.NO_WATER_INFLOW, "Front Yard", front),
    ]
    assert notices[1].title == "Device Monitoring No Water Inflow"
    assert [(m.kind, m.title, m.device_name) for m in log] == [
        (MessageType.DEVICE_OFFLINE, "Device offline", "Back Yard")
    ]
    (offer,) = messages
    assert offer.kind == MessageType.FIRMWARE_OFFER
    assert offer.content == "Firmware 2.0.0 is available for Front Yard."
    assert offer.read is False
    assert offer.created_at is not None
    assert abs(offer.created_at.timestamp() - sim.now()) < 60
    assert [m.message_id for m in (*notices, *log, *messages)] == ["2", "1", "3", "4"]


async def test_the_admin_knob_files_any_message(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    sim.add_message(
        TEST_EMAIL,
        "Low temperature Alert",
        "Add antifreeze to tank 1",
        box="notice",
        message_type=42,
        device_name="Shed",
        created_at=START,
        is_read=True,
    )

    (message,) = await signed_in.get_messages(MessageBox.NOTICES)

    assert message == Message(
        message_id=message.message_id,
        kind=42,
        title="Low temperature Alert",
        content="Add antifreeze to tank 1",
        device_name="Shed",
        created_at=START_MOMENT,
        read=True,
    )


# The app's page sizes: 20 for messages, 9999 for notices and the log.
@pytest.mark.parametrize(
    ("box", "cap", "requests"),
    [
        (MessageBox.MESSAGES, None, 3),
        (MessageBox.NOTICES, None, 1),
        (MessageBox.LOG, None, 1),
        (MessageBox.NOTICES, 7, 7),
        (MessageBox.LOG, 45, 1),
    ],
)
async def test_a_list_is_read_whole_page_after_page(
    sim: MoogoSimulator,
    signed_in: MoogoClient,
    box: MessageBox,
    cap: int | None,
    requests: int,
) -> None:
    _fill(sim, box, 45)
    sim.configure(page_size_limit=cap)

    read = await signed_in.get_messages(box)

    assert [m.title for m in read] == [f"Message {n}" for n in range(44, -1, -1)]
    assert sim.request_counts == {ROUTES[box]: requests}
    for request in sim.request_log:
        endpoint = APP_ROUTES[request.key]
        assert request.encoding in endpoint.encodings
        assert request.query_fields == {"page", "pageSize"} == endpoint.query_fields


async def test_an_empty_list_is_one_request(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    assert await signed_in.get_messages(MessageBox.LOG) == []
    assert sim.request_counts == {ROUTES[MessageBox.LOG]: 1}


async def test_a_box_given_as_text_is_read_and_an_unknown_one_refused(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    sim.add_message(TEST_EMAIL, "Hi", box="log")

    assert len(await signed_in.get_messages("log")) == 1  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="inbox"):
        await signed_in.get_messages("inbox")  # type: ignore[arg-type]
    assert sim.total_requests == 1


async def test_the_unread_count(sim: MoogoSimulator, signed_in: MoogoClient) -> None:
    first = sim.add_message(TEST_EMAIL, "One")
    sim.add_message(TEST_EMAIL, "Two", box="notice")
    sim.add_message(TEST_EMAIL, "Three", box="log", is_read=True)

    before = await signed_in.get_unread_count()
    sim.mark_messages_read(TEST_EMAIL, [first.message_id])
    after = await signed_in.get_unread_count()

    assert (before, after) == (2, 1)
    assert sim.request_counts == {UNREAD_ROUTE: 2}
    assert all(request.query_fields == set() for request in sim.request_log)


async def test_no_request_marks_anything_read(
    sim: MoogoSimulator, client: MoogoClient, device_ids: list[str]
) -> None:
    sim.set_tank_level(device_ids[0], "water", 0)
    sim.set_online(device_ids[1], False)
    sim.offer_firmware(device_ids[0], "2.0.0")
    sim.add_message(TEST_EMAIL, "Welcome")

    for _ in range(2):
        for box in MessageBox:
            assert all(m.read is False for m in await client.get_messages(box))
        assert await client.get_unread_count() == 4

    assert not any(m.is_read for m in sim.messages_of(TEST_EMAIL))
    # Only the sign-in and reads of the message centre's routes went out.
    assert set(sim.request_counts) == {
        "POST /v1/user/login",
        UNREAD_ROUTE,
        *ROUTES.values(),
    }


@pytest.mark.parametrize(
    ("overrides", "created_at", "read"),
    [
        ({"isRead": 1}, START_MOMENT, True),
        ({"isRead": 0}, START_MOMENT, False),
        ({"isRead": True}, START_MOMENT, True),
        ({"isRead": False}, START_MOMENT, False),
        ({"isRead": "1"}, START_MOMENT, True),
        ({"isRead": 2}, START_MOMENT, None),
        ({"isRead": None}, START_MOMENT, None),
        ({"createdAt": START * 1000}, START_MOMENT, False),
        ({"createdAt": str(START)}, START_MOMENT, False),
        ({"createdAt": "yesterday"}, None, False),
        ({"createdAt": 0}, None, False),
        ({"createdAt": -5}, None, False),
        ({"createdAt": 1e30}, None, False),
        ({"createdAt": None}, None, False),
        ({"createdAt": [START]}, None, False),
    ],
)
async def test_odd_field_values_read_as_none_never_crash(
    sim: MoogoSimulator,
    signed_in: MoogoClient,
    overrides: dict[str, Any],
    created_at: datetime | None,
    read: bool | None,
) -> None:
    sim.add_message(TEST_EMAIL, "Odd", created_at=START, overrides=overrides)

    (message,) = await signed_in.get_messages()

    assert (message.created_at, message.read) == (created_at, read)
    assert message.title == "Odd"


async def test_missing_fields_and_odd_entries(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    sim.add_message(
        TEST_EMAIL,
        "Bare",
        missing_fields={"id", "type", "createdAt", "isRead", "deviceName", "content"},
    )
    sim.add_message(
        TEST_EMAIL,
        "Invitation",
        overrides={
            "id": "M-7",
            "type": "3",
            "fromEmail": "friend@example.com",
            "fromNickname": "friend",
            "toEmail": TEST_EMAIL,
            "inviteStatus": 0,
        },
    )

    bare, invitation = sorted(await signed_in.get_messages(), key=lambda m: m.title)

    assert bare == Message(title="Bare")
    assert (invitation.message_id, invitation.kind) == ("M-7", 3)
    assert (invitation.from_email, invitation.from_nickname) == (
        "friend@example.com",
        "friend",
    )
    assert (invitation.to_email, invitation.invite_status) == (TEST_EMAIL, 0)


async def test_the_user_id_comes_from_the_token_signing_in_first(
    sim: MoogoSimulator, client: MoogoClient
) -> None:
    sim.add_message(TEST_EMAIL, "Hello")

    (message,) = await client.get_messages()

    assert message.title == "Hello"
    assert client.user_id == sim.account(TEST_EMAIL).user_id
    assert logins(sim) == 1


async def test_a_rejected_token_is_renewed_and_the_repeat_names_its_user(
    sim: MoogoSimulator, make_client: ClientFactory
) -> None:
    sim.add_message(TEST_EMAIL, "Hello")
    # A stale token whose stored user id is wrong: the repeat after the new
    # login must ask for the user that login gave.
    client = make_client(token=MoogoToken(token="stale", user_id="1"))

    assert await client.get_unread_count() == 1
    assert [m.title for m in await client.get_messages()] == ["Hello"]
    assert logins(sim) == 1
    assert client.user_id == sim.account(TEST_EMAIL).user_id


async def test_another_users_id_is_not_found(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    sim.add_account("neighbour@example.com", "pw")
    sim.add_message("neighbour@example.com", "Private")
    token = signed_in.token
    assert token is not None
    signed_in.restore_token(
        MoogoToken(
            token=token.token, user_id=sim.account("neighbour@example.com").user_id
        )
    )

    with pytest.raises(MoogoNotFoundError):
        await signed_in.get_messages()
    with pytest.raises(MoogoNotFoundError):
        await signed_in.get_unread_count()


@pytest.mark.parametrize("user_id", [".", ".."])
async def test_a_dot_user_id_is_refused_before_any_request(
    sim: MoogoSimulator, make_client: ClientFactory, user_id: str
) -> None:
    client = make_client(token=MoogoToken(token="t", user_id=user_id))

    with pytest.raises(MoogoInvalidIdError, match="Not a valid user id"):
        await client.get_messages()
    with pytest.raises(MoogoInvalidIdError, match="Not a valid user id"):
        await client.get_unread_count()
    assert sim.total_requests == 0


async def test_an_odd_user_id_stays_one_path_segment(socket_enabled: None) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"code": 0, "data": {"items": [], "unReadCount": 0}})

    async with (
        serve(answer) as stub,
        MoogoClient(
            "a@b.c",
            "pw",
            base_url=stub.url,
            token=MoogoToken(token="t", user_id="a/b?c#d%"),
        ) as client,
    ):
        await client.get_messages(MessageBox.NOTICES)
        await client.get_unread_count()

    assert [seen.raw_path for seen in stub.seen] == [
        "/v1/users/a%2Fb%3Fc%23d%25/messages/notice?page=1&pageSize=9999",
        "/v1/users/a%2Fb%3Fc%23d%25/messages/unread-count",
    ]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"http_status": 500}, MoogoConnectionError),
        ({"html_error": True}, MoogoConnectionError),
        ({"truncated_json": True}, MoogoResponseError),
        ({"null_data": True}, MoogoResponseError),
        ({"http_status": 404}, MoogoNotFoundError),
    ],
)
async def test_a_fault_on_the_message_centre_is_a_typed_error(
    sim: MoogoSimulator,
    signed_in: MoogoClient,
    fault: dict[str, Any],
    error: type[Exception],
) -> None:
    sim.add_message(TEST_EMAIL, "Hello")
    sim.faults.update({**fault, "paths": ["/messages"]})

    for box in MessageBox:
        with pytest.raises(error):
            await signed_in.get_messages(box)
    with pytest.raises(error):
        await signed_in.get_unread_count()
    # Only the message centre is broken.
    assert len(await signed_in.get_devices()) == 2


async def test_repeating_pages_are_an_error_not_a_shorter_list(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    _fill(sim, MessageBox.MESSAGES, 30)
    sim.faults.update({"repeating_pages": True, "paths": ["/messages"]})

    with pytest.raises(MoogoResponseError, match="incomplete"):
        await signed_in.get_messages()


async def test_garbled_total_ends_at_the_short_page(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    _fill(sim, MessageBox.MESSAGES, 30)
    sim.faults.update({"garbled_total": True, "paths": ["/messages"]})

    assert len(await signed_in.get_messages()) == 30
    assert sim.request_counts == {ROUTES[MessageBox.MESSAGES]: 2}


async def test_ms_timestamps_read_as_the_same_moment(
    sim: MoogoSimulator, signed_in: MoogoClient
) -> None:
    sim.add_message(TEST_EMAIL, "Hello", box="log", created_at=START)
    sim.faults.update({"ms_timestamps": True, "paths": ["/messages"]})

    (message,) = await signed_in.get_messages(MessageBox.LOG)

    assert message.created_at == START_MOMENT


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"unReadCount": 3}, 3),
        ({"unReadCount": "4"}, 4),
        (5, 5),
        ({"unReadCount": 0}, 0),
    ],
)
async def test_the_unread_count_in_either_shape(
    socket_enabled: None, data: Any, expected: int
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"code": 0, "data": data})

    async with (
        serve(answer) as stub,
        MoogoClient(
            "a@b.c", "pw", base_url=stub.url, token=MoogoToken(token="t", user_id="7")
        ) as client,
    ):
        assert await client.get_unread_count() == expected


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"unReadCount": None},
        {"unReadCount": -1},
        {"unReadCount": True},
        {"unReadCount": "many"},
        {"unReadCount": 1.5},
        True,
        "x",
        [3],
    ],
)
def test_an_unreadable_unread_count_is_a_response_error(data: Any) -> None:
    with pytest.raises(MoogoResponseError, match="unread"):
        parse_unread_count(data)


def test_a_message_that_is_no_object_is_a_response_error() -> None:
    with pytest.raises(MoogoResponseError, match="message"):
        Message.from_api(["not", "a", "message"])
