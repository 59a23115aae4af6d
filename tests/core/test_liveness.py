from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from armswatch.provenance.liveness import ProcessIdentity, is_dead, this_process


def test_this_process_is_alive() -> None:
    me = this_process()
    assert (
        is_dead(me, datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC)) is None
    )  # alive beats an old lease


def test_a_reused_pid_is_not_the_run_s_process() -> None:
    me = this_process()
    other = ProcessIdentity(os.getppid(), me.host, me.boot_id, "1")  # alive, but started at another time
    assert "pid reused" in (is_dead(other, None, datetime.now(UTC)) or "")


def test_another_host_is_judged_by_its_lease() -> None:
    now = datetime.now(UTC)
    remote = ProcessIdentity(4242, "elsewhere.example", "boot", "1")
    assert is_dead(remote, now + timedelta(minutes=1), now) is None
    assert "lease" in (is_dead(remote, now - timedelta(seconds=1), now) or "")


def test_no_owner_recorded_is_dead() -> None:
    assert is_dead(None, None, datetime.now(UTC)) is not None
