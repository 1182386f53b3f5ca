"""The inbox writer commits waiting items together and answers every request, even when one
of them was cancelled (its client went away) while the write was in flight."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from federation.intake import InboxWriter
from federation.models import InboxItem


def item(n: int) -> InboxItem:
    now = datetime.now(timezone.utc)
    return InboxItem(activity_id=f"https://remote.test/activities/{n}", signer="https://remote.test/users/carol",
                     body="{}", next_try_at=now, received_at=now)


async def test_writer__stores_a_group_and_survives_a_cancelled_request(db):
    writer = InboxWriter()
    tasks = [asyncio.create_task(writer.store(item(n))) for n in range(20)]
    await asyncio.sleep(0)  # every store is waiting on the first flush
    tasks[3].cancel()
    done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=5)
    assert isinstance(done[3], asyncio.CancelledError)
    assert [r for i, r in enumerate(done) if i != 3] == [None] * 19
    assert await InboxItem.all().count() == 20  # the cancelled one is stored too: nothing lost


async def test_writer__a_duplicate_activity_is_stored_once(db):
    writer = InboxWriter()
    await asyncio.gather(*(writer.store(item(7)) for _ in range(5)))
    await writer.store(item(7))
    assert await InboxItem.all().count() == 1
