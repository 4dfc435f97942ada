"""Live-feed slots: a cap per engineer and one per serving process, each given back once."""

from __future__ import annotations

import pytest

from sync.gateway.errors import BusyError, TooManyRequestsError
from sync.gateway.feeds import FeedSlots


def test_one_engineer_holds_at_most_the_per_user_cap() -> None:
    slots = FeedSlots(per_user=2, retry_after_s=30)
    slots.take("asha")
    slots.take("asha")
    with pytest.raises(TooManyRequestsError) as refused:
        slots.take("asha")
    assert refused.value.status == 429 and refused.value.retry_after_s == 30
    slots.take("ravi")  # another engineer is not affected
    assert slots.held("asha") == 2


def test_a_full_process_refuses_with_503_and_takes_feeds_again_once_one_ends() -> None:
    slots = FeedSlots(per_user=10, retry_after_s=30, per_process=3)
    gives = [slots.take(user) for user in ("asha", "ravi", "meera")]
    with pytest.raises(BusyError) as busy:
        slots.take("priya")
    assert busy.value.status == 503 and busy.value.retry_after_s == 30
    assert "live feeds" in str(busy.value)
    gives[0]()
    gives[0]()  # given back once only, however often the feed's cleanup runs
    slots.take("priya")
    with pytest.raises(BusyError):
        slots.take("asha")
