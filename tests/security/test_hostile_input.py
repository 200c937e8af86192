"""Hostile input: Hypothesis posts generated data to every form each role can reach, and
sends generated query strings to the search and filter pages.

Each example is one post in a savepoint that is rolled back (tests/security/hostile.py,
`check_post`): never a 500; a refusal changes no table's row count and none of the
objects the form would edit; an accepted post stores what was typed (as the form
normalises it) and the page that shows it escapes it; no page carries markup from
the input. Now and then a post goes with a missing or forged CSRF token, and must get
a 403 that changes nothing.

The data the pages show is named with markup too (organisations, people, titles,
criteria), so every label, legend and hint built from it is checked for escaping.
`HOSTILE_FORMS` names every POST URL and the test that covers it; a new form fails
`test_every_post_url_has_hostile_coverage` until it is covered or listed out of scope.
"""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import strategies as st

from decisions.enums import DecisionStatus, DocumentStatus
from decisions.models import DecisionRecord, DecisionStatusChange
from grants.enums import (
    ApplicationStatus,
    AssignmentMode,
    Channel,
    Recommendation,
    RoundStages,
    RoundStatus,
    Stage,
)
from grants.forms import financial_years
from grants.models import (
    Application,
    ApplicationStatusChange,
    AssessmentCriterion,
    Attachment,
    BudgetLine,
    ConflictDeclaration,
    FundingRound,
    Moderation,
    Panel,
    Score,
    Scorecard,
    ScorecardReopening,
)
from partners.enums import MembershipStatus, OrganisationKind, Role, VerificationStatus
from partners.models import Membership, Organisation, OrganisationStatusChange, User
from partners.selectors import sign_up_tokens
from tests.decisions import conftest as decisions
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
    complete_application,
)
from tests.factories.grants import EvidenceStrandFactory, SuccessMeasureFactory
from tests.factories.partners import PASSWORD
from tests.filtering import summary_links
from tests.grants import conftest as grants
from tests.panels import conftest as panels
from tests.partners import conftest as partners

from .hostile import (
    PAYLOADS,
    PDF,
    SIGN_IN_TABLES,
    Post,
    Upload,
    as_decimal,
    check_get,
    check_post,
    csrf_case,
    form_data,
    hostile,
    hostile_amount,
    hostile_bool,
    hostile_choice,
    hostile_choices,
    hostile_date,
    hostile_datetime,
    hostile_file,
    hostile_text,
    last,
    local_input,
    page_shows,
    valid_amount,
    valid_text,
)

# The apps' fixtures, found by pytest under these names (as tests/decisions/conftest.py does):
# the round in assessment with its panel, decision records in each status, private storage.
applicant_org = panels.applicant_org
application = panels.application
attachment_storage = grants.attachment_storage
ceo_user = decisions.ceo_user
chair_user = panels.chair_user
criteria = panels.criteria
declare = panels.declare
funding_round = panels.funding_round
future_day = decisions.future_day
make_application = panels.make_application
make_panel = panels.make_panel
make_panellist = panels.make_panellist
make_record = decisions.make_record
make_round = panels.make_round
member = panels.member
member_user = panels.member_user
moderate = panels.moderate
panel = panels.panel
pcc_user = decisions.pcc_user
pending_organisation = partners.pending_organisation
recommended_round = decisions.recommended_round
record_in = decisions.record_in
requested_membership = partners.requested_membership
score = panels.score
section_b_storage = decisions.section_b_storage  # autouse: Section B reports in tmp_path
third_user = panels.third_user

# Every URL name that accepts a POST, and the tests that post hostile data to it.
HOSTILE_FORMS = {
    "login": "test_sign_in",
    "password_reset": "test_password_reset",
    "password_reset_confirm": "test_password_reset_confirm",
    "partners:signup": "test_sign_up",
    "partners:signup-confirm": "test_sign_up_confirm",
    "partners:organisation-register": "test_organisation_register",
    "partners:organisation-join": "test_organisation_join",
    "partners:organisation-verify": "test_organisation_verify",
    "partners:membership-decide": "test_membership_decide",
    "grants:application-start": "test_application_start",
    "grants:application-section": "test_application_section",
    "grants:application-budget": "test_budget_line_add",
    "grants:application-budget-remove": "test_action_without_a_form",
    "grants:application-attachments": "test_attachment_upload",
    "grants:application-attachment-remove": "test_action_without_a_form",
    "grants:application-submit": "test_application_submit",
    "grants:application-withdraw": "test_application_withdraw",
    "grants:staff-round-create": ("test_round_create", "test_round_criteria"),
    "grants:staff-round-edit": "test_round_edit",
    "grants:staff-round-move": "test_round_move",
    "grants:staff-round-close": "test_round_close",
    "grants:staff-round-log-bid": "test_log_bid",
    "grants:staff-application-eligibility": "test_eligibility",
    "grants:staff-application-invite": "test_action_without_a_form",
    "grants:panel-setup": "test_panel_setup",
    "grants:panel-assign": "test_panel_assign",
    "grants:panel-declare": "test_conflict_declaration",
    "grants:panel-score": "test_scorecard",
    "grants:panel-moderate": "test_moderation",
    "grants:panel-scorecard-reopen": "test_scorecard_reopen",
    "decisions:staff-create": ("test_record_create", "test_record_section_b"),
    "decisions:staff-from-round": "test_record_from_round",
    "decisions:staff-edit": ("test_record_edit", "test_record_section_b"),
    "decisions:staff-submit": "test_action_without_a_form",
    "decisions:staff-approve": "test_record_approve",
    "decisions:staff-return": "test_record_return",
    "decisions:staff-sign": "test_record_sign",
    "decisions:staff-correct": "test_action_without_a_form",
    "decisions:staff-document-regenerate": "test_action_without_a_form",
    "decisions:staff-document-retry": "test_action_without_a_form",
}
# POST URLs deliberately not fuzzed here, and why.
OUT_OF_SCOPE = {
    "logout": "takes no input: Django's own view signs out whoever posts (CSRF-checked)",
    "admin": (
        "Django's admin site: forms Django builds from the models for superusers and OPCC "
        "staff; its model fields carry the same validators the services rely on"
    ),
}
# The GET pages whose query strings are searched or filtered, and their tests.
HOSTILE_QUERIES = {
    "decisions:register": "test_register_search",
    "decisions:feed": "test_register_feed",
    "grants:rounds": "test_funding_list",
    "grants:staff-round-applications": "test_staff_application_list",
    "grants:staff-round-export": "test_staff_application_list",
    "partners:organisations": "test_staff_organisation_list",
    "decisions:staff-list": "test_staff_decision_list",
}


def as_tuple(tests: str | tuple[str, ...]) -> tuple[str, ...]:
    return (tests,) if isinstance(tests, str) else tests


