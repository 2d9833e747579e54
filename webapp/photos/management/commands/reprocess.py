"""Run the jobs again on stored originals: after a fix, a new rendition size, or an outage.

    manage.py reprocess --failed
    manage.py reprocess --since 2025-01-01
    manage.py reprocess --all
    manage.py reprocess 7d0c9c7e-... 1f2e...

Each photo goes through `photo_reprocess`, so the configured runner (inline, celery) does the
work. With the inline runner the jobs run in this process, so the command waits for them.
"""

import uuid
from datetime import UTC, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from webapp.photos import runners
from webapp.photos.models import Photo, PhotoStatus
from webapp.photos.services import photo_reprocess

# Primary keys fetched per query: memory stays flat for any number of photos, and no cursor
# stays open across the writes (SQLite does not isolate a reader from its own writes).
PAGE = 500


class ProgressBar:
    """A text bar on one line when stdout is a terminal; in a log or a pipe, a line every
    10% so the output stays readable."""

    def __init__(self, total: int, stream, *, width: int = 30):
        self.total, self.stream, self.width = total, stream, width
        self.done = 0
        self._tty = hasattr(stream, "isatty") and stream.isatty()
        self._last_decile = -1

    def update(self, n: int = 1) -> None:
        self.done += n
        fraction = self.done / self.total if self.total else 1.0
        if self._tty:
            self.stream.write("\r" + self._line(fraction))
            self.stream.flush()
        elif int(fraction * 10) > self._last_decile:
            self._last_decile = int(fraction * 10)
            self.stream.write(self._line(fraction) + "\n")

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")

    def _line(self, fraction: float) -> str:
        filled = round(fraction * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        return f"[{bar}] {self.done}/{self.total} {fraction:4.0%}"


class Command(BaseCommand):
    help = "Run the renditions and metadata jobs again on stored originals."

    def add_arguments(self, parser):
        parser.add_argument("photo_ids", nargs="*", metavar="PHOTO_ID", help="photos to redo")
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="every uploaded photo"
        )
        parser.add_argument("--failed", action="store_true", help="photos that failed")
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="photos created on or after DATE (YYYY-MM-DD or ISO date-time, UTC)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="inline runner only: seconds to wait for the jobs (default: no limit)",
        )

    def handle(self, *args, photo_ids, everything, failed, since, timeout, **options):
        photos = self._select(photo_ids, everything=everything, failed=failed, since=since)
        total = photos.count()
        runner = settings.PHOTOS_JOB_RUNNER
        if not total:
            self.stdout.write("no photos to reprocess")
            return
        self.stdout.write(f"reprocessing {total} photo(s) with the {runner} runner")
        bar = ProgressBar(total, self.stdout)
        dispatched, skipped = [], []
        for photo in _pages(photos):
            try:
                photo_reprocess(photo=photo)
                dispatched.append(photo.pk)
            except (ValidationError, Photo.DoesNotExist) as exc:
                # Deleted meanwhile, or its upload never finished: nothing to redo.
                skipped.append((photo.pk, _reason(exc)))
            bar.update()
        bar.close()

        if runner == "inline" and dispatched:
            self.stdout.write("waiting for the jobs to finish...")
            if not runners.wait_idle(timeout=timeout):
                raise CommandError(f"jobs still running after {timeout:g} s")
        for pk, reason in skipped:
            self.stderr.write(f"skipped {pk}: {reason}")
        done = "done" if runner == "inline" else f"queued for the {runner} workers"
        self.stdout.write(self.style.SUCCESS(f"{len(dispatched)} photo(s) {done}"))
        if runner == "inline" and dispatched:
            self._summary(dispatched)

    def _select(self, photo_ids, *, everything: bool, failed: bool, since: str | None):
        if photo_ids and (everything or failed or since):
            raise CommandError("give photo ids or --all/--failed/--since, not both")
        if everything and failed:
            raise CommandError("--all already includes --failed: give one of them")
        if not (photo_ids or everything or failed or since):
            raise CommandError("which photos? give --all, --failed, --since DATE or PHOTO_ID...")

        if photo_ids:
            return self._by_id(photo_ids)
        photos = Photo.objects.exclude(status=PhotoStatus.UPLOADING)
        if failed:
            photos = photos.filter(status=PhotoStatus.FAILED)
        if since:
            photos = photos.filter(created_at__gte=_parse_since(since))
        return photos

    def _by_id(self, photo_ids):
        ids = []
        for raw in photo_ids:
            try:
                ids.append(uuid.UUID(raw))
            except ValueError:
                raise CommandError(f"not a photo id: {raw!r}") from None
        photos = Photo.objects.filter(pk__in=ids)
        missing = set(ids) - set(photos.values_list("pk", flat=True))
        if missing:
            raise CommandError("no such photo: " + ", ".join(sorted(map(str, missing))))
        return photos

    def _summary(self, photo_ids) -> None:
        counts = dict.fromkeys(PhotoStatus.values, 0)
        for start in range(0, len(photo_ids), PAGE):
            page = Photo.objects.filter(pk__in=photo_ids[start : start + PAGE])
            for status in page.values_list("status", flat=True):
                counts[status] += 1
        self.stdout.write(", ".join(f"{n} {status}" for status, n in counts.items() if n))


def _pages(photos):
    """The photos in primary-key order, one page of keys at a time."""
    last = None
    while True:
        page = photos.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        keys = list(page.values_list("pk", flat=True)[:PAGE])
        if not keys:
            return
        yield from Photo.objects.filter(pk__in=keys).order_by("pk").only("pk", "status")
        last = keys[-1]


def _parse_since(raw: str) -> datetime:
    try:
        moment = parse_datetime(raw)
        day = None if moment else parse_date(raw)
    except ValueError:
        moment = day = None
    if day:
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise CommandError(f"--since: not a date: {raw!r} (use YYYY-MM-DD or an ISO date-time)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return "deleted meanwhile"
