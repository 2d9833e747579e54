"""Keeps files in step with rows that disappear outside the services (a cascading delete)."""

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from . import services


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="photos_owner_files")
def delete_owner_files(sender, instance, **kwargs):
    services.owner_files_delete_on_commit(owner=instance)
