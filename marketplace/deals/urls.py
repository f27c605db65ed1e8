from django.urls import path

from . import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("sales/", views.deal_sales, name="sales"),
    path("sales/csv/", views.deal_sales_csv, name="sales_csv"),
    path("new/<int:offer_pk>/", views.deal_open, name="create"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/cancel/", views.deal_act, {"action": "cancel"}, name="cancel"),
    path("<int:pk>/complete/", views.deal_act, {"action": "complete"}, name="complete"),
    path("<int:pk>/ship/", views.deal_ship_view, name="ship"),
    path("<int:pk>/dispute/", views.deal_dispute_view, name="dispute"),
    path("<int:pk>/dispute/answer/", views.deal_answer_view, name="answer"),
]
