from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("accounts/", views.AccountView.as_view(), name="account"),
    path("accounts/two-factor/", views.SecondFactorView.as_view(), name="two-factor"),
    path("accounts/two-factor/setup/", views.AppSetupView.as_view(), name="two-factor-setup"),
    path(
        "accounts/two-factor/recovery-codes/",
        views.RecoveryCodesView.as_view(),
        name="two-factor-recovery-codes",
    ),
    path(
        "accounts/sessions/end-others/",
        views.EndOtherSessionsView.as_view(),
        name="sessions-end-others",
    ),
    path("accounts/sessions/keep-alive/", views.KeepAliveView.as_view(), name="session-keep-alive"),
    path("accounts/signed-out/", views.SignedOutView.as_view(), name="signed-out"),
    path("accounts/data.zip", views.AccountDataView.as_view(), name="account-data"),
    path("accounts/close/", views.CloseAccountView.as_view(), name="account-close"),
    path("accounts/closed/", views.AccountClosedView.as_view(), name="account-closed"),
    path("staff/people/<int:pk>/data.zip", views.PersonDataView.as_view(), name="person-data"),
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
