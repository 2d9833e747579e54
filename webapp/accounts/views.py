from django.contrib.auth import login
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import CreateView

from .forms import SignupForm


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
        return response
