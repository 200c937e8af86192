"""seed_demo's production guard, on an empty database: tests/demo has the seeded demo."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partners.models import Partnership, User

DEFAULT_PASSWORD = "demo-password-2024"


@pytest.fixture
def demo_settings(settings):
    settings.IS_PRODUCTION = False
    settings.DEMO_PASSWORD = ""
    return settings


def test_seed_demo_refuses_production_without_password(db, demo_settings):
    demo_settings.IS_PRODUCTION = True
    with pytest.raises(CommandError) as excinfo:
        call_command("seed_demo")
    assert str(excinfo.value) == (
        "seed_demo refuses to run under production settings unless DEMO_PASSWORD is set"
    )
    assert User.objects.count() == 0
    assert Partnership.objects.count() == 0


def test_seed_demo_runs_in_production_with_password(db, demo_settings, client):
    demo_settings.IS_PRODUCTION = True
    demo_settings.DEMO_PASSWORD = "a-chosen-demo-secret-77"
    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.get(email="staff@demo.example")
    assert user.check_password("a-chosen-demo-secret-77")
    assert not user.check_password(DEFAULT_PASSWORD)
    response = client.post(
        "/accounts/login/",
        {"username": "staff@demo.example", "password": "a-chosen-demo-secret-77"},
    )
    assert response.status_code == 302
