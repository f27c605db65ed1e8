from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "web"

urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("accounts/", RedirectView.as_view(pattern_name="web:accounts")),
    path("accounts/<str:number>/", views.statement, name="statement"),
    path("accounts/<str:number>/statement.csv", views.statement_csv, name="statement-csv"),
    path("accounts/<str:number>/statement.pdf", views.statement_pdf, name="statement-pdf"),
    path("accounts/<str:number>/details/", views.account_details, name="account-details"),
    path(
        "accounts/<str:number>/allow-codes/",
        views.account_codes_unblock,
        name="account-codes-unblock",
    ),
    path("platforms/", views.platform_list, name="platforms"),
    path("platforms/<int:link_id>/revoke/", views.link_revoke, name="link-revoke"),
    path("operations/", views.operation_list, name="operations"),
    path(
        "operations/<uuid:operation_id>/decline/",
        views.operation_decline,
        name="operation-decline",
    ),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("language/", views.language_switch, name="language"),
]
