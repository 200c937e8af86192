import io
import re

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.demo import ACCOUNTS
from partners.models import (
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    StrategicPriority,
    User,
)
from tests.second_factor import code_from_secret

DEFAULT_PASSWORD = "demo-password-2024"
DEMO_EMAILS = [
    "staff@demo.example",
    "staff2@demo.example",
    "ceo@demo.example",
    "pcc@demo.example",
    "panel1@demo.example",
    "panel2@demo.example",
    "panel3@demo.example",
    "panel4@demo.example",
    "panel5@demo.example",
    "provider@demo.example",
    "provider2@demo.example",
]


@pytest.fixture
def seeded(demo, seeded_demo):
    assert "Demo data loaded." in seeded_demo


def _snapshot():
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "partnerships": Partnership.objects.count(),
        "partnership members": PartnershipMember.objects.count(),
        "priorities": StrategicPriority.objects.count(),
        "group memberships": User.groups.through.objects.count(),
        "passwords": dict(User.objects.values_list("email", "password")),
        "verification": dict(Organisation.objects.values_list("name", "verified_at")),
    }


def test_seed_demo_second_run_changes_nothing(seeded):
    first = _snapshot()
    assert first["users"] == 11
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first


def test_seed_demo_accounts_are_the_ones_in_the_design(seeded):
    assert sorted(User.objects.values_list("email", flat=True)) == sorted(DEMO_EMAILS)
    assert sorted(email for email, *_ in ACCOUNTS) == sorted(DEMO_EMAILS)


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_seed_demo_account_signs_in(seeded, client, email):
    response = client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)


@pytest.mark.parametrize(
    ("email", "role"),
    [
        ("staff@demo.example", "OPCC staff"),
        ("staff2@demo.example", "OPCC staff"),
        ("ceo@demo.example", "Chief Executive"),
        ("pcc@demo.example", "PCC"),
        ("panel3@demo.example", "Panel member"),
        ("provider2@demo.example", "Provider"),
    ],
)
def test_seed_demo_account_has_its_role(seeded, email, role):
    user = User.objects.get(email=email)
    assert list(user.groups.values_list("name", flat=True)) == [role]


def test_seed_demo_providers_in_two_organisations_one_registered(seeded):
    first = Membership.objects.get(user__email="provider@demo.example")
    second = Membership.objects.get(user__email="provider2@demo.example")
    assert first.organisation != second.organisation
    assert first.organisation.name == "Darlington Youth Mentoring Trust"
    assert first.organisation.is_registered is True
    assert first.organisation.org_id == "GB-CHC-1123456"
    assert second.organisation.name == "Bishop Auckland Boxing Club"
    assert second.organisation.is_registered is False
    assert (first.status, second.status) == ("active", "active")


def test_seed_demo_partnership_has_four_priorities_in_two_themes(seeded):
    partnership = Partnership.objects.get()
    priorities = partnership.priorities.order_by("number")
    assert [(p.number, p.theme) for p in priorities] == [
        (1, "Prevention and Early Intervention"),
        (2, "Prevention and Early Intervention"),
        (3, "Criminal Justice and Enforcement"),
        (4, "Criminal Justice and Enforcement"),
    ]
    assert partnership.convener.kind == "opcc"


STAFF_SIDE = [email for email in DEMO_EMAILS if not email.startswith("provider")]


def test_seed_demo_prints_a_key_for_each_staff_side_account(seeded, seeded_demo):
    printed = dict(
        re.findall(r"^  (\S+@demo\.example) +((?:[A-Z2-7]{4} ?){8})$", seeded_demo, re.M)
    )
    assert sorted(printed) == sorted(STAFF_SIDE)
    assert len(set(printed.values())) == len(STAFF_SIDE)
    # Not yet an app: each sets one up at the first sign-in, with the key printed.
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


@pytest.mark.parametrize("email", ["pcc@demo.example", "panel1@demo.example"])
def test_seed_demo_staff_side_account_sets_up_the_printed_key_at_first_sign_in(
    seeded, seeded_demo, client, email
):
    key = re.search(rf"^  {re.escape(email)} +([A-Z2-7 ]+)$", seeded_demo, re.M)[1]
    client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD})
    asked = client.get("/")
    assert asked["Location"] == "/accounts/two-factor/setup/?next=%2F"
    page = client.get(asked["Location"]).content.decode()
    assert f'id="secret">{key}</code>' in page
    done = client.post(asked["Location"], {"code": code_from_secret(key)})
    assert done["Location"] == "/accounts/two-factor/recovery-codes/"
    assert TOTPDevice.objects.get(user__email=email).confirmed is True
    assert client.get("/").status_code == 200


def test_seed_demo_providers_are_not_asked_for_a_second_factor(seeded, client):
    client.post(
        "/accounts/login/", {"username": "provider@demo.example", "password": DEFAULT_PASSWORD}
    )
    assert client.get("/applications/").status_code == 200
