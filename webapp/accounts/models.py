from django.conf import settings
from django.db import models
from django.utils import timezone


class PasswordResetMail(models.Model):
    """One password reset mail sent to an account. A reset form mails whoever owns the address
    typed into it, so these rows bound how often (and keep SES's sender reputation)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "sent_at"], name="reset_mail_user_sent")]

    def __str__(self):
        return f"reset mail to user {self.user_id} at {self.sent_at:%Y-%m-%d %H:%M}"
