import logging

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import UserCreationForm

from . import services

logger = logging.getLogger(__name__)

# Said wherever an account may be left without an email: on the signup form, the account page.
NO_EMAIL_WARNING = (
    "Without an email, a forgotten password cannot be reset: the account and its photos "
    "could not be recovered."
)


class SignupForm(UserCreationForm):
    """Username and password, plus an optional email for password resets later."""

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = f"Optional. {NO_EMAIL_WARNING}"


class EmailChangeForm(forms.Form):
    """The address password resets go to. Asks for the password: whoever holds a signed-in
    browser for a moment must not be able to point the resets at their own inbox."""

    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Only used to reset a forgotten password. Leave it empty to remove it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.", code="password")
        return password


class AccountDeleteForm(forms.Form):
    """Deleting everything is confirmed twice: the username typed out, and the password."""

    username = forms.CharField(label="Type your username to confirm", strip=True)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if username != self.user.get_username():
            raise forms.ValidationError(
                "Type your username, %(username)s, exactly as shown.",
                code="username",
                params={"username": self.user.get_username()},
            )
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="password")
        return password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending an account no more mails an hour than its allowance. The
    page answers the same either way: it must tell nobody whether an address has an account."""

    def get_users(self, email):
        for user in super().get_users(email):
            if services.password_reset_mail_allow(user=user):
                yield user
            else:
                logger.warning("password reset mail to user %s withheld: hourly limit", user.pk)
