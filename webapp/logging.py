"""Logging for the web function and the workers: the jobs' JSON format, not a second one.

Runners wrap each job in `log_context(photo_id=..., job=...)`; every line logged inside it,
from any logger (jobs, boto3, Django, Celery), carries those fields. The implementation is
`jobs.logs` (the job functions write the very same lines): a context variable rather than a
thread local, so it follows the code into the thread pool only when the runner sets it there,
and it never leaks from one Celery task into the next.
"""

from jobs.logs import KEYS, JsonFormatter, LogContextFilter, current_fields
from jobs.logs import log_fields as log_context

__all__ = ["KEYS", "JsonFormatter", "LogContextFilter", "current_fields", "log_context"]
