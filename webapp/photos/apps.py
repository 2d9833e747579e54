from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PhotosConfig(AppConfig):
    name = "webapp.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self):
        from django.core.signals import request_started

        from webapp import throttle  # noqa: F401  (registers the shared-cache check)

        from . import job_outcomes, runners, signals  # noqa: F401
        from .aws import sweep

        # The composition root: the inline runner gets the job-side door into the services
        # from here, so runners never import the services that import them.
        runners.use_job_executor(job_outcomes.execute)
        # Its periodic sweep too; it starts with the first request a process serves.
        runners.use_sweep(sweep.handler)
        request_started.connect(runners.start_for_requests, dispatch_uid="photos-periodic-sweep")
        post_migrate.connect(_create_cache_table, sender=self)


def _create_cache_table(using, verbosity=1, **kwargs):
    # The rate limits' shared cache and the gallery's kept pages are database tables
    # (settings.CACHES) unless Redis is configured: created wherever `migrate` runs (make run,
    # the test database, `zappa manage web migrate`), so no deployment can forget them.
    # createcachetable skips existing tables.
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
