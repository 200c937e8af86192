from django.urls import path, re_path

from .views import (
    agreements,
    applications,
    awards,
    dashboard,
    delivery,
    moderation,
    panels,
    public,
    register,
    return_attachments,
    staff,
    variations,
)

app_name = "grants"

urlpatterns = [
    # The money after the signature.
    # The public grants register; an award's page is the holder's and the OPCC's own.
    path("grants/", register.RegisterListView.as_view(), name="register"),
    path("grants/mine/", awards.AwardsMineView.as_view(), name="awards-mine"),
    path("grants/feed/", register.RegisterFeed(), name="register-feed"),
    path("grants/register.csv", register.RegisterExportView.as_view(), name="register-export"),
    re_path(
        r"^grants/register-(?P<year>\d{4})-(?P<month>\d{2})\.csv$",
        register.RegisterExportView.as_view(),
        name="register-month",
    ),
    path("grants/spending/", register.SpendingView.as_view(), name="register-spending"),
    re_path(
        r"^grants/spending/(?P<part>payments|agreements)\.csv$",
        register.SpendingExportView.as_view(),
        name="register-spending-export",
    ),
    re_path(
        r"^grants/360giving\.(?P<format>json|csv)$",
        register.OpenDataView.as_view(),
        name="open-data",
    ),
    path("grants/<str:reference>/", register.GrantPageView.as_view(), name="award-detail"),
    path("grants/<str:reference>/plan/", delivery.DeliveryPlanView.as_view(), name="award-plan"),
    path(
        "grants/<str:reference>/register/",
        awards.AwardRegisterView.as_view(),
        name="award-register",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/",
        delivery.ReturnView.as_view(),
        name="return",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/edit/",
        delivery.ReturnEditView.as_view(),
        name="return-edit",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/accept/",
        delivery.ReturnAcceptView.as_view(),
        name="return-accept",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/send-back/",
        delivery.ReturnSendBackView.as_view(),
        name="return-send-back",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/attachments/",
        return_attachments.ReturnAttachmentAddView.as_view(),
        name="return-attachments",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/attachments/<int:pk>/",
        return_attachments.ReturnAttachmentDownloadView.as_view(),
        name="return-attachment",
    ),
    path(
        "grants/<str:reference>/returns/<int:number>/attachments/<int:pk>/remove/",
        return_attachments.ReturnAttachmentRemoveView.as_view(),
        name="return-attachment-remove",
    ),
    path(
        "grants/<str:reference>/payments/<int:number>/raise/",
        delivery.PaymentRaiseView.as_view(),
        name="payment-raise",
    ),
    path(
        "grants/<str:reference>/payments/<int:number>/approve/",
        delivery.PaymentApproveView.as_view(),
        name="payment-approve",
    ),
    path(
        "grants/<str:reference>/payments/<int:number>/paid/",
        delivery.PaymentPaidView.as_view(),
        name="payment-paid",
    ),
    path(
        "grants/<str:reference>/claw-back/",
        delivery.ClawBackView.as_view(),
        name="award-claw-back",
    ),
    path("grants/<str:reference>/close/", delivery.CloseOutView.as_view(), name="award-close"),
    path(
        "grants/<str:reference>/variations/new/",
        variations.VariationCreateView.as_view(),
        name="variation-create",
    ),
    path(
        "grants/<str:reference>/variations/<int:number>/",
        variations.VariationView.as_view(),
        name="variation",
    ),
    path(
        "grants/<str:reference>/variations/<int:number>/decide/",
        variations.VariationDecideView.as_view(),
        name="variation-decide",
    ),
    path(
        "grants/<str:reference>/variations/<int:number>/withdraw/",
        variations.VariationWithdrawView.as_view(),
        name="variation-withdraw",
    ),
    path(
        "grants/<str:reference>/reallocate/",
        variations.ReallocateView.as_view(),
        name="award-reallocate",
    ),
    path("staff/returns/", delivery.ReturnListView.as_view(), name="staff-returns"),
    path("staff/payments/", delivery.PaymentListView.as_view(), name="staff-payments"),
    path(
        "staff/payments/export.csv",
        delivery.PaymentExportView.as_view(),
        name="staff-payments-export",
    ),
    path(
        "grants/<str:reference>/withdraw/",
        awards.AwardWithdrawView.as_view(),
        name="award-withdraw",
    ),
    path(
        "grants/<str:reference>/bank-details/",
        agreements.BankDetailsView.as_view(),
        name="award-bank-details",
    ),
    path(
        "grants/<str:reference>/bank-details/verify/",
        agreements.BankVerifyView.as_view(),
        name="award-bank-verify",
    ),
    path(
        "grants/<str:reference>/due-diligence/<str:item>/",
        agreements.DiligenceItemView.as_view(),
        name="award-diligence",
    ),
    path(
        "grants/<str:reference>/due-diligence/<str:item>/file/",
        agreements.DiligenceFileView.as_view(),
        name="award-diligence-file",
    ),
    path("grants/<str:reference>/offer/", agreements.AwardOfferView.as_view(), name="award-offer"),
    path("grants/<str:reference>/agreement/", agreements.AgreementView.as_view(), name="agreement"),
    path(
        "grants/<str:reference>/agreement/accept/",
        agreements.AgreementAcceptView.as_view(),
        name="agreement-accept",
    ),
    path(
        "grants/<str:reference>/agreement/return/",
        agreements.AgreementReturnView.as_view(),
        name="agreement-return",
    ),
    re_path(
        r"^grants/(?P<reference>[^/]+)/agreement/v(?P<version>[0-9]+)-(?P<kind>offer|accepted)\.pdf$",
        agreements.AgreementDownloadView.as_view(),
        name="agreement-pdf",
    ),
    path(
        "staff/agreement-templates/",
        agreements.AgreementTemplateListView.as_view(),
        name="staff-agreement-templates",
    ),
    path(
        "staff/agreement-templates/new/",
        agreements.AgreementTemplateFormView.as_view(),
        name="staff-agreement-template-create",
    ),
    path(
        "staff/agreement-templates/<int:pk>/",
        agreements.AgreementTemplateFormView.as_view(),
        name="staff-agreement-template",
    ),
    path("staff/dashboard/", dashboard.DashboardView.as_view(), name="staff-dashboard"),
    re_path(
        r"^staff/dashboard/(?P<part>money|delivery|returns)\.csv$",
        dashboard.DashboardExportView.as_view(),
        name="staff-dashboard-export",
    ),
    path("staff/streams/", awards.StreamListView.as_view(), name="staff-streams"),
    path("staff/streams/new/", awards.StreamCreateView.as_view(), name="staff-stream-create"),
    path("staff/streams/<int:pk>/", awards.StreamDetailView.as_view(), name="staff-stream"),
    path("staff/streams/<int:pk>/edit/", awards.StreamEditView.as_view(), name="staff-stream-edit"),
    path(
        "staff/streams/<int:pk>/allocation/",
        awards.AllocationSetView.as_view(),
        name="staff-stream-allocation",
    ),
    path("staff/awards/", awards.AwardStaffListView.as_view(), name="staff-awards"),
    re_path(
        r"^staff/awards\.(?P<format>csv|xlsx)$",
        awards.AwardExportView.as_view(),
        name="staff-awards-export",
    ),
    # Public.
    path("funding/", public.RoundListView.as_view(), name="rounds"),
    path("funding/<slug:slug>/", public.RoundDetailView.as_view(), name="round-detail"),
    # Providers (and staff filling in bids they logged).
    path(
        "funding/<slug:slug>/apply/",
        applications.ApplicationStartView.as_view(),
        name="application-start",
    ),
    path("applications/", applications.ApplicationListMineView.as_view(), name="applications-mine"),
    path(
        "applications/<str:reference>/",
        applications.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<str:reference>/budget/",
        applications.BudgetView.as_view(),
        name="application-budget",
    ),
    path(
        "applications/<str:reference>/budget/<int:pk>/remove/",
        applications.BudgetLineRemoveView.as_view(),
        name="application-budget-remove",
    ),
    path(
        "applications/<str:reference>/attachments/",
        applications.AttachmentsView.as_view(),
        name="application-attachments",
    ),
    path(
        "applications/<str:reference>/attachments/<int:pk>/",
        applications.AttachmentDownloadView.as_view(),
        name="application-attachment",
    ),
    path(
        "applications/<str:reference>/attachments/<int:pk>/remove/",
        applications.AttachmentRemoveView.as_view(),
        name="application-attachment-remove",
    ),
    path(
        "applications/<str:reference>/submit/",
        applications.ApplicationSubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<str:reference>/receipt/",
        applications.ApplicationReceiptView.as_view(),
        name="application-receipt",
    ),
    path(
        "applications/<str:reference>/withdraw/",
        applications.ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<str:reference>/<slug:section>/",
        applications.ApplicationSectionView.as_view(),
        name="application-section",
    ),
    # OPCC staff.
    path("staff/rounds/", staff.RoundStaffListView.as_view(), name="staff-rounds"),
    path("staff/rounds/new/", staff.RoundCreateView.as_view(), name="staff-round-create"),
    path(
        "staff/rounds/<slug:slug>/",
        staff.RoundApplicationsView.as_view(),
        name="staff-round-applications",
    ),
    path(
        "staff/rounds/<slug:slug>/edit/", staff.RoundUpdateView.as_view(), name="staff-round-edit"
    ),
    path(
        "staff/rounds/<slug:slug>/status/", staff.RoundMoveView.as_view(), name="staff-round-move"
    ),
    path(
        "staff/rounds/<slug:slug>/close/", staff.RoundCloseView.as_view(), name="staff-round-close"
    ),
    path(
        "staff/rounds/<slug:slug>/log-bid/", staff.LogBidView.as_view(), name="staff-round-log-bid"
    ),
    re_path(
        r"^staff/rounds/(?P<slug>[-\w]+)/applications\.(?P<format>csv|xlsx)$",
        staff.RoundApplicationsExportView.as_view(),
        name="staff-round-export",
    ),
    path(
        "staff/applications/<str:reference>/",
        staff.ApplicationStaffDetailView.as_view(),
        name="staff-application-detail",
    ),
    path(
        "staff/applications/<str:reference>/eligibility/",
        staff.ApplicationEligibilityView.as_view(),
        name="staff-application-eligibility",
    ),
    path(
        "staff/applications/<str:reference>/invite/",
        staff.ApplicationInviteView.as_view(),
        name="staff-application-invite",
    ),
    # Scoring panels.
    path("staff/rounds/<slug:slug>/panel/", panels.PanelSetupView.as_view(), name="panel-setup"),
    path(
        "staff/rounds/<slug:slug>/panel/members/<int:member>/assignments/",
        panels.PanelAssignView.as_view(),
        name="panel-assign",
    ),
    path("panel/", panels.PanelsMineView.as_view(), name="panels-mine"),
    path("panel/<slug:slug>/", panels.PanelRoundView.as_view(), name="panel-round"),
    path("panel/<slug:slug>/ranking/", moderation.RankingView.as_view(), name="panel-ranking"),
    path("panel/<slug:slug>/report/", moderation.PanelReportView.as_view(), name="panel-report"),
    re_path(
        r"^panel/(?P<slug>[-\w]+)/report\.(?P<format>csv|xlsx)$",
        moderation.PanelReportExportView.as_view(),
        name="panel-report-export",
    ),
    path(
        "panel/<slug:slug>/scorecards/<int:pk>/reopen/",
        moderation.ScorecardReopenView.as_view(),
        name="panel-scorecard-reopen",
    ),
    path(
        "panel/<slug:slug>/applications/<str:reference>/declare/",
        panels.DeclareView.as_view(),
        name="panel-declare",
    ),
    path(
        "panel/<slug:slug>/applications/<str:reference>/",
        panels.ScoreView.as_view(),
        name="panel-score",
    ),
    path(
        "panel/<slug:slug>/applications/<str:reference>/attachments/<int:pk>/",
        panels.PanelAttachmentView.as_view(),
        name="panel-attachment",
    ),
    path(
        "panel/<slug:slug>/applications/<str:reference>/moderate/",
        moderation.ModerateView.as_view(),
        name="panel-moderate",
    ),
]
