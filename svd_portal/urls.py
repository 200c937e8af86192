from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.routers import DefaultRouter

from decisions.api import DecisionViewSet
from grants.api import GrantViewSet, RoundViewSet
from partners.forms import PasswordResetRequestForm, PasswordSetForm, SignInForm

from . import metrics, views
from .api import not_found

api = DefaultRouter()
api.register("decisions", DecisionViewSet, basename="decision")
api.register("rounds", RoundViewSet, basename="round")
api.register("grants", GrantViewSet, basename="grant")
api_urls = [
    *api.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            template_name="api/docs.html",
            # The session only tells the page's header who is signed in; the API never reads it.
            authentication_classes=[SessionAuthentication],
        ),
        name="docs",
    ),
    re_path(r"^(?P<path>.*)$", not_found, name="not-found"),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("status/", views.service_status, name="service-status"),
    path("metrics", metrics.scrape, name="metrics"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("staff/audit/", views.AuditTrailView.as_view(), name="audit-trail"),
    path("staff/audit.csv", views.AuditTrailExportView.as_view(), name="audit-trail-export"),
    path("staff/retention/", views.RetentionView.as_view(), name="retention"),
    path("staff/retention.csv", views.RetentionExportView.as_view(), name="retention-export"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetRequestForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=PasswordSetForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urls, "api"))),
    path("", include("partners.urls")),
    path("", include("grants.urls")),
    path("", include("decisions.urls")),
]