def post_url_names() -> set[str]:
    """Every URL name whose view accepts a POST; a view that is not a class names its
    namespace (the admin), since only a class says which methods it takes."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.namespace == "admin":
                    names.add("admin")
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is None:
                    continue  # healthz and the Atom feed: plain callables that answer GET
                methods = pattern.callback.view_initkwargs.get(
                    "http_method_names", view_class.http_method_names
                )
                if "post" in methods and hasattr(view_class, "post"):
                    names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_post_url_has_hostile_coverage():
    posts = post_url_names()

    uncovered = posts - set(HOSTILE_FORMS) - set(OUT_OF_SCOPE)
    stale = (set(HOSTILE_FORMS) | set(OUT_OF_SCOPE)) - posts
    tests = {test for tests in HOSTILE_FORMS.values() for test in as_tuple(tests)}
    missing_tests = {test for test in tests if test not in globals()}

    assert uncovered == set(), f"POST URLs without a hostile-input test: {sorted(uncovered)}"
    assert stale == set(), f"listed but no longer POST URLs: {sorted(stale)}"
    assert missing_tests == set()
    assert {test for test in HOSTILE_QUERIES.values() if test not in globals()} == set()


# --- The world, named with markup -----------------------------------------------------------


@pytest.fixture
def provider(provider_user):
    """The provider and their verified unregistered group, both named with markup."""
    provider_user.full_name = f"Pat {PAYLOADS[0]}"
    provider_user.save()
    organisation = provider_user.memberships.get().organisation
    organisation.name = f"Seaham {PAYLOADS[1]}"
    organisation.save()
    return provider_user


@pytest.fixture
def provider_org(provider):
    return provider.memberships.get().organisation


@pytest.fixture
def open_round(db):
    """An open single-stage round (delivery April 2025 to March 2026) funding two priorities."""
    first = StrategicPriorityFactory(number=1, title=f"Young people {PAYLOADS[2]}")
    second = StrategicPriorityFactory(partnership=first.partnership, number=2, title="Night-time")
    return FundingRoundFactory(
        slug="open-round",
        reference_prefix="OPN",
        title=f"Open round {PAYLOADS[3]}",
        priorities=[first, second],
    )


@pytest.fixture
def draft(open_round, provider, provider_org):
    return ApplicationFactory(
        round=open_round,
        organisation=provider_org,
        created_by=provider,
        reference="OPN-0001",
        title=f"Street sport {PAYLOADS[4]}",
    )


@pytest.fixture
def logged_bid(open_round, provider_org, staff_user):
    """A bid staff logged from email, complete and ready to submit."""
    bid = ApplicationFactory(
        round=open_round,
        organisation=provider_org,
        created_by=staff_user,
        reference="OPN-0002",
        channel=Channel.EMAIL,
        title=f"Emailed bid {PAYLOADS[5]}",
    )
    return complete_application(bid)


def submitted(application):
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def marked_panel(funding_round, panel, application, criteria, chair_user, member_user, third_user):
    """The panels' round (in assessment) and panel, with markup in every name a member
    sees in a label or legend: criteria, the application and its applicant, the members."""
    for n, criterion in enumerate(criteria):
        AssessmentCriterion.objects.filter(pk=criterion.pk).update(
            title=f"{criterion.title} {PAYLOADS[n]}", guidance=f"Guidance {PAYLOADS[n + 2]}"
        )
    Application.objects.filter(pk=application.pk).update(title=f"Mentoring {PAYLOADS[3]}")
    Organisation.objects.filter(pk=application.organisation_id).update(
        name=f"Darlington {PAYLOADS[4]}"
    )
    for n, user in enumerate([chair_user, member_user, third_user]):
        User.objects.filter(pk=user.pk).update(full_name=f"{user.full_name} {PAYLOADS[n + 1]}")
    return panel


def text(max_size, min_size=1):
    """Text a field of `max_size` characters takes: markup and odd Unicode included."""
    return valid_text(max_size, min_size=min_size)


def stripped(data, name, default=""):
    value = last(data, name, default)
    return (value or "").strip()


# --- partners: signing in and up, organisations ------------------------------------------------


@hostile(25)
def test_sign_in(db, data, provider):
    posted = data.draw(
        form_data(
            valid={
                "username": st.sampled_from(
                    [provider.email, provider.email.upper(), f" {provider.email} "]
                ),
                "password": PASSWORD,
            },
        )
    )

    def signed_in(response, client):
        assert client.session["_auth_user_id"] == str(provider.pk)

    # A sign-in writes django-axes' attempt rows and a session whatever the outcome: that
    # is how throttling counts attempts. Only those tables, and only for this form.
    check_post(
        Post(
            reverse("login"),
            posted,
            watch=[provider],
            ignore_tables=SIGN_IN_TABLES,
            csrf=data.draw(csrf_case()),
            accepted=signed_in,
        )
    )


@hostile(15)
def test_password_reset(db, data, provider):
    posted = data.draw(
        form_data(valid={"email": st.sampled_from([provider.email, "nobody@example.org"])})
    )
    check_post(
        Post(reverse("password_reset"), posted, watch=[provider], csrf=data.draw(csrf_case()))
    )


@hostile(20)
def test_password_reset_confirm(db, data, provider):
    uidb64 = urlsafe_base64_encode(force_bytes(provider.pk))
    token = default_token_generator.make_token(provider)
    good = data.draw(valid_text(60).filter(lambda s: len(s) >= 12 and not s.isdigit()))
    posted = data.draw(form_data(valid={"new_password1": good, "new_password2": good}))
    hostile_link = data.draw(st.sampled_from([None, None, "token", "uid"]))
    if hostile_link == "token":
        token = data.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1))
    elif hostile_link == "uid":
        uidb64 = data.draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0-_", min_size=1)
        )

    def follow_link(client):
        client.get(reverse("password_reset_confirm", args=[uidb64, token]))

    def password_set(response, client):
        provider.refresh_from_db()
        assert provider.check_password(last(posted, "new_password1"))

    check_post(
        Post(
            reverse("password_reset_confirm", args=[uidb64, "set-password"]),
            posted,
            watch=[provider],
            prepare=follow_link,
            csrf=data.draw(csrf_case()),
            accepted=password_set,
            refusal_marks=(b"govuk-error-summary", b"The link has expired"),
        )
    )


@hostile(25)
def test_sign_up(db, data):
    password = data.draw(valid_text(40).filter(lambda s: len(s) >= 12 and not s.isdigit()))
    posted = data.draw(
        form_data(
            valid={
                "full_name": text(150),
                "email": st.emails().filter(lambda e: len(e) <= 254),
                "password1": password,
                "password2": password,
            },
        )
    )

    def account_made(response, client):
        # Made, waiting for the emailed link; the page is the same as for a taken address.
        user = User.objects.get(email__iexact=stripped(posted, "email"))
        assert user.full_name == stripped(posted, "full_name")
        assert user.check_password(last(posted, "password1"))
        assert user.is_active is False
        page_shows(client, response["Location"], "Check your email")

    check_post(
        Post(reverse("partners:signup"), posted, csrf=data.draw(csrf_case()), accepted=account_made)
    )


@hostile(15)
def test_sign_up_confirm(db, data):
    user = UserFactory(email="waiting@example.org", is_active=False, roles=[Role.PROVIDER])
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = sign_up_tokens.make_token(user)
    hostile_link = data.draw(st.sampled_from([None, "token", "uid"]))
    if hostile_link == "token":
        token = data.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1))
    elif hostile_link == "uid":
        uidb64 = data.draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0-_", min_size=1)
        )

    def activated(response, client):
        user.refresh_from_db()
        assert user.is_active

    check_post(
        Post(
            reverse("partners:signup-confirm", args=[uidb64, token]),
            data.draw(form_data(valid={}, hostile={})),
            watch=[user],
            csrf=data.draw(csrf_case()),
            accepted=activated,
        )
    )


@hostile(25)
def test_organisation_register(db, data, provider):
    kinds = [k.value for k in OrganisationKind]
    posted = data.draw(
        form_data(
            valid={
                "name": text(200),
                "kind": OrganisationKind.COMMUNITY_GROUP.value,
                "charity_number": "",
                "company_number": "",
                "address_line_1": text(200),
                "address_line_2": text(200, min_size=0),
                "town": text(100),
                "postcode": st.sampled_from(["DH1 3NJ", "dh1  3nj", " sr7 7ht "]),
                "email": st.sampled_from(["", "office@example.org"]),
                "website": st.sampled_from(["", "example.org", "https://example.org/a?b=c"]),
            },
            hostile={
                "kind": hostile_choice(*kinds),
                "charity_number": st.one_of(
                    hostile_text(20), st.sampled_from(["1123456", "١١٢٣٤٥٦"])
                ),
                "company_number": st.one_of(hostile_text(20), st.sampled_from(["SC123456", "123"])),
                "email": hostile_text(60),
                "website": st.sampled_from(
                    ["javascript:alert('x7q')", "data:text/html,x7q", "http://", "//x7q"]
                ),
            },
        )
    )

    def registered(response, client):
        organisation = Organisation.objects.filter(created_by=provider).latest("pk")
        assert organisation.name == stripped(posted, "name")
        assert organisation.address_line_1 == stripped(posted, "address_line_1")
        assert organisation.town == stripped(posted, "town")
        assert organisation.postcode == " ".join(stripped(posted, "postcode").upper().split())
        page_shows(client, reverse("partners:organisations-mine"), organisation.name)

    check_post(
        Post(
            reverse("partners:organisation-register"),
            posted,
            user=provider,
            csrf=data.draw(csrf_case()),
            accepted=registered,
        )
    )


@hostile(20)
def test_organisation_join(db, data, provider):
    joinable = OrganisationFactory(name=f"Harbour {PAYLOADS[2]}", charity=True)
    posted = data.draw(
        form_data(
            valid={
                "identifier": st.sampled_from(
                    [joinable.name, joinable.charity_number, f" {joinable.charity_number} "]
                )
            },
        )
    )

    def asked(response, client):
        membership = Membership.objects.get(user=provider, organisation=joinable)
        assert membership.status == MembershipStatus.REQUESTED
        page_shows(client, reverse("partners:organisations-mine"), joinable.name)

    check_post(
        Post(
            reverse("partners:organisation-join"),
            posted,
            user=provider,
            csrf=data.draw(csrf_case()),
            accepted=asked,
        )
    )


@hostile(20)
def test_organisation_verify(db, data, staff_user, pending_organisation):
    posted = data.draw(
        form_data(
            valid={
                "to_status": st.sampled_from(["verified", "rejected"]),
                "reason": text(2000),
            },
            hostile={"to_status": hostile_choice(*VerificationStatus.values)},
        )
    )

    def decided(response, client):
        pending_organisation.refresh_from_db()
        assert pending_organisation.verification_status == last(posted, "to_status")
        change = OrganisationStatusChange.objects.get(organisation=pending_organisation)
        assert change.reason == stripped(posted, "reason")

    check_post(
        Post(
            reverse("partners:organisation-verify", args=[pending_organisation.pk]),
            posted,
            user=staff_user,
            watch=[pending_organisation],
            csrf=data.draw(csrf_case()),
            accepted=decided,
        )
    )


@hostile(15)
def test_membership_decide(db, data, staff_user, requested_membership):
    posted = data.draw(
        form_data(
            valid={"accept": st.sampled_from(["yes", "no"])},
            hostile={"accept": hostile_choice("yes", "no")},
        )
    )

    def decided(response, client):
        requested_membership.refresh_from_db()
        expected = MembershipStatus.ACTIVE if last(posted, "accept") == "yes" else "refused"
        assert requested_membership.status == expected

    check_post(
        Post(
            reverse("partners:membership-decide", args=[requested_membership.pk]),
            posted,
            user=staff_user,
            watch=[requested_membership],
            csrf=data.draw(csrf_case()),
            accepted=decided,
        )
    )


# --- grants: the provider's application --------------------------------------------------------


@hostile(20)
def test_application_start(db, data, provider, provider_org, open_round):
    other = OrganisationFactory(name="Not theirs")
    posted = data.draw(
        form_data(
            valid={"organisation": provider_org.pk, "title": text(200)},
            hostile={"organisation": hostile_choice(provider_org.pk, other.pk)},
        )
    )

    def started(response, client):
        started = Application.objects.get(round=open_round, organisation=provider_org)
        assert started.title == stripped(posted, "title")
        page_shows(client, response["Location"], started.title)

    check_post(
        Post(
            reverse("grants:application-start", args=[open_round.slug]),
            posted,
            user=provider,
            watch=[open_round],
            csrf=data.draw(csrf_case()),
            accepted=started,
        )
    )


def section_fields(section, application):
    """The valid and hostile strategies for one section of the application form."""
    priorities = list(application.round.priorities.values_list("pk", flat=True))
    unfunded = StrategicPriorityFactory(title="Not funded by this round").pk
    strand = EvidenceStrandFactory(name=f"Strand {PAYLOADS[0]}")
    retired = EvidenceStrandFactory(name="Retired strand", is_active=False)
    measure = SuccessMeasureFactory(title=f"Measure {PAYLOADS[1]}")
    return {
        "project": (
            {
                "title": text(200),
                "summary": text(600, min_size=0),
                "description": text(2000, min_size=0),
                "amount_requested": st.one_of(st.just(""), valid_amount()),
            },
            {"amount_requested": hostile_amount()},
        ),
        "priorities": (
            {"priorities": st.lists(st.sampled_from(priorities), unique=True)},
            {"priorities": hostile_choices(*priorities, unfunded)},
        ),
        "evidence": (
            {
                "evidence_strand": st.sampled_from(["", strand.pk]),
                "evidence_other": text(300, min_size=0),
                "evidence_description": text(1500, min_size=0),
            },
            {"evidence_strand": hostile_choice(strand.pk, retired.pk)},
        ),
        "delivery": (
            {
                "target_cohort": text(1000, min_size=0),
                "delivery_area": text(500, min_size=0),
                "partners_involved": text(1000, min_size=0),
            },
            {},
        ),
        "outcomes": (
            {
                "outcomes": text(1500, min_size=0),
                "success_measures": st.lists(st.just(measure.pk), max_size=1),
            },
            {"success_measures": hostile_choices(measure.pk)},
        ),
        "declarations": (
            {name: st.sampled_from(["on", ""]) for name in DECLARATIONS},
            {name: hostile_bool() for name in DECLARATIONS},
        ),
    }[section]


DECLARATIONS = ["declare_accurate", "declare_safeguarding", "declare_data_protection"]
TEXT_FIELDS = {
    "project": ["title", "summary", "description"],
    "evidence": ["evidence_other", "evidence_description"],
    "delivery": ["target_cohort", "delivery_area", "partners_involved"],
    "outcomes": ["outcomes"],
}


@pytest.mark.parametrize(
    "section", ["project", "priorities", "evidence", "delivery", "outcomes", "declarations"]
)
@hostile(15)
def test_application_section(db, data, section, provider, draft):
    valid, bad = section_fields(section, draft)
    posted = data.draw(form_data(valid=valid, hostile=bad))

    def saved(response, client):
        draft.refresh_from_db()
        for name in TEXT_FIELDS.get(section, []):
            assert getattr(draft, name) == stripped(posted, name), name
        if section == "project":
            amount = stripped(posted, "amount_requested")
            assert draft.amount_requested == (as_decimal(amount) if amount else None)
            page_shows(
                client, reverse("grants:application-detail", args=[draft.reference]), draft.title
            )
        if section == "priorities":
            chosen = {int(pk) for pk in posted.get("priorities", [])}
            assert set(draft.priorities.values_list("pk", flat=True)) == chosen
        if section == "declarations":
            for name in DECLARATIONS:
                # A checkbox is ticked by any value but "false" (Django's CheckboxInput).
                value = last(posted, name, "")
                assert getattr(draft, name) is (value != "" and value.lower() != "false")

    check_post(
        Post(
            reverse("grants:application-section", args=[draft.reference, section]),
            posted,
            user=provider,
            watch=[draft],
            csrf=data.draw(csrf_case()),
            accepted=saved,
        )
    )


@hostile(25)
def test_budget_line_add(db, data, provider, draft):
    years = financial_years(draft.round)
    posted = data.draw(
        form_data(
            valid={
                "item": text(200),
                "financial_year": st.sampled_from(years),
                "amount": valid_amount(),
            },
            hostile={
                "financial_year": hostile_choice(*years, "2099-00"),
                "amount": hostile_amount(),
            },
        )
    )

    def added(response, client):
        line = BudgetLine.objects.get(application=draft)
        assert line.item == stripped(posted, "item")
        assert line.amount == as_decimal(last(posted, "amount"))
        page_shows(client, response["Location"], line.item)

    check_post(
        Post(
            reverse("grants:application-budget", args=[draft.reference]),
            posted,
            user=provider,
            watch=[draft],
            csrf=data.draw(csrf_case()),
            accepted=added,
        )
    )


ATTACHMENT_LIMIT = 4096


@hostile(30)
def test_attachment_upload(db, data, settings, provider, draft, attachment_storage):
    settings.ATTACHMENT_MAX_BYTES = ATTACHMENT_LIMIT
    upload = data.draw(hostile_file(limit=ATTACHMENT_LIMIT))
    posted = {"file": upload} if data.draw(st.integers(0, 9)) else {}

    def stored(response, client):
        attachment = Attachment.objects.get(application=draft)
        name = attachment.original_name
        assert name and len(name) <= 200 and not set(name) & {"/", "\\", "\x00"}
        assert attachment.content_type in ("application/pdf", "image/png")
        page_shows(client, response["Location"], name)

    check_post(
        Post(
            reverse("grants:application-attachments", args=[draft.reference]),
            posted,
            user=provider,
            watch=[draft],
            csrf=data.draw(csrf_case()),
            accepted=stored,
        )
    )


@hostile(20)
def test_application_submit(db, data, provider, staff_user, draft, logged_bid):
    """The provider submits a portal draft (complete or not); staff submit a logged bid
    with the time it arrived, which is where the input is."""
    staff = data.draw(st.booleans())
    application = logged_bid if staff else draft
    if not staff and data.draw(st.booleans()):
        application = complete_application(draft)
    opened = logged_bid.round.opens_at
    posted = data.draw(
        form_data(
            valid={
                "received_at": st.sampled_from(
                    [local_input(timezone.now() - datetime.timedelta(hours=2)), local_input(opened)]
                )
            },
            hostile={"received_at": hostile_datetime()},
        )
    )

    def submitted_now(response, client):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        if staff:
            assert local_input(application.submitted_at) == last(posted, "received_at")

    check_post(
        Post(
            reverse("grants:application-submit", args=[application.reference]),
            posted,
            user=staff_user if staff else provider,
            watch=[application],
            csrf=data.draw(csrf_case()),
            accepted=submitted_now,
        )
    )


@hostile(20)
def test_application_withdraw(db, data, provider, draft):
    posted = data.draw(form_data(valid={"reason": text(2000, min_size=0)}))

    def withdrawn(response, client):
        draft.refresh_from_db()
        assert draft.status == ApplicationStatus.WITHDRAWN
        change = ApplicationStatusChange.objects.get(application=draft)
        assert change.reason == stripped(posted, "reason")

    check_post(
        Post(
            reverse("grants:application-withdraw", args=[draft.reference]),
            posted,
            user=provider,
            watch=[draft],
            csrf=data.draw(csrf_case()),
            accepted=withdrawn,
        )
    )


# --- grants: OPCC staff ------------------------------------------------------------------------

HOSTILE_WEIGHTS = [
    "NaN",
    "sNaN",
    "-NaN",
    "Infinity",
    "-1",
    "1000",
    "0.001",
    "12.345",
    "1e2",
    "1e-999999",
    "1e999999999",
    "٣",
    "",
    "x",
]
HOSTILE_SCALES = ["0", "101", "٣", "1e2", "5.0", "-5", "", "9" * 30]
HOSTILE_COUNTS = ["0", "1", "2", "1000", "-1", "", "x", "3.0", "٣", "9" * 30]
CRITERIA = 3  # the rows each post fills in


def criteria_fields(weights, scales) -> dict:
    """The criteria formset's fields: its management form and three rows."""
    fields = {
        "criteria-TOTAL_FORMS": str(CRITERIA),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "20",
    }
    for index in range(CRITERIA):
        fields.update(
            {
                f"criteria-{index}-title": text(200),
                f"criteria-{index}-guidance": text(500, min_size=0),
                f"criteria-{index}-weight": weights,
                f"criteria-{index}-scale_max": scales,
            }
        )
    return fields


