"""Hostile input: Hypothesis posts generated data to every form each role can reach, and
sends generated query strings to the search and filter pages (the test_hostile_*.py
modules beside this one, one per app or subject).

Each example is one post in a savepoint that is rolled back (tests/security/hostile/
checks.py, `check_post`): never a 500; a refusal changes no table's row count and none
of the objects the form would edit; an accepted post stores what was typed (as the form
normalises it) and the page that shows it escapes it; no page carries markup from the
input. Now and then a post goes with a missing or forged CSRF token, and must get a 403
that changes nothing. And every test that posts must see at least one post accepted:
a form that refused everything would pass the rest (test_hostile_floor.py).

The data the pages show is named with markup too (organisations, people, titles,
criteria), so every label, legend and hint built from it is checked for escaping.
`HOSTILE_FORMS` names every POST URL and the test that covers it; a new form fails
`test_every_post_url_has_hostile_coverage` until it is covered or listed out of scope.
"""

import datetime
import importlib
import pkgutil
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from decisions.enums import DecisionStatus, DocumentStatus
from grants.enums import ApplicationStatus, RoundStages, Stage
from grants.models import Attachment
from tests.decisions import conftest as decisions
from tests.factories import ApplicationFactory, BudgetLineFactory, FundingRoundFactory

from .hostile import PAYLOADS, PDF, check_form, form_data, hostile

# Autouse, here only: Section B reports in tmp_path (other security tests check the real storage).
section_b_storage = decisions.section_b_storage

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
    "partners:two-factor": "test_second_factor",
    "partners:two-factor-setup": "test_app_setup",
    "partners:two-factor-recovery-codes": "test_action_without_a_form",
    "partners:sessions-end-others": "test_action_without_a_form",
    "partners:account-close": "test_account_close",
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
    "grants:staff-stream-create": "test_stream_create",
    "grants:staff-stream-edit": "test_stream_edit",
    "grants:staff-stream-allocation": "test_allocation_set",
    "grants:award-withdraw": "test_award_withdraw",
    "grants:award-bank-details": "test_bank_details",
    "grants:award-bank-verify": "test_bank_details_verify",
    "grants:award-diligence": "test_diligence_item",
    "grants:award-offer": "test_award_offer",
    "grants:agreement-accept": "test_agreement_accept",
    "grants:agreement-return": "test_agreement_return",
    "grants:staff-agreement-template-create": "test_agreement_template_create",
    "grants:staff-agreement-template": "test_agreement_template_edit",
    "partners:membership-signatory": "test_membership_signatory",
    "grants:award-plan": "test_award_plan",
    "grants:return-edit": "test_return_edit",
    "grants:return-attachments": "test_return_attachment_upload",
    "grants:return-attachment-remove": "test_return_attachment_remove",
    "grants:return-accept": "test_return_accept",
    "grants:return-send-back": "test_return_send_back",
    "grants:payment-raise": "test_payment_raise",
    "grants:payment-approve": "test_payment_approve",
    "grants:payment-paid": "test_payment_paid",
    "grants:award-claw-back": "test_award_claw_back",
    "grants:award-register": "test_award_register",
    "grants:variation-create": "test_variation_create",
    "grants:variation-decide": "test_variation_decide",
    "grants:variation-withdraw": "test_variation_withdraw",
    "grants:award-reallocate": "test_award_reallocate",
    "decisions:staff-from-variation": "test_record_from_variation",
    "grants:award-close": "test_award_close",
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
    "partners:session-keep-alive": (
        "takes no input and changes nothing but the session's last use; answers a signed-in "
        "person 204 (CSRF-checked)"
    ),
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
    "grants:staff-awards": "test_staff_award_list",
    "grants:staff-awards-export": "test_staff_award_list",
    "grants:staff-dashboard": "test_money_dashboard",
    "grants:register": "test_grants_register",
    "grants:staff-dashboard-export": "test_money_dashboard",
    "audit-trail": "test_audit_trail",
    "audit-trail-export": "test_audit_trail",
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


def hostile_tests() -> set[str]:
    """The names of the Hypothesis tests in the test_hostile_*.py modules beside this one."""
    names = set()
    for found in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if found.name.startswith("test_hostile_"):
            module = importlib.import_module(f"{__package__}.{found.name}")
            names |= {
                name
                for name, test in vars(module).items()
                if name.startswith("test_") and getattr(test, "is_hypothesis_test", False)
            }
    return names


def test_every_post_url_has_hostile_coverage():
    posts = post_url_names()
    hypothesis_tests = hostile_tests()

    uncovered = posts - set(HOSTILE_FORMS) - set(OUT_OF_SCOPE)
    stale = (set(HOSTILE_FORMS) | set(OUT_OF_SCOPE)) - posts
    tests = {test for tests in HOSTILE_FORMS.values() for test in as_tuple(tests)}

    assert uncovered == set(), f"POST URLs without a hostile-input test: {sorted(uncovered)}"
    assert stale == set(), f"listed but no longer POST URLs: {sorted(stale)}"
    assert tests - hypothesis_tests == set()
    assert set(HOSTILE_QUERIES.values()) - hypothesis_tests == set()


# --- Actions that take no form: only junk to ignore, and the CSRF token ------------------------


@pytest.fixture
def action_target(provider, staff_user, draft, attachment_storage, record_in):
    """(URL, who posts, what it changes) for each POST action that has no form.

    record_in is asked for here, not inside an example: the people it signs records as
    would otherwise be made in the first example's savepoint and be gone for the next."""

    def target(name):
        if name in ("partners:two-factor-recovery-codes", "partners:sessions-end-others"):
            return reverse(name), staff_user, []
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
        if name == "decisions:staff-submit":
            record = record_in(DecisionStatus.DRAFT, title=PAYLOADS[3])
        elif name == "decisions:staff-correct":
            record = record_in(DecisionStatus.SIGNED, title=PAYLOADS[4])
        else:
            record = record_in(DecisionStatus.PUBLISHED, title=PAYLOADS[5])
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
    check_form(data, url, posted, user, watch)
