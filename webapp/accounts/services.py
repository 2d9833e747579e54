"""Writes to accounts: keyword-only, one transaction each."""

from django.contrib.auth import get_user_model
from django.db import transaction


@transaction.atomic
def user_email_change(*, user, email: str):
    """Point the password resets of `user` at `email` ("" removes it)."""
    user.email = get_user_model().objects.normalize_email(email.strip())
    user.save(update_fields=["email"])
    return user


@transaction.atomic
def user_delete(*, user) -> int:
    """Delete the account and everything it owns; returns how many photos went with it.

    The photo rows go by cascade; their files (originals, renditions, in the folder or the
    bucket) are removed by the photos app's pre_delete receiver once this commits, so a
    rolled-back deletion never leaves rows without files.
    """
    _total, deleted = user.delete()
    return deleted.get("photos.Photo", 0)
