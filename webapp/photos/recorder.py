"""Where job outcomes enter the web app, whatever carried them.

The inline runner and (later) the Celery tasks call `record` directly; on AWS the DynamoDB
stream handler of the web function unpacks each stream record into the same call. All of
them end in the one service, so recording behaves the same everywhere.
"""

from .services import photo_results_record


def record(photo_id: str, job: str, outcome: dict) -> None:
    """Record one job's outcome; unknown photos and stale outcomes are logged and ignored."""
    photo_results_record(photo_id=photo_id, job=job, outcome=outcome)
