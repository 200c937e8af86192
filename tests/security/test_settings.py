"""Security settings: cookies in production, and uploaded files that no public URL reaches."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.static import serve

from grants.storage import private_storage
from partners.enums import Role
from tests.factories import UserFactory
from tests.svd_portal.test_site import PRODUCTION_ENV, _run_manage

SECRET = b"%PDF-1.7 commercially sensitive bid"


def production_settings(*names):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))"
    )
    result = _run_manage("shell", "-c", code, env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_and_http_only():
    assert production_settings(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "DEBUG",
    ) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }


def test_production_throttles_sign_in():
    assert production_settings(
        "AXES_ENABLED", "AXES_FAILURE_LIMIT", "AXES_LOCKOUT_PARAMETERS", "AUTHENTICATION_BACKENDS"
    ) == {
        "AXES_ENABLED": True,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "rules.permissions.ObjectPermissionBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
    }


def file_fields():
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


def test_every_upload_field_stores_privately_with_no_url():
    fields = {f"{field.model._meta.label}.{field.name}" for field in file_fields()}
    assert fields == {
        "grants.Attachment.file",
        "decisions.DecisionRecord.section_b",
        "decisions.DecisionRecord.section_b_redacted",
        "decisions.DecisionDocument.file",
        "grants.DiligenceCheck.file",
        "grants.AgreementDocument.file",
        "grants.ReturnAttachment.file",
    }
    private = Path(settings.PRIVATE_ROOT).resolve()
    for field in file_fields():
        storage = field.storage
        assert Path(storage.location).resolve() == private, field
        with pytest.raises(ValueError, match="Private files have no URL"):
            storage.url("applications/1/bid.pdf")
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        public = Path(public).resolve()
        assert not private.is_relative_to(public)
        assert not public.is_relative_to(private)


def patterns(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry)
        else:
            yield entry


def test_no_url_serves_files_from_disk():
    views = [p.callback for p in patterns() if isinstance(p, URLPattern)]
    assert serve not in views


@pytest.mark.parametrize("role", [None, Role.PROVIDER, Role.OPCC_STAFF, Role.PCC])
def test_a_stored_upload_is_not_reachable_at_any_public_path(client, db, role):
    storage = private_storage()
    name = storage.save("applications/7/bid-budget.pdf", ContentFile(SECRET))
    try:
        if role:
            client.force_login(UserFactory(roles=[role]))
        for path in (
            f"/media/{name}",
            f"/static/{name}",
            f"/private/{name}",
            f"/{name}",
            f"/static/../private/{name}",
            f"/static/%2e%2e/private/{name}",
            f"/static/..%2f..%2fprivate/{name}",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            body = b"".join(response) if response.streaming else response.content
            assert SECRET not in body, path
    finally:
        storage.delete(name)
