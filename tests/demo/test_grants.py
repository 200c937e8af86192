from django.apps import apps
from django.core.management import call_command

from grants.enums import ApplicationStatus
from grants.models import FundingRound

S = ApplicationStatus

# grants/demo.py VPF_APPLICATIONS in reference order, after the demo panel's moderation
# (DEMO_MODERATION) has moved the five under assessment on: four to fund, one not.
VPF_STATUSES = {
    "VPF24-0001": S.RECOMMENDED,
    "VPF24-0002": S.RECOMMENDED,
    "VPF24-0003": S.RECOMMENDED,
    "VPF24-0004": S.RECOMMENDED,
    "VPF24-0005": S.NOT_RECOMMENDED,
    "VPF24-0006": S.WITHDRAWN,
    "VPF24-0007": S.INELIGIBLE,
    "VPF24-0008": S.SUBMITTED,
    "VPF24-0009": S.SUBMITTED,
    "VPF24-0010": S.SUBMITTED,
    "VPF24-0011": S.SUBMITTED,
    "VPF24-0012": S.DRAFT,
}


def _row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seed_demo_public_page_shows_the_fund_and_both_caps(client, demo):
    response = client.get("/funding/violence-prevention-fund-2024/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "£700,000" in text
    assert "£500 to £5,000" in text
    assert "£1,000 to £40,000" in text
    assert "January 2024 to March 2025" in text


def test_seed_demo_round_funds_the_four_priorities(demo):
    vpf = FundingRound.objects.get(slug="violence-prevention-fund-2024")

    assert sorted(vpf.priorities.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_seed_demo_twelve_applications_in_their_statuses(demo):
    vpf = FundingRound.objects.get(slug="violence-prevention-fund-2024")

    assert dict(vpf.applications.values_list("reference", "status")) == VPF_STATUSES
    assert vpf.applications.filter(submitted_at__gte=vpf.closes_at).count() == 0


def test_seed_demo_small_grants_round_is_open_today(client, demo):
    response = client.get("/funding/community-safety-small-grants/")

    assert response.status_code == 200
    assert "Start an application" in response.content.decode()
    assert FundingRound.objects.get(slug="community-safety-small-grants").is_accepting()


def test_seed_demo_twice_changes_no_row_counts(demo):
    before = _row_counts()

    call_command("seed_demo", verbosity=0)

    assert _row_counts() == before
