from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "webapp.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self):
        from . import signals  # noqa: F401
