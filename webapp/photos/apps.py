from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "webapp.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self):
        from django.core.signals import request_started

        from . import job_outcomes, runners, signals  # noqa: F401
        from .aws import sweep

        # The composition root: the inline runner gets the job-side door into the services
        # from here, so runners never import the services that import them.
        runners.use_job_executor(job_outcomes.execute)
        # Its periodic sweep too; it starts with the first request a process serves.
        runners.use_sweep(sweep.handler)
        request_started.connect(runners.start_for_requests, dispatch_uid="photos-periodic-sweep")
