"""Keeps files in step with rows that disappear outside the services (a cascading delete),
and the owner's kept gallery page in step with every saved photo, whoever saves it (the
services, the job outcomes' recorder, the admin): gallery_cache.py."""

from django.conf import settings
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from . import gallery_cache, services
from .models import Photo


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="photos_owner_files")
def delete_owner_files(sender, instance, **kwargs):
    services.owner_files_delete_on_commit(owner=instance)


@receiver(post_save, sender=Photo, dispatch_uid="photos_gallery_saved")
def photo_saved(sender, instance, **kwargs):
    # Deletes, and UPDATEs that skip save(), bump in their own code (services, aws/sweep.py):
    # once per owner, where a signal per row would bump once per photo of a bulk delete.
    gallery_cache.bump(instance.owner_id)
