"""The Darkroom Django project.

`celery_app` is the usual Celery entry point, loaded on first use only: the web process (a
Lambda function on AWS) never pays Celery's import time unless it enqueues a job.
"""


def __getattr__(name):
    if name == "celery_app":
        from .celery import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
