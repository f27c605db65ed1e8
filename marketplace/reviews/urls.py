from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("deals/<int:deal_id>/new/", views.review_create, name="create"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/reply/", views.review_reply, name="reply"),
]
