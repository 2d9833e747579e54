"""`manage.py check --deploy`: a deployment whose mail goes nowhere says so before users find
out (a reset page would answer "check your email" and nothing would ever arrive)."""

from django.conf import settings
from django.core import checks

LOCAL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "webapp.accounts.mail.ConsoleAndFilesBackend",
}


@checks.register(checks.Tags.compatibility, deploy=True)
def mail_is_really_sent(app_configs=None, **kwargs):
    backend = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND", "")
    if backend in LOCAL_BACKENDS:
        return [
            checks.Warning(
                f"Password reset mail is not sent anywhere ({backend}).",
                hint="Set DJANGO_EMAIL=ses (or smtp) and DJANGO_DEFAULT_FROM_EMAIL.",
                id="accounts.W001",
            )
        ]
    return []
