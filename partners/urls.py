from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("accounts/signup/", views.SignUpView.as_view(), name="signup"),
    path("accounts/signup/sent/", views.SignUpSentView.as_view(), name="signup-sent"),
    path(
        "accounts/signup/confirm/<uidb64>/<token>/",
        views.SignUpConfirmView.as_view(),
        name="signup-confirm",
    ),
    path("organisations/", views.OrganisationsMineView.as_view(), name="organisations-mine"),
    path(
        "organisations/register/",
        views.OrganisationRegisterView.as_view(),
        name="organisation-register",
    ),
    path("organisations/join/", views.OrganisationJoinView.as_view(), name="organisation-join"),
    path("staff/organisations/", views.OrganisationStaffListView.as_view(), name="organisations"),
    path(
        "staff/organisations/<int:pk>/",
        views.OrganisationStaffDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "staff/organisations/<int:pk>/verification/",
        views.OrganisationVerifyView.as_view(),
        name="organisation-verify",
    ),
    path(
        "staff/memberships/<int:pk>/decision/",
        views.MembershipDecideView.as_view(),
        name="membership-decide",
    ),
    path(
        "staff/memberships/<int:pk>/signatory/",
        views.MembershipSignatoryView.as_view(),
        name="membership-signatory",
    ),
]
