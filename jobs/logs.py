"""JSON log lines for the job functions, on stdlib logging.

CloudWatch Logs Insights queries JSON fields directly (`filter photo_id = "..."`), so every
line a Lambda function writes is one JSON object, carrying the fields of the record being
worked on. Powertools' Logger does this too, but costs a quarter of the handlers' import
budget for the three fields we use; this is the part we need.

The jobs modules keep logging through `logging.getLogger(__name__)` with `extra={...}`;
only the Lambda handlers call `configure()`. Celery, the web process and the CLI keep their
own logging setup.
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


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": _utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
        }
        line.update(_fields.get())
        line.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info:
            line["exception_name"] = record.exc_info[0].__name__
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


@contextlib.contextmanager
def log_fields(**fields):
    """Add `fields` to every line logged inside the block (this thread or task only)."""
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
