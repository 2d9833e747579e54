"""JSON log lines for the job functions, on stdlib logging.

CloudWatch Logs Insights queries JSON fields directly (`filter photo_id = "..."`), so every
line a Lambda function writes is one JSON object, carrying the fields of the record being
worked on. Powertools' Logger does this too, but costs a quarter of the handlers' import
budget for the three fields we use; this is the part we need.

This is the one JSON log format of the project: the job functions (`configure()`), the web
function and the Celery workers (Django's LOGGING names `JsonFormatter` and
`LogContextFilter`) all write the same keys, so one Logs Insights query covers them all:
timestamp, level, message, logger, photo_id, job, exception (null when not applicable),
then the service and any `extra=` fields. The jobs modules keep logging through
`logging.getLogger(__name__)` with `extra={...}`.
"""

import contextlib
import contextvars
import json
import logging
import os
import sys
import time

_fields: contextvars.ContextVar[dict] = contextvars.ContextVar("jobs_log_fields", default={})  # noqa: B039

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


# Present on every line, null when they do not apply: a query can always name them.
KEYS = ("timestamp", "level", "message", "logger", "photo_id", "job", "exception")
CONTEXT_FIELDS = ("photo_id", "job")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str | None = None):
        super().__init__()
        self.service = service or os.environ.get("POWERTOOLS_SERVICE_NAME") or "darkroom"

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": _utc(record.created),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "photo_id": None,
            "job": None,
            "exception": None,
            "service": self.service,
        }
        line.update(_fields.get())
        line.update(
            (k, v)
            for k, v in vars(record).items()
            if k not in _STANDARD and (v is not None or k not in line)
        )
        if record.exc_info:
            line["exception_name"] = record.exc_info[0].__name__
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class LogContextFilter(logging.Filter):
    """Copies the `log_fields` context onto each record (an explicit `extra=` wins) and
    never drops one. For handlers whose formatter is not JsonFormatter, which reads the
    context itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _fields.get().items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        for key in CONTEXT_FIELDS:
            if not hasattr(record, key):
                setattr(record, key, None)
        return True


def current_fields() -> dict:
    return dict(_fields.get())


@contextlib.contextmanager
def log_fields(**fields):
    """Add `fields` to every line logged inside the block (this thread or task only);
    None values are left out."""
    fields = {k: v for k, v in fields.items() if v is not None}
    token = _fields.set({**_fields.get(), **fields})
    try:
        yield
    finally:
        _fields.reset(token)


def configure(service: str, *, level: str | None = None, stream=None) -> logging.Handler:
    """JSON lines on stdout for every `jobs.*` logger. Calling it again reconfigures."""
    logger = logging.getLogger("jobs")
    handler = next((h for h in logger.handlers if getattr(h, "jobs_json", False)), None)
    if handler is None:
        handler = logging.StreamHandler(stream or sys.stdout)
        handler.jobs_json = True
        logger.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    handler.setFormatter(JsonFormatter(service))
    logger.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    # The Lambda runtime's root handler would print every line a second time, as text.
    logger.propagate = False
    return handler


def _utc(created: float) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{seconds}.{int(created % 1 * 1000):03d}Z"
