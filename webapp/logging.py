"""JSON log lines, each carrying the photo (and job) it is about.

Runners wrap each job in `log_context(photo_id=..., job=...)`; `LogContextFilter` copies the
context onto every record logged inside it, from any logger (jobs, boto3, Django, Celery), and
`JsonFormatter` writes one JSON object per line. A context variable rather than a thread
local: it follows the code into the thread pool only when the runner sets it there, and it
never leaks from one Celery task into the next.
"""

import contextlib
import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

_context: ContextVar[dict | None] = ContextVar("darkroom_log_context", default=None)

CONTEXT_FIELDS = ("photo_id", "job", "task_id")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextlib.contextmanager
def log_context(**fields):
    """Every log line inside carries these fields (None values are left out)."""
    fields = {k: v for k, v in fields.items() if v is not None}
    token = _context.set({**current_context(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict:
    return dict(_context.get() or {})


class LogContextFilter(logging.Filter):
    """Adds photo_id/job/task_id from the current log context; never drops a record. Put it
    on the handler so records propagated from any logger get it."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current_context().items():
            # An explicit extra={"photo_id": ...} on the call wins over the context.
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        for key in CONTEXT_FIELDS:
            if not hasattr(record, key):
                setattr(record, key, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the context fields, any
    `extra=` fields, and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in {**current_context(), **vars(record)}.items():
            if key not in _STANDARD and key not in line and value is not None:
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)
