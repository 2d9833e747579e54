"""The Celery app for PHOTOS_JOB_RUNNER=celery (`celery -A webapp worker`).

Configuration: Django's CELERY_* settings win; every key they leave out falls back to the
defaults below, read from the environment, so a worker runs against a local Redis before the
settings mention Celery at all. The photo jobs are long (seconds), must never be lost and
never run twice at once on purpose, hence: late acks, redelivery when a worker dies, one
message reserved per process, JSON only, no result backend (outcomes go through the recorder).
"""

import json
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def env_defaults() -> dict:
    """Celery settings (lowercase names) from the environment, with working defaults."""
    return {
        # RabbitMQ works the same: CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672//
        "broker_url": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            # Redis only: an unacknowledged message comes back after this long, which is how
            # a task whose worker was killed gets redelivered. It must outlast the longest job
            # plus its wait behind the one reserved message (see worker_prefetch_multiplier).
            "visibility_timeout": _env_int("CELERY_VISIBILITY_TIMEOUT", 900),
            # Any other kombu transport option, as JSON (e.g. unacked_restore_interval).
            **json.loads(os.environ.get("CELERY_BROKER_TRANSPORT_OPTIONS") or "{}"),
        },
        "task_default_queue": os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "photos"),
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # With late acks a prefetched message is a message another worker cannot take.
        "worker_prefetch_multiplier": 1,
        # A lost broker connection means the unacked task will be redelivered elsewhere:
        # stop the local copy rather than run it twice.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # A pool process whose resident memory grew past this (KiB) is replaced after its
        # task: decoders' caches and fragmentation never pile up into an OOM kill. A task
        # killed anyway is bounded by photos.tasks.MAX_DELIVERIES.
        "worker_max_memory_per_child": _env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 1_048_576),
        # Django's LOGGING (JSON lines with the photo id) formats the worker's logs too.
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "task_send_sent_event": False,
        # The sweep (abandoned tickets, stuck photos) on beat's clock: `make beat`, or one
        # worker started with -B. As often as upload tickets live, so an unused one is gone
        # within about two lifetimes. The task's name is runners.SWEEP_TASK.
        "beat_schedule": {
            "photos-sweep": {
                "task": "photos.sweep",
                "schedule": float(_env_int("PHOTOS_SWEEP_SECONDS", 300) or 300),
                # A pass that waited longer than a period is superseded by the next one.
                "options": {"expires": float(_env_int("PHOTOS_SWEEP_SECONDS", 300) or 300)},
            }
        },
    }


app = Celery("webapp")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _fill_defaults(sender, source, **kwargs):
    # Celery's own add_defaults() would override the Django settings; here a default only
    # fills a key the settings do not set.
    from django.conf import settings

    for key, value in env_defaults().items():
        if not hasattr(settings, f"CELERY_{key.upper()}"):
            source[key] = value


app.autodiscover_tasks()
