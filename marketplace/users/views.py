from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from .forms import ProfileForm, SignInForm, SignUpForm
from .models import User
from .services import user_create, user_update_profile


def _in_language(response: HttpResponse, language: str) -> HttpResponse:
    """Remember the user's language for pages outside the /ru/ prefix, e.g. /i18n/."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.SESSION_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class SignUpView(FormView):
    form_class = SignUpForm
    template_name = "users/signup.html"

    def get_initial(self) -> dict[str, Any]:
        return {"language": (get_language() or settings.LANGUAGE_CODE)[:2]}

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        data = form.cleaned_data
        user = user_create(
            email=data["email"],
            name=data["name"],
            password=data["password1"],
            language=data["language"],
        )
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Welcome! Your account is ready."))
        url = translate_url(reverse("offers:catalogue"), user.language)
        return _in_language(HttpResponseRedirect(url), user.language)


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "users/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        return _in_language(response, user.language)

    def get_success_url(self) -> str:
        user = self.request.user
        url = super().get_success_url()
        return translate_url(url, user.language) if isinstance(user, User) else url


class ProfileView(LoginRequiredMixin, FormView):
    form_class = ProfileForm
    template_name = "users/profile.html"

    def get_initial(self) -> dict[str, Any]:
        user = self.request.user
        assert isinstance(user, User)
        return {"name": user.name, "language": user.language}

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        user = self.request.user
        assert isinstance(user, User)
        user_update_profile(
            user=user, name=form.cleaned_data["name"], language=form.cleaned_data["language"]
        )
        messages.success(self.request, _("Your profile is saved."))
        url = translate_url(reverse("users:profile"), user.language)
        return _in_language(HttpResponseRedirect(url), user.language)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "users/password_reset_form.html"
    email_template_name = "users/password_reset_email.txt"
    subject_template_name = "users/password_reset_subject.txt"
    success_url = reverse_lazy("users:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "users/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "users/password_reset_confirm.html"
    success_url = reverse_lazy("users:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "users/password_reset_complete.html"
