from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import RedirectURLMixin
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.views.generic import FormView

from accounts.forms import SignupForm


class SignupView(RedirectURLMixin, FormView):
    form_class = SignupForm
    template_name = "registration/signup.html"
    next_page = reverse_lazy("home")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # Not redirect(): it would take a "next" such as "-1" for a view's name.
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.save()
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, f"Welcome, {user.get_username()}. Your account is ready.")
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.get_redirect_url()
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Reset links start with ``STUDYHALL_SITE_URL``, not with the host the request
    named: behind a proxy that is an internal name, and it must not be a visitor's to
    choose."""

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.STUDYHALL_SITE_URL}
        return super().form_valid(form)