def hostile_criteria_fields() -> dict:
    fields = {
        "criteria-TOTAL_FORMS": st.sampled_from(HOSTILE_COUNTS),
        "criteria-INITIAL_FORMS": st.sampled_from(HOSTILE_COUNTS),
    }
    for index in range(CRITERIA):
        fields.update(
            {
                f"criteria-{index}-title": hostile_text(300),
                f"criteria-{index}-weight": st.sampled_from(HOSTILE_WEIGHTS),
                f"criteria-{index}-scale_max": st.sampled_from(HOSTILE_SCALES),
                f"criteria-{index}-DELETE": hostile_bool(),
            }
        )
    return fields


VALID_WEIGHTS = st.one_of(
    st.sampled_from(["60", "40", "33.33", "0", "999"]),
    st.decimals(0, 999, places=2).map(str),
)
VALID_SCALES = st.sampled_from(["5", "10", "1", "100"])


def round_fields(priorities, *, slug):
    now = timezone.now()
    valid = {
        "fund_name": text(200),
        "title": text(200),
        "slug": slug,
        "reference_prefix": st.from_regex(r"[A-Z]{2,6}[0-9]{0,4}", fullmatch=True),
        "description": text(500),
        "eligibility": text(500),
        "how_to_apply": text(500),
        "budget": valid_amount(40_000, 1_000_000),
        "opens_at": local_input(now),
        "closes_at": local_input(now + datetime.timedelta(days=30)),
        "stages": RoundStages.SINGLE.value,
        "full_stage_closes_at": "",
        "delivery_starts_on": "2026-04-01",
        "delivery_ends_on": "2027-03-31",
        "priorities": st.lists(st.sampled_from(priorities), min_size=1, unique=True),
        "unregistered_minimum": "0",
        "unregistered_maximum": "5000",
        "registered_minimum": "£1,000",
        "registered_maximum": "40000",
        **criteria_fields(VALID_WEIGHTS, VALID_SCALES),
    }
    bad = {
        "slug": st.one_of(hostile_text(90), st.just("open-round")),
        "reference_prefix": st.one_of(hostile_text(20), st.sampled_from(["ßßßßßßßß", "OPN"])),
        "budget": hostile_amount(),
        "opens_at": hostile_datetime(),
        "closes_at": hostile_datetime(),
        "stages": hostile_choice(*RoundStages.values),
        "full_stage_closes_at": hostile_datetime(),
        "delivery_starts_on": hostile_date(),
        "delivery_ends_on": hostile_date(),
        "allow_multiple_applications": hostile_bool(),
        "priorities": hostile_choices(*priorities),
        "unregistered_minimum": hostile_amount(),
        "unregistered_maximum": hostile_amount(),
        "registered_minimum": hostile_amount(),
        "registered_maximum": hostile_amount(),
        **hostile_criteria_fields(),
    }
    return valid, bad


