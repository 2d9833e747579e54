from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "webapp.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self):
        from . import job_outcomes, runners, signals  # noqa: F401

        # The composition root: the inline runner gets the job-side door into the services
        # from here, so runners never import the services that import them.
        runners.use_job_executor(job_outcomes.execute)
