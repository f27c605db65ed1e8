from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("", views.message_post, name="post"),
    path("photos/<int:photo_pk>/", views.photo_view, name="photo"),
]
