"""partners' pages: people and organisations (organisations.py), and a person's own account
and second factor (accounts.py)."""

from .accounts import (
    AccountClosedView,
    AccountDataView,
    AccountView,
    AppSetupView,
    CloseAccountView,
    EndOtherSessionsView,
    KeepAliveView,
    PersonDataView,
    RecoveryCodesView,
    SecondFactorView,
    SignedOutView,
)
from .organisations import (
    MembershipDecideView,
    MembershipSignatoryView,
    OrganisationJoinView,
    OrganisationRegisterView,
    OrganisationsMineView,
    OrganisationStaffDetailView,
    OrganisationStaffListView,
    OrganisationVerifyView,
    SignUpConfirmView,
    SignUpSentView,
    SignUpView,
)

__all__ = [
    "AccountClosedView",
    "AccountDataView",
    "AccountView",
    "AppSetupView",
    "CloseAccountView",
    "EndOtherSessionsView",
    "KeepAliveView",
    "MembershipDecideView",
    "MembershipSignatoryView",
    "OrganisationJoinView",
    "OrganisationRegisterView",
    "OrganisationStaffDetailView",
    "OrganisationStaffListView",
    "OrganisationVerifyView",
    "OrganisationsMineView",
    "PersonDataView",
    "RecoveryCodesView",
    "SecondFactorView",
    "SignUpConfirmView",
    "SignUpSentView",
    "SignUpView",
    "SignedOutView",
]
