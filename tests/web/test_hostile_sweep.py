"""The sweep under a backlog: oldest first, bounded batches, and always inside the function's
remaining time."""

import time
from datetime import timedelta

import pytest
from factories import PhotoFactory  # tests/web/factories.py
from test_aws_sweep import dispatched  # noqa: F401  (fixture)

from webapp.photos.aws.sweep import deadline_for, handler, sweep
from webapp.photos.models import Photo

pytestmark = pytest.mark.django_db


class FakeContext:
    """The one method of Lambda's context object the sweep reads."""

    def __init__(self, remaining_ms: int):
        self.deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


def abandoned(owner, count: int) -> list[Photo]:
    """`count` abandoned uploads, the first the oldest."""
    return [PhotoFactory(owner=owner, age=timedelta(days=30 - i)) for i in range(count)]


def test_abandoned_uploads_go_oldest_first_in_bounded_batches(alice, dispatched):  # noqa: F811
    photos = abandoned(alice, 7)

    first = sweep(batch=3)
    remaining = set(Photo.objects.values_list("pk", flat=True))

    assert first["removed"] == 3 and first["complete"] is False
    assert remaining == {p.pk for p in photos[3:]}
    assert sweep(batch=3)["removed"] == 3
    last = sweep(batch=3)
    assert last["removed"] == 1 and last["complete"] is True
    assert not Photo.objects.exists()


def test_stuck_photos_go_oldest_first_in_bounded_batches(alice, dispatched, settings):  # noqa: F811
    settings.PHOTOS_SWEEP_BATCH = 2
    stuck = [
        PhotoFactory(owner=alice, processing=True, age=timedelta(hours=10 - i)) for i in range(5)
    ]

    report = sweep()

    assert report["redispatched"] == 2 and report["complete"] is False
    marked = {p.pk for p in Photo.objects.all() if "sweep" in p.jobs}
    assert marked == {stuck[0].pk, stuck[1].pk}
    # the next run skips the two just sent (no cost) and takes the next oldest two
    assert sweep()["redispatched"] == 2
    marked = {p.pk for p in Photo.objects.all() if "sweep" in p.jobs}
    assert marked == {p.pk for p in stuck[:4]}


def test_the_handler_stops_within_the_functions_remaining_time(
    alice,
    dispatched,  # noqa: F811
    settings,
):
    # given: 20 abandoned uploads whose HEAD takes 0.2 s each, and a function with 6 s left of
    # which the sweep keeps 5 back: a budget of one second
    settings.PHOTOS_SWEEP_RESERVE_SECONDS = 5
    photos = abandoned(alice, 20)
    heads = []

    def slow_head(key):
        heads.append(key)
        time.sleep(0.2)
        return None

    context = FakeContext(remaining_ms=6_000)

    # when
    started = time.monotonic()
    report = sweep(head=slow_head, deadline=deadline_for(context))
    took = time.monotonic() - started

    # then: it stopped between two photos, well before the function's end, oldest first
    assert report["complete"] is False
    assert 1 <= report["removed"] < 20
    assert took < 1 + 0.2 + 0.5  # the budget, one HEAD in flight, and slack for a slow box
    assert context.get_remaining_time_in_millis() > 4_000
    assert heads == [p.original_key for p in photos[: len(heads)]]


def test_the_scheduled_event_uses_the_context(alice, dispatched, settings):  # noqa: F811
    settings.PHOTOS_SWEEP_RESERVE_SECONDS = 5
    abandoned(alice, 3)

    # a context with less time left than the reserve: nothing is started
    report = handler({"detail-type": "Scheduled Event"}, FakeContext(remaining_ms=3_000))

    assert report["removed"] == 0 and report["complete"] is False
    assert Photo.objects.count() == 3
    # no context (manage.py sweep): no time limit
    assert deadline_for(None) is None
