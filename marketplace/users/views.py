from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.views import add_application_error, client_ip
from paylib.i18n import remember_language

from .forms import ProfileForm, SignInForm, SignUpForm, VerifyEmailForm
from .models import User
from .selectors import user_from_verification_link
from .services import (
    TooManyRequests,
    password_reset_request,
    signup_request,
    user_update_profile,
    user_verify_email,
)


class SignUpView(FormView):
    """The same answer for a new and a registered address: "we have sent you a link"."""

    form_class = SignUpForm
    template_name = "users/signup.html"

    def get_initial(self) -> dict[str, Any]:
        return {"language": (get_language() or settings.LANGUAGE_CODE)[:2]}

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            signup_request(
                email=data["email"],
                name=data["name"],
                language=data["language"],
                password=data["password1"],
                ip=client_ip(self.request),
            )
        except TooManyRequests as error:
            add_application_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=error.status)
        return HttpResponseRedirect(reverse("users:signup_sent"))


class SignUpSentView(TemplateView):
    template_name = "users/signup_sent.html"


class VerifyEmailView(View):
    """The link in the sign-up email: a page with a button; pressing it confirms the
    address and signs the new user in."""

    template_name = "users/verify_email.html"

    def get(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        user = user_from_verification_link(uidb64=uidb64, token=token)
        context = {"validlink": user is not None, "form": VerifyEmailForm()}
        return render(request, self.template_name, context, status=200 if user else 400)

    def post(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        user = user_from_verification_link(uidb64=uidb64, token=token)
        if user is None or not user_verify_email(user=user):
            context = {"validlink": False, "form": VerifyEmailForm()}
            return render(request, self.template_name, context, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your email is confirmed and your account is ready."))
        url = translate_url(reverse("offers:catalogue"), user.language)
        return remember_language(HttpResponseRedirect(url), user.language)


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "users/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        return remember_language(response, user.language)

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
        return remember_language(HttpResponseRedirect(url), user.language)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's form and pages; the email leaves through the outbox, after the request."""

    template_name = "users/password_reset_form.html"
    success_url = reverse_lazy("users:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            password_reset_request(email=form.cleaned_data["email"], ip=client_ip(self.request))
        except TooManyRequests as error:
            add_application_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=error.status)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "users/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "users/password_reset_confirm.html"
    success_url = reverse_lazy("users:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        if isinstance(form.user, User):
            user_verify_email(user=form.user)  # the reset link proved the address is his
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "users/password_reset_complete.html"