def round_saved(posted):
    def check(response, client):
        saved = FundingRound.objects.get(slug=last(posted, "slug"))
        assert saved.title == stripped(posted, "title")
        assert saved.fund_name == stripped(posted, "fund_name")
        assert saved.budget == as_decimal(last(posted, "budget"))
        # An accepted post counted its forms in numbers the formset took, read as it reads
        # them; a row it counted as saved before ("initial") can be removed with DELETE.
        total = forms.IntegerField().to_python(last(posted, "criteria-TOTAL_FORMS"))
        initial = forms.IntegerField().to_python(last(posted, "criteria-INITIAL_FORMS"))

        def removed(i):
            delete = last(posted, f"criteria-{i}-DELETE")
            return i < initial and forms.CheckboxInput().value_from_datadict({"d": delete}, {}, "d")

        typed = [
            (
                Decimal(last(posted, f"criteria-{i}-weight")),
                forms.IntegerField().to_python(last(posted, f"criteria-{i}-scale_max")),
                stripped(posted, f"criteria-{i}-title"),
            )
            for i in range(min(total, CRITERIA))
            if stripped(posted, f"criteria-{i}-title") and not removed(i)
        ]
        stored = list(saved.criteria.order_by("number"))
        assert [(c.weight, c.scale_max, c.title) for c in stored] == typed
        page_shows(client, response["Location"], saved.title)

    return check


