from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import RedirectURLMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from django.views.i18n import set_language as django_set_language

from accounts.forms import SignupForm
from accounts.services import language_choose
from core.i18n import in_language_of


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
        messages.success(
            self.request,
            _("Welcome, %(username)s. Your account is ready.") % {"username": user.get_username()},
        )
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = self.get_redirect_url()
        return context


class LocalizedPasswordResetForm(PasswordResetForm):
    """The reset email is written in the language the account chose (else the page's)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        user = context["user"]
        with in_language_of(user, default=translation.get_language()):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Reset links start with ``STUDYHALL_SITE_URL``, not with the host the request
    named: behind a proxy that is an internal name, and it must not be a visitor's to
    choose."""

    form_class = LocalizedPasswordResetForm

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.STUDYHALL_SITE_URL}
        return super().form_valid(form)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the site's language (Django's ``set_language``: a cookie, then back to
    the page). Signed in, the choice is stored on the account too, so emails and a new
    browser follow it. An unknown language changes nothing."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        language_choose(user=request.user, language=request.POST.get("language", ""))
    return response
