import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from partners.enums import Role
from tests.factories import UserFactory
from tests.ports import free_port


def test_healthz_ok_with_real_database_and_redis(client, db):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_503_names_the_broker_when_redis_is_unreachable(client, db):
    with override_settings(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0", HEALTHZ_BROKER_TIMEOUT=0.5
    ):
        response = client.get("/healthz/")
    assert response.status_code == 503
    # The public learns what is down, not the addresses behind it.
    assert response.json() == {"database": "ok", "broker": "error"}


def test_healthz_filesystem_broker_ok_when_its_folder_is_writable(client, db, tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with override_settings(
        CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options
    ):
        response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_filesystem_broker_down_when_its_folder_is_missing(client, db, tmp_path, caplog):
    missing = str(tmp_path / "gone")
    options = {"data_folder_in": missing, "data_folder_out": missing}
    with override_settings(
        CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options
    ):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}
    assert missing not in response.content.decode()
    # The operator finds the reason in the log.
    assert f"Health check: broker is down: OSError: queue folder {missing} is missing" in (
        caplog.text
    )


def test_healthz_tells_staff_the_error(staff_client, tmp_path):
    missing = str(tmp_path / "gone")
    options = {"data_folder_in": missing, "data_folder_out": missing}
    with override_settings(
        CELERY_BROKER_URL="filesystem://", CELERY_BROKER_TRANSPORT_OPTIONS=options
    ):
        response = staff_client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["errors"] == {
        "broker": f"OSError: queue folder {missing} is missing or not writable"
    }


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/accounts/login/", "/no-such-page/"])
def test_every_page_sends_a_strict_content_security_policy(client, db, path):
    response = client.get(path)
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/accounts/login/"])
def test_pages_have_no_inline_script_or_style(client, db, path):
    html = client.get(path).content.decode()
    assert "<style" not in html
    assert " style=" not in html
    # Every script is an external file.
    assert html.count("<script") == html.count('<script type="module" src="/static/')


def test_footer_links_the_accessibility_statement(client, db):
    html = client.get("/").content.decode()
    assert (
        '<a class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>' in html
    )


def test_accessibility_statement_has_the_model_sections(client, db):
    html = client.get("/accessibility/").content.decode()
    assert "<strong>partially compliant</strong>" in html
    assert "It was last reviewed on 23 November 2026." in html
    assert (
        "The portal was last tested on 23 November 2026 against the WCAG 2.2 AA standard." in html
    )
    for heading in (
        "Compliance status",
        "Non-accessible content",
        "Reporting accessibility problems",
        "Enforcement procedure",
        "Preparation of this statement",
    ):
        assert f">{heading}</h2>" in html


def test_404_page_uses_the_site_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "govuk-footer" in html


def test_403_page_uses_the_site_layout(client, db):
    client.force_login(UserFactory(roles=[Role.PROVIDER]))
    response = client.get("/staff/organisations/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not have access to this page" in html
    assert (
        'email the OPCC at <a class="govuk-link" href="mailto:grants@opcc.example">'
        "grants@opcc.example</a>." in html
    )


def test_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html


def test_the_site_shows_no_crown_or_gds_font(client, db):
    html = client.get("/").content.decode()
    assert "govuk-header__logotype-crown" not in html
    assert "<svg" not in html.split("<main")[0]  # no logo image in the header
    css = (
        settings.BASE_DIR / "static/vendor/govuk-frontend-5.9.0/govuk-frontend.min.css"
    ).read_text()
    assert "GDS Transport" not in css
    assert "font-family:arial,sans-serif" in css.replace(" ", "").lower()


def test_home_sends_each_role_to_its_work(client, db):
    cases = {
        Role.OPCC_STAFF: "Organisations waiting for verification",
        Role.CHIEF_EXECUTIVE: "waiting for your officer approval",
        Role.PCC: "waiting for your signature",
        Role.PANEL_MEMBER: "You are not on a scoring panel yet.",
        Role.PROVIDER: "Register an organisation",
    }
    for role, text in cases.items():
        client.force_login(UserFactory(roles=[role]))
        html = client.get("/").content.decode()
        assert text in html, role
        for other_role, other_text in cases.items():
            if other_role != role:
                assert other_text not in html, (role, other_role)


def test_anonymous_home_invites_sign_up(client, db):
    html = client.get("/").content.decode()
    assert 'href="/accounts/signup/"' in html
    assert 'href="/accounts/login/"' in html


def _run_manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "svd_portal.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "grants.opcc.example",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.opcc.example:587",
    "DEFAULT_FROM_EMAIL": "grants@opcc.example",
}


def test_check_deploy_is_clean_under_production_settings():
    result = _run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_healthz_answers_json_whatever_the_accept_header(client, db):
    response = client.get("/healthz/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["database"] == "ok"
