from django.contrib.auth.forms import UserCreationForm


class SignupForm(UserCreationForm):
    """Username and password, plus an optional email for password resets later."""

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = "Optional. Only used to reset a forgotten password."
