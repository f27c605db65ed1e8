from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "web"

urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("accounts/", RedirectView.as_view(pattern_name="web:accounts")),
    path("accounts/<str:number>/", views.statement, name="statement"),
    path("operations/", views.operation_list, name="operations"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("language/", views.language_switch, name="language"),
]
