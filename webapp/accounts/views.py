from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import CreateView, FormView

from webapp.photos.selectors import photo_list

from . import notifications, services
from .forms import (
    NO_EMAIL_WARNING,
    AccountDeleteForm,
    EmailChangeForm,
    PasswordResetForm,
    SignupForm,
)


class SignupView(CreateView):
    form_class = SignupForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("photos:upload")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("photos:gallery")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new account lands on the upload page already signed in: there is nothing
        # else to do with an empty gallery.
        login(self.request, self.object, backend="django.contrib.auth.backends.ModelBackend")
        if not self.object.email:
            messages.warning(self.request, f"{NO_EMAIL_WARNING} Add one on your account page.")
        return response


class AccountView(LoginRequiredMixin, FormView):
    """The account page: the email (changed here), links to the password and to deletion."""

    form_class = EmailChangeForm
    template_name = "accounts/account.html"
    success_url = reverse_lazy("account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"email": self.request.user.email}

    def get_context_data(self, **kwargs):
        return super().get_context_data(no_email_warning=NO_EMAIL_WARNING, **kwargs)

    def form_valid(self, form):
        old_email = self.request.user.email
        user = services.user_email_change(user=self.request.user, email=form.cleaned_data["email"])
        if old_email and old_email != user.email:
            notifications.email_changed_notify(
                username=user.get_username(), old_email=old_email, new_email=user.email
            )
        if user.email:
            messages.success(self.request, f"Password resets now go to {user.email}.")
        else:
            messages.warning(self.request, f"Email removed. {NO_EMAIL_WARNING}")
        return redirect(self.success_url)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in
        messages.success(self.request, "Your password was changed.")
        return response


class AccountDeleteView(LoginRequiredMixin, FormView):
    form_class = AccountDeleteForm
    template_name = "accounts/delete.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            photo_count=photo_list(owner=self.request.user).count(), **kwargs
        )

    def form_valid(self, form):
        username = self.request.user.get_username()
        photos = services.user_delete(user=self.request.user)
        logout(self.request)
        messages.success(
            self.request,
            f"The account {username} and its {photos} photo{'' if photos == 1 else 's'} "
            "were deleted.",
        )
        return redirect("login")


# Password reset in the site's own pages. The templates live under accounts/, not
# registration/: the admin app, listed first, ships registration/password_reset_*.html and
# would win the template lookup.


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            valid_hours=settings.PASSWORD_RESET_TIMEOUT // 3600,
            mails_per_hour=settings.ACCOUNTS_RESET_MAILS_PER_HOUR,
            **kwargs,
        )


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
