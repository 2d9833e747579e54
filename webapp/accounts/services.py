"""Writes to accounts: keyword-only, one transaction each."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import PasswordResetMail


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


@transaction.atomic
def password_reset_mail_allow(*, user, now=None) -> bool:
    """Record a reset mail about to be sent to `user`, unless the hour's allowance
    (ACCOUNTS_RESET_MAILS_PER_HOUR) is spent; rows older than the hour are dropped."""
    now = now or timezone.now()
    hour_ago = now - timedelta(hours=1)
    PasswordResetMail.objects.filter(user=user, sent_at__lt=hour_ago).delete()
    if (
        PasswordResetMail.objects.filter(user=user).count()
        >= settings.ACCOUNTS_RESET_MAILS_PER_HOUR
    ):
        return False
    PasswordResetMail.objects.create(user=user, sent_at=now)
    return True