@hostile(25)
def test_round_create(db, data, staff_user, open_round):
    priorities = list(open_round.priorities.values_list("pk", flat=True))
    valid, bad = round_fields(priorities, slug="new-round")
    posted = data.draw(form_data(valid=valid, hostile=bad))
    check_post(
        Post(
            reverse("grants:staff-round-create"),
            posted,
            user=staff_user,
            csrf=data.draw(csrf_case()),
            accepted=round_saved(posted),
        )
    )


@hostile(20)
def test_round_criteria(db, data, staff_user, open_round):
    """The criteria formset, each row checked as the round has always checked its criteria:
    a round otherwise valid, with criteria that may not be."""
    priorities = list(open_round.priorities.values_list("pk", flat=True))
    valid, bad = round_fields(priorities, slug="new-round")
    odd_weights = st.sampled_from(["NaN", "sNaN", "-NaN", "0.001", "12.345", "33.333"])
    for index in range(CRITERIA):
        # Decimal reads these, but NaN cannot be compared and the column keeps 2 places.
        valid[f"criteria-{index}-weight"] = st.one_of(
            odd_weights, st.sampled_from(HOSTILE_WEIGHTS), VALID_WEIGHTS
        )
        valid[f"criteria-{index}-scale_max"] = st.one_of(
            st.sampled_from(HOSTILE_SCALES), VALID_SCALES
        )
    posted = data.draw(form_data(valid=valid, most=0))
    check_post(
        Post(
            reverse("grants:staff-round-create"),
            posted,
            user=staff_user,
            accepted=round_saved(posted),
        )
    )


@hostile(25)
def test_round_edit(db, data, staff_user, open_round):
    priorities = list(open_round.priorities.values_list("pk", flat=True))
    valid, bad = round_fields(priorities, slug=open_round.slug)
    posted = data.draw(form_data(valid=valid, hostile=bad))
    check_post(
        Post(
            reverse("grants:staff-round-edit", args=[open_round.slug]),
            posted,
            user=staff_user,
            watch=[open_round, *open_round.caps.all(), *open_round.criteria.all()],
            csrf=data.draw(csrf_case()),
            accepted=round_saved(posted),
        )
    )


@hostile(20)
def test_round_move(db, data, staff_user):
    draft_round = FundingRoundFactory(status=RoundStatus.DRAFT, title=f"Draft {PAYLOADS[0]}")
    posted = data.draw(
        form_data(
            valid={"to_status": RoundStatus.OPEN.value, "reason": text(2000, min_size=0)},
            hostile={"to_status": hostile_choice(*RoundStatus.values)},
        )
    )

    def moved(response, client):
        draft_round.refresh_from_db()
        assert draft_round.status == last(posted, "to_status")

    check_post(
        Post(
            reverse("grants:staff-round-move", args=[draft_round.slug]),
            posted,
            user=staff_user,
            watch=[draft_round],
            csrf=data.draw(csrf_case()),
            accepted=moved,
        )
    )


@hostile(20)
def test_round_close(db, data, staff_user, provider_org, open_round):
    ApplicationFactory(round=open_round, organisation=provider_org, title=PAYLOADS[1])
    posted = data.draw(form_data(valid={"reason": valid_text(2000)}))

    def closed(response, client):
        closed_round = FundingRound.objects.get(pk=open_round.pk)
        assert closed_round.status == RoundStatus.CLOSED
        assert closed_round.early_close.reason == stripped(posted, "reason")
        page_shows(client, response["Location"], closed_round.early_close.reason)

    check_post(
        Post(
            reverse("grants:staff-round-close", args=[open_round.slug]),
            posted,
            user=staff_user,
            watch=[open_round],
            csrf=data.draw(csrf_case()),
            accepted=closed,
        )
    )


@hostile(20)
def test_log_bid(db, data, staff_user, provider_org, open_round):
    unverified = OrganisationFactory(pending=True)
    posted = data.draw(
        form_data(
            valid={
                "organisation": provider_org.pk,
                "channel": st.sampled_from(["email", "paper"]),
                "title": text(200),
                "contact_name": text(200),
                # Now and then neither an email nor a postal address: refused.
                "contact_email": st.sampled_from(["", "jo@example.net", " Jo@Example.NET "]),
                "contact_address": text(500, min_size=0),
            },
            hostile={
                "organisation": hostile_choice(provider_org.pk, unverified.pk),
                "channel": hostile_choice(*Channel.values),
                "contact_email": st.one_of(
                    hostile_text(60), st.emails().filter(lambda e: len(e) <= 254)
                ),
            },
        )
    )

    def logged(response, client):
        bid = Application.objects.get(round=open_round)
        assert (bid.title, bid.channel) == (stripped(posted, "title"), last(posted, "channel"))
        assert (bid.contact_name, bid.contact_email) == (
            stripped(posted, "contact_name"),
            stripped(posted, "contact_email"),
        )
        assert bid.contact_email or bid.contact_address
        page_shows(client, response["Location"], bid.title)
        page_shows(
            client,
            reverse("grants:staff-application-detail", args=[bid.reference]),
            bid.contact_name,
        )

    check_post(
        Post(
            reverse("grants:staff-round-log-bid", args=[open_round.slug]),
            posted,
            user=staff_user,
            watch=[open_round],
            csrf=data.draw(csrf_case()),
            accepted=logged,
        )
    )


@hostile(20)
def test_eligibility(db, data, staff_user, draft):
    application = submitted(draft)
    posted = data.draw(
        form_data(
            valid={"eligible": st.sampled_from(["yes", "no"]), "reason": text(2000)},
            hostile={"eligible": hostile_choice("yes", "no")},
        )
    )

    def recorded(response, client):
        application.refresh_from_db()
        expected = "under_assessment" if last(posted, "eligible") == "yes" else "ineligible"
        assert application.status == expected
        change = ApplicationStatusChange.objects.get(application=application)
        assert change.reason == stripped(posted, "reason")

    check_post(
        Post(
            reverse("grants:staff-application-eligibility", args=[application.reference]),
            posted,
            user=staff_user,
            watch=[application],
            csrf=data.draw(csrf_case()),
            accepted=recorded,
        )
    )


# --- grants: scoring panels --------------------------------------------------------------------


@hostile(20)
def test_panel_setup(db, data, staff_user, make_round, chair_user, member_user, third_user):
    funding = make_round(slug="panel-setup")
    provider = UserFactory(full_name="Not a panellist", roles=[Role.PROVIDER])
    people = [chair_user.pk, member_user.pk, third_user.pk]
    for n, pk in enumerate(people):
        User.objects.filter(pk=pk).update(full_name=f"Member {n} {PAYLOADS[n]}")
    posted = data.draw(
        form_data(
            valid={
                "members": st.lists(st.sampled_from(people), unique=True).map(
                    lambda pks: sorted({*pks, chair_user.pk})
                ),
                "chair": chair_user.pk,
                "assignment_mode": st.sampled_from(AssignmentMode.values),
                "hide_applicant_identity": st.sampled_from(["", "on"]),
                "spread_threshold": st.decimals(0, 100, places=2).map(str),
            },
            hostile={
                "members": hostile_choices(*people, provider.pk),
                "chair": hostile_choice(*people, provider.pk),
                "assignment_mode": hostile_choice(*AssignmentMode.values),
                "spread_threshold": hostile_amount(),
            },
        )
    )

    def saved(response, client):
        panel = Panel.objects.get(round=funding)
        assert panel.chair_id == int(last(posted, "chair"))
        assert {m.user_id for m in panel.members.all()} == {int(pk) for pk in posted["members"]}
        assert panel.spread_threshold == Decimal(last(posted, "spread_threshold"))
        names = User.objects.filter(pk__in=people).values_list("full_name", flat=True)
        page_shows(client, response["Location"], *names)

    check_post(
        Post(
            reverse("grants:panel-setup", args=[funding.slug]),
            posted,
            user=staff_user,
            csrf=data.draw(csrf_case()),
            accepted=saved,
        )
    )


