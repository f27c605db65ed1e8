"""Sellers' public pages, apart from the account pages under users/."""

from django.urls import path

from . import views

app_name = "sellers"

urlpatterns = [
    path("<int:pk>/", views.seller_detail, name="detail"),
]
