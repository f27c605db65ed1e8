from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("links/", views.LinkCreateView.as_view(), name="link-create"),
    path("links/<str:number>/revoke/", views.LinkRevokeView.as_view(), name="link-revoke"),
    path("accounts/<str:number>/balance/", views.BalanceView.as_view(), name="balance"),
    path("payments/", views.PaymentCreateView.as_view(), name="payment-create"),
    path("operations/<str:operation_id>/", views.OperationDetailView.as_view(), name="operation"),
    path(
        "operations/<str:operation_id>/resend/",
        views.CodeResendView.as_view(),
        name="operation-resend",
    ),
    path(
        "operations/<str:operation_id>/confirm/",
        views.CodeConfirmView.as_view(),
        name="operation-confirm",
    ),
    path(
        "operations/<str:operation_id>/execute/",
        views.ExecuteView.as_view(),
        name="operation-execute",
    ),
]
