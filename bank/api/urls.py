from django.urls import path

from . import hold_views, views

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
    path("hold-requests/", hold_views.HoldRequestView.as_view(), name="hold-request"),
    path(
        "operations/<str:operation_id>/place/",
        hold_views.HoldPlaceView.as_view(),
        name="operation-place",
    ),
    path("holds/<str:hold_id>/", hold_views.HoldDetailView.as_view(), name="hold"),
    path("holds/<str:hold_id>/capture/", hold_views.HoldCaptureView.as_view(), name="hold-capture"),
    path("holds/<str:hold_id>/void/", hold_views.HoldVoidView.as_view(), name="hold-void"),
    path("holds/<str:hold_id>/refunds/", hold_views.HoldRefundView.as_view(), name="hold-refund"),
]
