from django.urls import path

from . import views

app_name = "offers"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("offers/new/", views.offer_create, name="create"),
    path("offers/mine/", views.my_offers, name="mine"),
    path("offers/<int:pk>/", views.offer_detail, name="detail"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="edit"),
    path("offers/<int:pk>/pause/", views.offer_set_status, {"action": "pause"}, name="pause"),
    path("offers/<int:pk>/resume/", views.offer_set_status, {"action": "resume"}, name="resume"),
    path("offers/<int:pk>/close/", views.offer_close, name="close"),
]
