from django.urls import path

from svd_portal.caching import public_page_view

from . import views
from .cached_pages import REGISTER

app_name = "decisions"

urlpatterns = [
    path("decisions/", views.RegisterListView.as_view(), name="register"),
    path("decisions/feed/", public_page_view(REGISTER)(views.RegisterFeed()), name="feed"),
    path("decisions/<str:reference>/", views.RegisterDetailView.as_view(), name="detail"),
    path("decisions/<str:reference>/section-b/", views.SectionBView.as_view(), name="section-b"),
    path(
        "decisions/<str:reference>/section-b/redacted/",
        views.SectionBView.as_view(redacted=True),
        name="section-b-redacted",
    ),
    path("decisions/<str:reference>/pdf/", views.RecordPdfView.as_view(), name="pdf"),
    path("staff/decisions/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/decisions/new/", views.RecordCreateView.as_view(), name="staff-create"),
    path(
        "staff/decisions/from-round/", views.RecordFromRoundView.as_view(), name="staff-from-round"
    ),
    path(
        "staff/decisions/from-variation/<str:reference>/<int:number>/",
        views.RecordFromVariationView.as_view(),
        name="staff-from-variation",
    ),
    path("staff/decisions/<int:pk>/", views.RecordStaffDetailView.as_view(), name="staff-detail"),
    path("staff/decisions/<int:pk>/edit/", views.RecordEditView.as_view(), name="staff-edit"),
    path("staff/decisions/<int:pk>/submit/", views.RecordSubmitView.as_view(), name="staff-submit"),
    path(
        "staff/decisions/<int:pk>/approve/", views.RecordApproveView.as_view(), name="staff-approve"
    ),
    path("staff/decisions/<int:pk>/return/", views.RecordReturnView.as_view(), name="staff-return"),
    path("staff/decisions/<int:pk>/sign/", views.RecordSignView.as_view(), name="staff-sign"),
    path(
        "staff/decisions/<int:pk>/correct/", views.RecordCorrectView.as_view(), name="staff-correct"
    ),
    path(
        "staff/decisions/<int:pk>/documents/",
        views.DocumentStatusView.as_view(),
        name="staff-documents",
    ),
    path(
        "staff/decisions/<int:pk>/documents/regenerate/",
        views.DocumentRegenerateView.as_view(),
        name="staff-document-regenerate",
    ),
    path(
        "staff/decisions/<int:pk>/documents/<int:version>/",
        views.DocumentDownloadView.as_view(),
        name="staff-document",
    ),
    path(
        "staff/decisions/<int:pk>/documents/<int:version>/retry/",
        views.DocumentRetryView.as_view(),
        name="staff-document-retry",
    ),
    path(
        "staff/decisions/<int:pk>/section-b/",
        views.StaffSectionBView.as_view(),
        name="staff-section-b",
    ),
    path(
        "staff/decisions/<int:pk>/section-b/redacted/",
        views.StaffSectionBView.as_view(redacted=True),
        name="staff-section-b-redacted",
    ),
]
