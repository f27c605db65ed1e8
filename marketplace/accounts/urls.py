from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("add/", views.account_add, name="add"),
    path("<int:pk>/confirm/", views.account_confirm, name="confirm"),
    path("<int:pk>/resend/", views.account_resend, name="resend"),
    path("<int:pk>/default/", views.account_set_default, name="default"),
    path("<int:pk>/remove/", views.account_remove, name="remove"),
]
