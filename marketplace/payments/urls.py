from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("deal/<int:deal_pk>/", views.payment_start, name="start"),
    path("<int:pk>/code/", views.payment_code, name="code"),
    path("<int:pk>/resend/", views.payment_resend, name="resend"),
    path("<int:pk>/", views.payment_status, name="status"),
    path("<int:pk>/status.json", views.payment_status_json, name="status-json"),
]