@hostile(15)
def test_panel_assign(db, data, staff_user, marked_panel, member, application, make_application):
    second = make_application(f"Second {PAYLOADS[5]}")
    elsewhere = ApplicationFactory(title="Another round's")
    pks = [application.pk, second.pk]
    posted = data.draw(
        form_data(
            valid={"applications": st.lists(st.sampled_from(pks), unique=True)},
            hostile={"applications": hostile_choices(*pks, elsewhere.pk)},
        )
    )

    def assigned(response, client):
        chosen = {int(pk) for pk in posted.get("applications", [])}
        assert set(member.assignments.values_list("application_id", flat=True)) == chosen

    check_post(
        Post(
            reverse("grants:panel-assign", args=[marked_panel.round.slug, member.pk]),
            posted,
            user=staff_user,
            csrf=data.draw(csrf_case()),
            accepted=assigned,
        )
    )


@hostile(20)
def test_conflict_declaration(db, data, member_user, member, marked_panel, application):
    posted = data.draw(
        form_data(
            valid={
                "has_interest": st.sampled_from(["no", "yes"]),
                "interest": text(2000),
                "is_conflict": st.sampled_from(["", "on"]),
            },
            hostile={"has_interest": hostile_choice("yes", "no"), "is_conflict": hostile_bool()},
        )
    )

    def declared(response, client):
        declaration = ConflictDeclaration.objects.get(member=member, application=application)
        interest = stripped(posted, "interest") if last(posted, "has_interest") == "yes" else ""
        assert declaration.interest == interest

    check_post(
        Post(
            reverse("grants:panel-declare", args=[marked_panel.round.slug, application.reference]),
            posted,
            user=member_user,
            csrf=data.draw(csrf_case()),
            accepted=declared,
        )
    )


@hostile(25)
def test_scorecard(db, data, member_user, member, marked_panel, application, criteria, declare):
    declare(member, application)
    valid, bad = {}, {}
    for criterion in criteria:
        valid[f"score_{criterion.pk}"] = st.sampled_from(["", *map(str, range(6))])
        valid[f"comment_{criterion.pk}"] = text(5000, min_size=0)
        bad[f"score_{criterion.pk}"] = hostile_choice(*range(6), 6, -1)
    valid["save_draft"] = st.sampled_from(["", "Save as draft"])
    bad[f"score_{criteria[-1].pk + 1000}"] = hostile_choice(1)
    posted = data.draw(form_data(valid=valid, hostile=bad))

    def scored(response, client):
        scorecard = Scorecard.objects.get(member=member, application=application)
        for criterion in criteria:
            comment = Score.objects.get(scorecard=scorecard, criterion=criterion).comment
            assert comment == stripped(posted, f"comment_{criterion.pk}")
        # The criteria's titles are the scorecard's legends: crispy-forms-gds does not escape them.
        titles = AssessmentCriterion.objects.filter(round=marked_panel.round).values_list(
            "title", flat=True
        )
        page_shows(client, response["Location"], *titles)

    check_post(
        Post(
            reverse("grants:panel-score", args=[marked_panel.round.slug, application.reference]),
            posted,
            user=member_user,
            csrf=data.draw(csrf_case()),
            accepted=scored,
        )
    )


@hostile(25)
def test_moderation(db, data, chair_user, marked_panel, application, criteria):
    valid = {f"score_{c.pk}": st.sampled_from(list(map(str, range(6)))) for c in criteria}
    bad = {f"score_{c.pk}": hostile_choice(*range(6), 6) for c in criteria}
    valid.update(
        rationale=text(3000),
        recommendation=st.sampled_from(Recommendation.values),
        conditions=text(2000),
        recommended_amount=valid_amount(1, 6000),
    )
    bad.update(
        recommendation=hostile_choice(*Recommendation.values),
        recommended_amount=hostile_amount(),
    )
    posted = data.draw(form_data(valid=valid, hostile=bad))

    def moderated(response, client):
        # The criteria's titles are the consensus scores' labels: not escaped by crispy-forms-gds.
        titles = AssessmentCriterion.objects.filter(round=marked_panel.round).values_list(
            "title", flat=True
        )
        page_shows(client, response.request["PATH_INFO"], *titles)
        moderation = Moderation.objects.get(application=application)
        assert moderation.rationale == stripped(posted, "rationale")
        if last(posted, "recommendation") == Recommendation.DO_NOT_FUND:
            assert moderation.recommended_amount == 0
        else:
            assert moderation.recommended_amount == as_decimal(last(posted, "recommended_amount"))

    check_post(
        Post(
            reverse("grants:panel-moderate", args=[marked_panel.round.slug, application.reference]),
            posted,
            user=chair_user,
            watch=[application],
            csrf=data.draw(csrf_case()),
            accepted=moderated,
        )
    )


@hostile(15)
def test_scorecard_reopen(db, data, chair_user, member, marked_panel, application, score):
    scorecard = score(member, application, [4, 3], comments=[PAYLOADS[0], PAYLOADS[1]])
    posted = data.draw(form_data(valid={"reason": text(2000)}))

    def reopened(response, client):
        scorecard.refresh_from_db()
        assert scorecard.status == "draft"
        assert ScorecardReopening.objects.get(scorecard=scorecard).reason == stripped(
            posted, "reason"
        )

    check_post(
        Post(
            reverse("grants:panel-scorecard-reopen", args=[marked_panel.round.slug, scorecard.pk]),
            posted,
            user=chair_user,
            watch=[scorecard],
            csrf=data.draw(csrf_case()),
            accepted=reopened,
        )
    )


# --- decisions ---------------------------------------------------------------------------------


def record_fields(section_b):
    valid = {
        "title": text(300),
        "received_on": st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)).map(str),
        "section_a": text(3000),
        "decision_text": text(1000),
        "publish_section_b": st.sampled_from(["", "on"]),
        "commercially_sensitive": "",
        "sensitivity_reason": text(500, min_size=0),
        "exemption_basis": text(300, min_size=0),
        "publication_deferred": "",
        "deferral_reasons": "",
        "deferred_until": "",
    }
    bad = {
        "received_on": hostile_date(),
        "commercially_sensitive": hostile_bool(),
        "publication_deferred": hostile_bool(),
        "deferral_reasons": hostile_text(),
        "deferred_until": hostile_date(),
    }
    if section_b is not None:
        valid["section_b"] = section_b
    return valid, bad


def record_saved(posted, record=None):
    def check(response, client):
        saved = record or DecisionRecord.objects.latest("pk")
        saved.refresh_from_db()
        assert saved.title == stripped(posted, "title")
        assert saved.section_a == stripped(posted, "section_a")
        assert str(saved.received_on) == last(posted, "received_on")
        # Django drops a file part whose name it cannot use ("..", only control
        # characters) before any view sees it: then there is no report to keep.
        assert bool(saved.section_b) == ("section_b" in response.wsgi_request.FILES)
        page_shows(client, response["Location"], saved.title)

    return check


