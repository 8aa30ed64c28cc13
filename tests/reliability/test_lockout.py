"""A sustained account lockout (code 10000), with the simulator's real model.

The simulator models the real service: a login on a locked account is
refused and restarts its 24 hour lock. The matrix shows that a 10000 answer
is never retried within a refresh or a command; this test follows a running
entry through a whole lock, with the test clock: polls every 30 s for ten
minutes, hourly jumps through the lock, then polls every 30 s again until
the entry is back.

Asserted: exactly one refused login and then none until the integration's
back-off ends; the lock is therefore not extended beyond that one attempt;
the repair issue stays up meanwhile; the entry recovers by itself at the
first poll after the back-off, with one login. Recorded in
docs/reliability.md ("Sustained account lockout").
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.moogo.api.const import LOGIN_BACKOFF_SECONDS
from custom_components.moogo.const import DOMAIN, ISSUE_RATE_LIMITED, UPDATE_INTERVAL
from tests.common import Cloud, make_entry

from .common import entry_view
from .conftest import Guard
from .report import COLLECTOR

POLLS = 20
LOCK_SECONDS = 86400
HOUR = timedelta(hours=1)
# Far past the back-off: the test fails rather than loop if recovery never comes.
MAX_POLLS_AFTER = 240


async def _advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta
) -> None:
    freezer.tick(delta + timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_locked_account_is_waited_out_not_hammered(
    freezer: FrozenDateTimeFactory, hass: HomeAssistant, cloud: Cloud, guard: Guard
) -> None:
    """One refused login, silence for the back-off, then recovery by itself."""
    freezer.move_to("2026-07-01T18:00:00+00:00")
    sim, account = cloud.sim, cloud.account
    entry = make_entry(cloud)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    issue_id = f"{ISSUE_RATE_LIMITED}_{entry.entry_id}"

    # The account is locked (as after too many sign-ins elsewhere) and the
    # stored token dies: the next poll needs a login.
    locked_at = sim.now()
    account.locked_until = locked_at + LOCK_SECONDS
    sim.revoke_tokens()
    sim.reset_counts()
    attempts_per_poll = []
    for _ in range(POLLS):
        before = cloud.logins()
        await _advance(hass, freezer, UPDATE_INTERVAL)
        attempts_per_poll.append(cloud.logins() - before)
        assert entry_view(hass, entry) == "all entities unavailable"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert attempts_per_poll[0] == 1, attempts_per_poll
    assert sum(attempts_per_poll) == 1, attempts_per_poll
    lock_end_after_refusal = account.locked_until
    assert lock_end_after_refusal is not None

    # Hourly jumps (each fires the poll due) through the lock, then polls
    # every 30 s until the entry is back.
    attempts_while_locked = 0
    polls_after = 0
    while entry_view(hass, entry) != "all entities available":
        step = HOUR if sim.now() + 3600 < lock_end_after_refusal else UPDATE_INTERVAL
        await _advance(hass, freezer, step)
        if sim.now() < lock_end_after_refusal:
            attempts_while_locked = cloud.logins() - 1
            # Nothing extended the lock after the one refused attempt.
            assert account.locked_until == lock_end_after_refusal
        else:
            polls_after += 1
            assert polls_after < MAX_POLLS_AFTER, "never recovered"
    recovered_at = sim.now()

    assert attempts_while_locked == 0
    assert cloud.logins() == 2
    # Back at the first poll after the back-off, which outlasts the lock.
    assert (
        0
        < recovered_at - lock_end_after_refusal
        <= (LOGIN_BACKOFF_SECONDS - LOCK_SECONDS + 2 * UPDATE_INTERVAL.total_seconds())
    )
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    guard.check(cloud)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    pushed = lock_end_after_refusal - (locked_at + LOCK_SECONDS)
    COLLECTOR.record_section(
        "lockout",
        [
            (
                "polls while locked, first 10 min",
                f"{POLLS} every {UPDATE_INTERVAL.total_seconds():.0f} s",
                "",
            ),
            (
                "login attempts in those polls",
                f"{sum(attempts_per_poll)} (the first poll's, refused)",
                "exactly 1, asserted",
            ),
            (
                "login attempts for the rest of the lock",
                f"{attempts_while_locked}",
                "0, asserted (back-off kept in the entry)",
            ),
            (
                "end of the 24 h lock pushed back by",
                f"{pushed / 60:.1f} min",
                "only by the one refused attempt",
            ),
            (
                "integration's login back-off",
                f"{LOGIN_BACKOFF_SECONDS / 3600:.2f} h after the refusal",
                "outlasts the cloud's lock",
            ),
            (
                "entities back",
                (
                    f"{(recovered_at - lock_end_after_refusal) / 60:.1f} min after "
                    f"the lock ended, with {cloud.logins() - 1} login"
                ),
                "by itself at the first poll after the back-off; issue gone",
            ),
            (
                "repair issue while locked",
                "shown; fix flow 'sign in now' lifts the back-off",
                "matrix rows",
            ),
        ],
    )
