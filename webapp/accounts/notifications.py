"""Mail the accounts app sends besides the reset link (which Django's form sends itself)."""

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def email_changed_notify(*, username: str, old_email: str, new_email: str) -> None:
    """Tell the previous address that resets now go elsewhere: if someone else made the change,
    that mail is how the owner finds out. A mail that cannot be sent is logged; the change
    stands (the user already saw it confirmed)."""
    context = {"username": username, "new_email": new_email or None}
    try:
        send_mail(
            "The email of your Darkroom account changed",
            render_to_string("accounts/email_changed.txt", context),
            None,  # DEFAULT_FROM_EMAIL
            [old_email],
        )
    except Exception:
        logger.exception("could not tell %s that the account's email changed", username)