@hostile(25)
def test_record_create(db, data, staff_user):
    upload = data.draw(st.one_of(st.none(), hostile_file(limit=4096)))
    valid, bad = record_fields(upload)
    posted = data.draw(form_data(valid=valid, hostile=bad))
    check_post(
        Post(
            reverse("decisions:staff-create"),
            posted,
            user=staff_user,
            csrf=data.draw(csrf_case()),
            accepted=record_saved(posted),
        )
    )


@hostile(20)
def test_record_edit(db, data, staff_user, make_record):
    record = make_record(title=f"Draft {PAYLOADS[0]}")
    upload = data.draw(st.one_of(st.none(), hostile_file(limit=4096)))
    valid, bad = record_fields(upload)
    posted = data.draw(form_data(valid=valid, hostile=bad))
    check_post(
        Post(
            reverse("decisions:staff-edit", args=[record.pk]),
            posted,
            user=staff_user,
            watch=[record],
            csrf=data.draw(csrf_case()),
            accepted=record_saved(posted, record),
        )
    )


@pytest.mark.parametrize("view", ["create", "edit"])
@hostile(15)
def test_record_section_b(db, data, view, staff_user, make_record):
    """A record otherwise valid, with a Section B report of any name, type and size."""
    record = make_record(title=f"Draft {PAYLOADS[0]}")
    valid, _ = record_fields(data.draw(hostile_file(limit=4096)))
    posted = data.draw(form_data(valid=valid, most=0))
    if view == "create":
        url, watch, accepted = reverse("decisions:staff-create"), [], record_saved(posted)
    else:
        url, watch = reverse("decisions:staff-edit", args=[record.pk]), [record]
        accepted = record_saved(posted, record)
    check_post(Post(url, posted, user=staff_user, watch=watch, accepted=accepted))


@hostile(15)
def test_record_from_round(db, data, staff_user, recommended_round, open_round):
    FundingRound.objects.filter(pk=recommended_round.pk).update(title=f"Round {PAYLOADS[1]}")
    posted = data.draw(
        form_data(
            valid={"funding_round": recommended_round.pk},
            hostile={"funding_round": hostile_choice(recommended_round.pk, open_round.pk)},
        )
    )

    def drafted(response, client):
        record = DecisionRecord.objects.get(funding_round=recommended_round)
        assert record.status == DecisionStatus.DRAFT

    check_post(
        Post(
            reverse("decisions:staff-from-round"),
            posted,
            user=staff_user,
            csrf=data.draw(csrf_case()),
            accepted=drafted,
        )
    )


@hostile(20)
def test_record_approve(db, data, ceo_user, make_record):
    record = make_record(DecisionStatus.AWAITING_APPROVAL, title=f"Awaiting {PAYLOADS[2]}")
    posted = data.draw(
        form_data(
            valid={"advice_confirmed": "on", "name": text(150), "role": text(150)},
            hostile={"advice_confirmed": hostile_bool()},
        )
    )

    def approved(response, client):
        record.refresh_from_db()
        assert record.status == DecisionStatus.AWAITING_SIGNATURE
        assert record.officer_approval_name == stripped(posted, "name")
        assert record.officer_approval_role == stripped(posted, "role")

    check_post(
        Post(
            reverse("decisions:staff-approve", args=[record.pk]),
            posted,
            user=ceo_user,
            watch=[record],
            csrf=data.draw(csrf_case()),
            accepted=approved,
        )
    )


@hostile(15)
def test_record_return(db, data, ceo_user, make_record):
    record = make_record(DecisionStatus.AWAITING_APPROVAL, title=f"Awaiting {PAYLOADS[3]}")
    posted = data.draw(form_data(valid={"comments": text(5000)}))

    def returned(response, client):
        record.refresh_from_db()
        assert record.status == DecisionStatus.DRAFT
        change = DecisionStatusChange.objects.filter(record=record).latest("pk")
        assert change.reason == stripped(posted, "comments")

    check_post(
        Post(
            reverse("decisions:staff-return", args=[record.pk]),
            posted,
            user=ceo_user,
            watch=[record],
            csrf=data.draw(csrf_case()),
            accepted=returned,
        )
    )


@hostile(20)
def test_record_sign(db, data, pcc_user, make_record):
    record = make_record(DecisionStatus.AWAITING_SIGNATURE, title=f"To sign {PAYLOADS[4]}")
    posted = data.draw(
        form_data(
            valid={
                "outcome": st.sampled_from(["approved", "not_approved"]),
                "declaration": text(5000),
                "password": PASSWORD,
            },
            hostile={"outcome": hostile_choice("approved", "not_approved")},
        )
    )

    def signed(response, client):
        record.refresh_from_db()
        assert record.status in (DecisionStatus.SIGNED, DecisionStatus.PUBLISHED)
        assert record.outcome == last(posted, "outcome")
        assert record.declaration == stripped(posted, "declaration")
        page_shows(client, response["Location"], record.title)

    # The password is checked like a sign-in, so a wrong one is counted by django-axes:
    # its attempt tables change on a refused signature by design, and only they.
    check_post(
        Post(
            reverse("decisions:staff-sign", args=[record.pk]),
            posted,
            user=pcc_user,
            watch=[record],
            ignore_tables=SIGN_IN_TABLES - {"django_session"},
            csrf=data.draw(csrf_case()),
            accepted=signed,
        )
    )


# --- Actions that take no form: only junk to ignore, and the CSRF token ------------------------


@pytest.fixture
def action_target(request, provider, staff_user, draft, attachment_storage):
    """(URL, who posts, what it changes) for each POST action that has no form."""

    def target(name):
        if name == "grants:application-budget-remove":
            line = BudgetLineFactory(application=draft, item=PAYLOADS[0])
            return reverse(name, args=[draft.reference, line.pk]), provider, [draft, line]
        if name == "grants:application-attachment-remove":
            attachment = Attachment.objects.create(
                application=draft,
                file=attachment_storage.save("a.pdf", ContentFile(PDF)),
                original_name=PAYLOADS[1],
                content_type="application/pdf",
                size=len(PDF),
                uploaded_by=provider,
            )
            return reverse(name, args=[draft.reference, attachment.pk]), provider, [attachment]
        if name == "grants:staff-application-invite":
            two_stage = FundingRoundFactory(
                stages=RoundStages.TWO_STAGE,
                full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
            )
            eoi = ApplicationFactory(
                round=two_stage,
                stage=Stage.EOI,
                status=ApplicationStatus.UNDER_ASSESSMENT,
                submitted_at=timezone.now(),
                title=PAYLOADS[2],
            )
            return reverse(name, args=[eoi.reference]), staff_user, [eoi]
        make_record = request.getfixturevalue("record_in")
        if name == "decisions:staff-submit":
            record = make_record(DecisionStatus.DRAFT, title=PAYLOADS[3])
        elif name == "decisions:staff-correct":
            record = make_record(DecisionStatus.SIGNED, title=PAYLOADS[4])
        else:
            record = make_record(DecisionStatus.PUBLISHED, title=PAYLOADS[5])
        if name == "decisions:staff-document-retry":
            record.documents.update(status=DocumentStatus.FAILED, last_error="Worker lost")
            return reverse(name, args=[record.pk, 1]), staff_user, [record]
        return reverse(name, args=[record.pk]), staff_user, [record]

    return target


NO_FORM_ACTIONS = sorted(
    name for name, test in HOSTILE_FORMS.items() if test == "test_action_without_a_form"
)


@pytest.mark.parametrize("name", NO_FORM_ACTIONS)
@hostile(8)
def test_action_without_a_form(db, data, name, action_target):
    url, user, watch = action_target(name)
    posted = data.draw(form_data(valid={}, hostile={}))
    check_post(Post(url, posted, user=user, watch=watch, csrf=data.draw(csrf_case())))


# --- Query strings on the search and filter pages -----------------------------------------------


def query(**valid):
    """A query string: the page's own parameters, valid or hostile, duplicated or missing."""
    return form_data(
        valid=valid,
        hostile={
            **dict.fromkeys(valid, hostile_text(300)),
            "page": hostile_choice(1, 2, 0, -1, 10**20),
        },
    )


@hostile(25)
def test_register_search(db, data, client, record_in):
    record_in(DecisionStatus.PUBLISHED, title=f"Published {PAYLOADS[0]}")
    params = data.draw(
        query(
            q=st.sampled_from(["", "campaign", "DN1-24"]), year=hostile_choice(timezone.now().year)
        )
    )
    check_get(client, reverse("decisions:register"), params)


@hostile(10)
def test_register_feed(db, data, client, record_in):
    record_in(DecisionStatus.PUBLISHED, title=f"Published {PAYLOADS[0]}")
    check_get(client, reverse("decisions:feed"), data.draw(query(q="")))


@hostile(10)
def test_funding_list(db, data, client, open_round):
    check_get(client, reverse("grants:rounds"), data.draw(query(q="", status="open")))


@hostile(80)
def test_staff_application_list(db, data, staff_client, draft):
    priorities = draft.round.priorities.values_list("pk", flat=True)
    params = data.draw(
        form_data(
            valid={
                "q": "",
                "status": "",
                "priority": "",
                "category": "",
                "min_amount": "",
                "max_amount": "",
            },
            hostile={
                "q": hostile_text(300),
                "status": hostile_choice(*ApplicationStatus.values),
                "priority": hostile_choice(*priorities),
                "category": hostile_choice("registered", "unregistered"),
                "min_amount": hostile_amount(),
                "max_amount": hostile_amount(),
                "page": hostile_choice(1, 2, 10**20),
            },
            most=7,  # every parameter is read on its own: attack any number at once
        )
    )
    where = data.draw(st.sampled_from(["page", "csv", "xlsx"]))
    if where == "page":
        url = reverse("grants:staff-round-applications", args=[draft.round.slug])
    else:
        url = reverse("grants:staff-round-export", args=[draft.round.slug, where])
    check_get(staff_client, url, params)


@hostile(30)
def test_staff_organisation_list(db, data, staff_client, pending_organisation):
    params = data.draw(query(q="", status=hostile_choice(*VerificationStatus.values)))
    check_get(staff_client, reverse("partners:organisations"), params)


@hostile(15)
def test_staff_decision_list(db, data, staff_client, record_in):
    record_in(DecisionStatus.DRAFT, title=f"Draft {PAYLOADS[1]}")
    params = data.draw(query(status=hostile_choice(*DecisionStatus.values)))
    check_get(staff_client, reverse("decisions:staff-list"), params)


# --- The bugs this test found, each kept as the exact input that found it -----------------------


AMOUNT_FILTER = "Enter an amount in pounds and pence, like 4500 or 4500.50"


def test_staff_application_list_filters_that_are_not_amounts_or_ids_are_told(staff_client, draft):
    """Was a 500: Decimal("NaN") and "1e999999999" reached the query, int("²") raised,
    and PostgreSQL refused the NUL. Then they were dropped without a word; now the page
    says which filter was not used, and lists what the others find."""
    url = reverse("grants:staff-round-applications", args=[draft.round.slug])
    for params, field, message in (
        ({"min_amount": "NaN"}, "min_amount", AMOUNT_FILTER),
        (
            {"max_amount": "1e999999999"},
            "max_amount",
            "Enter an amount less than £1,000,000,000,000",
        ),
        ({"priority": "²"}, "priority", "Select a priority from the list"),
        ({"q": "\x00"}, "q", "Remove the null character from the search"),
    ):
        response = staff_client.get(url, params)

        assert response.status_code == 200, params
        assert [a.reference for a in response.context["applications"]] == [draft.reference]
        assert response.context["filter_form"].errors == {field: [message]}
        assert summary_links(response) == [(f"id_{field}", message)]


def test_staff_organisation_list_search_with_nul_is_told(staff_client, pending_organisation):
    """Was a 500: PostgreSQL refused the NUL in the search. Then it was dropped without a
    word; now the page says so, and lists every organisation meanwhile."""
    response = staff_client.get(reverse("partners:organisations"), {"q": "Hidden\x00"})

    assert response.status_code == 200
    assert list(response.context["organisations"]) == [pending_organisation]
    assert summary_links(response) == [("id_q", "Remove the null character from the search")]


@pytest.mark.parametrize("weight", ["NaN", "sNaN", "0.001", "12.345"])
def test_round_criterion_weight_not_a_number_of_pence_refused_and_nothing_saved(
    staff_client, open_round, weight
):
    """NaN was a 500 (it cannot be compared); 0.001 and 12.345 were saved as 0.00 and 12.35."""
    priorities = list(open_round.priorities.values_list("pk", flat=True))
    data, _ = round_fields(priorities, slug="new-round")
    now = timezone.now()
    data.update(
        fund_name="Violence Prevention Fund",
        title="Summer grants",
        reference_prefix="SUM",
        description="Grants for the summer.",
        eligibility="Voluntary groups.",
        how_to_apply="Online.",
        budget="100000",
        opens_at=local_input(now),
        closes_at=local_input(now + datetime.timedelta(days=30)),
        priorities=priorities,
        **{
            "criteria-TOTAL_FORMS": "1",
            "criteria-0-title": "Evidence",
            "criteria-0-guidance": "5: strong evidence",
            "criteria-0-weight": weight,
            "criteria-0-scale_max": "5",
        },
    )
    for index in range(1, CRITERIA):
        for name in ("title", "guidance", "weight", "scale_max"):
            del data[f"criteria-{index}-{name}"]
    rounds = FundingRound.objects.count()

    response = staff_client.post(reverse("grants:staff-round-create"), data)

    assert response.status_code == 200
    assert response.context["formset"].errors == [
        {"weight": ["The weight must be 0 to 999 with at most 2 decimal places"]}
    ]
    assert FundingRound.objects.count() == rounds


SECTION_B_RECORD = {
    "title": "Knife crime awareness in schools",
    "received_on": "2024-03-01",
    "section_a": "A request to fund a campaign.",
    "decision_text": "To approve the campaign.",
}


def test_record_section_b_named_longer_than_the_file_system_takes_is_stored(staff_client):
    """Was a 500, with the record saved and its report lost: 64 astral-plane letters are
    256 bytes, and the report was stored under the name it was uploaded with."""
    name = "\U0001d4b6" * 64 + ".pdf"

    response = staff_client.post(
        reverse("decisions:staff-create"),
        {**SECTION_B_RECORD, "section_b": Upload(name, PDF, "application/pdf")},
    )

    record = DecisionRecord.objects.get()
    assert response.status_code == 302
    assert record.section_b.name.endswith("-section-b.pdf")
    download = staff_client.get(reverse("decisions:staff-section-b", args=[record.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="draft-section-b.pdf"'


def test_record_section_b_that_cannot_be_stored_leaves_no_record(staff_user, monkeypatch):
    """The record and its report are saved together or not at all: the record used to be
    kept when storing the report failed."""
    field = DecisionRecord._meta.get_field("section_b")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(field.storage, "save", disk_full)
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)

    response = client.post(
        reverse("decisions:staff-create"),
        {**SECTION_B_RECORD, "section_b": Upload("report.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 500
    assert DecisionRecord.objects.count() == 0


def test_record_draft_with_section_b_to_publish_shows_its_page(staff_client):
    """Was a 500 on the page after saving: the public link to the report needs the
    reference, which a draft does not have yet."""
    response = staff_client.post(
        reverse("decisions:staff-create"),
        {
            **SECTION_B_RECORD,
            "publish_section_b": "on",
            "section_b": Upload("report.pdf", PDF, "application/pdf"),
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "Section B report: " in response.content.decode()
