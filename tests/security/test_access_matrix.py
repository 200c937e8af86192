"""The access matrix: every URL pattern Django's resolver knows, requested as each role, against
an explicit table of who may do what (access_table.py).

Each pattern is filled with real objects from one seeded scenario (tests/security/
access_scenario.py), chosen to be the most sensitive for the roles that must not reach them:
provider B asks for provider A's application, the conflicted panel member for the application
they are conflicted on, the public for a record that is signed but not yet published, staff
for a superuser's account in the admin. Every pattern is requested with GET, and with an empty
POST where the view takes POST: the point is that a role that may not act is stopped before its
form is even validated. Every request runs in a savepoint that is rolled back, so a POST that
gets through changes nothing for the next request.

A pattern that is neither in the table nor in EXCLUDED fails the test, and so does a row whose
pattern no longer exists: a new page cannot be added without deciding who may use it. No
request may answer 5xx, and a few pages every role may open are also checked for what they
must not show (leaks_for).
"""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from decisions.models import DecisionDocument, DecisionRecord
from grants.models import Attachment, ReturnAttachment
from grants.storage import PrivateFileSystemStorage
from partners.selectors import sign_up_tokens

from . import access_scenario
from .access_scenario import ROLES
from .access_table import ADMIN_MODELS, EXCLUDED, EXPECTED, LABELS, STATUS_LETTERS

# --- Walking the resolver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str
    route: str
    callback: object


# Django REST framework's router adds a twin of each API pattern, under the same name, that
# takes a format suffix (/api/v1/decisions.json); the twin is keyed "<name>.<format>".
FORMAT_SUFFIX = ".<format>"


def is_format_suffix(route: str) -> bool:
    return route.endswith(r"\.(?P<format>[a-z0-9]+)/?$") or "<drf_format_suffix:format>" in route


def key_for(name: str | None, route: str) -> str:
    """A pattern's key: its full name (with FORMAT_SUFFIX for a format-suffix twin) or,
    unnamed, its full route."""
    if not name:
        return route
    return name + FORMAT_SUFFIX if is_format_suffix(route) else name


def walk(patterns, route: str = "", namespace: str = "") -> list[Pattern]:
    """Every URL pattern under `patterns`, keyed as key_for says."""
    found = []
    for pattern in patterns:
        # Joined as Django's resolver joins them, so the key matches ResolverMatch.route.
        full = route + str(pattern.pattern).removeprefix("^") if route else str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += walk(pattern.url_patterns, full, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            found.append(Pattern(key_for(name, full), full, pattern.callback))
        else:  # pragma: no cover - Django has only these two
            raise TypeError(f"Unknown URL pattern type: {pattern!r}")
    return found


def base_key(key: str) -> str:
    return key.split(" [", 1)[0]


def accepts_post(callback) -> bool:
    """Whether a view takes POST. A class-based view says so; a function view (the admin's,
    the feed, /healthz/) answers whatever method it is sent, so it is asked with POST too."""
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return True
    return "post" in view_class.http_method_names and hasattr(view_class, "post")


def test_every_url_pattern_is_decided_in_the_table():
    patterns = walk(get_resolver().url_patterns)
    keys = [p.key for p in patterns]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    covered = {base_key(k) for k in EXPECTED}
    problems = [f"{k}: two patterns share this key" for k in duplicates]
    problems += [
        f"{p.key} ({p.route}): not in the access table nor in EXCLUDED; decide who may use it"
        for p in patterns
        if p.key not in covered and p.key not in EXCLUDED
    ]
    problems += [f"{k}: in the table but no such URL pattern" for k in sorted(covered - set(keys))]
    problems += [
        f"{k}: in EXCLUDED but no such URL pattern" for k in sorted(set(EXCLUDED) - set(keys))
    ]
    problems += [f"{k}: both in the table and in EXCLUDED" for k in sorted(covered & set(EXCLUDED))]
    by_key = {p.key: p for p in patterns}
    for key, expected in EXPECTED.items():
        pattern = by_key.get(base_key(key))
        if pattern is None:
            continue
        if accepts_post(pattern.callback) and expected.post is None:
            problems.append(f"{key}: the view takes POST but the table has no POST column")
        if not accepts_post(pattern.callback) and expected.post is not None:
            problems.append(f"{key}: the table has a POST column but the view does not take POST")
    assert not problems, "\n".join(problems)


# --- Filling the patterns from the scenario -----------------------------------------------------


def urls_for(s: access_scenario.Scenario) -> dict[str, str]:
    """The address each row requests."""
    a, b = s.application_a, s.draft_b
    records = s.records
    slug = {"slug": s.funding_round.slug}
    provider_a = s.users["provider_a"]
    kwargs = {
        "password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(provider_a.pk)),
            "token": default_token_generator.make_token(provider_a),
        },
        "partners:signup-confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(provider_a.pk)),
            "token": sign_up_tokens.make_token(provider_a),
        },
        "partners:organisation-detail": {"pk": s.org_a.pk},
        "partners:organisation-verify": {"pk": s.org_a.pk},
        "partners:membership-decide": {"pk": s.join_request.pk},
        "grants:round-detail": slug,
        "grants:application-start": slug,
        "grants:staff-round-applications": slug,
        "grants:staff-round-edit": slug,
        "grants:staff-round-move": slug,
        "grants:staff-round-close": slug,
        "grants:staff-round-log-bid": slug,
        "grants:staff-round-export": {**slug, "format": "csv"},
        "grants:staff-round-export [xlsx]": {**slug, "format": "xlsx"},
        "grants:panel-setup": slug,
        "grants:panel-assign": {**slug, "member": s.conflicted_member.pk},
        "grants:panel-round": slug,
        "grants:panel-ranking": slug,
        "grants:panel-report": slug,
        "grants:panel-report-export": {**slug, "format": "csv"},
        "grants:panel-report-export [xlsx]": {**slug, "format": "xlsx"},
        "grants:panel-scorecard-reopen": {**slug, "pk": s.scorecard.pk},
        "grants:panel-declare": {**slug, "reference": a.reference},
        "grants:panel-score": {**slug, "reference": a.reference},
        "grants:panel-attachment": {**slug, "reference": a.reference, "pk": s.attachment_a.pk},
        "grants:panel-attachment [other's file]": {
            **slug,
            "reference": a.reference,
            "pk": s.attachment_b.pk,
        },
        "grants:panel-score [draft]": {**slug, "reference": b.reference},
        "grants:application-attachment [other's file]": {
            "reference": a.reference,
            "pk": s.attachment_b.pk,
        },
        # Provider B's draft, with provider A's budget line and file.
        "grants:application-budget-remove [other's line]": {
            "reference": b.reference,
            "pk": s.budget_line_a_pk,
        },
        "grants:application-attachment-remove [other's file]": {
            "reference": b.reference,
            "pk": s.attachment_a.pk,
        },
        "grants:panel-moderate": {**slug, "reference": a.reference},
        "grants:award-detail": {"reference": s.award_a.reference},
        "grants:award-withdraw": {"reference": s.award_a.reference},
        "grants:award-register": {"reference": s.award_a.reference},
        "grants:variation-create": {"reference": s.award_a.reference},
        "grants:variation": {"reference": s.award_a.reference, "number": 1},
        "grants:variation-decide": {"reference": s.award_a.reference, "number": 1},
        "grants:variation-withdraw": {"reference": s.award_a.reference, "number": 1},
        "grants:award-reallocate": {"reference": s.award_a.reference},
        "decisions:staff-from-variation": {"reference": s.award_a.reference, "number": 1},
        "grants:award-bank-details": {"reference": s.award_a.reference},
        "grants:award-bank-verify": {"reference": s.award_a.reference},
        "grants:award-diligence": {"reference": s.award_a.reference, "item": "insurance"},
        "grants:award-diligence-file": {"reference": s.award_a.reference, "item": "insurance"},
        "grants:award-offer": {"reference": s.award_a.reference},
        "grants:award-plan": {"reference": s.award_a.reference},
        "grants:award-claw-back": {"reference": s.award_a.reference},
        "grants:award-close": {"reference": s.award_a.reference},
        "grants:return": {"reference": s.award_a.reference, "number": 1},
        "grants:return-edit": {"reference": s.award_a.reference, "number": 1},
        "grants:return-accept": {"reference": s.award_a.reference, "number": 1},
        "grants:return-send-back": {"reference": s.award_a.reference, "number": 1},
        "grants:return-attachments": {"reference": s.award_a.reference, "number": 1},
        "grants:return-attachment": {
            "reference": s.award_a.reference,
            "number": 1,
            "pk": s.return_attachment_a.pk,
        },
        "grants:return-attachment-remove": {
            "reference": s.award_a.reference,
            "number": 1,
            "pk": s.return_attachment_a.pk,
        },
        "grants:payment-raise": {"reference": s.award_a.reference, "number": 1},
        "grants:payment-approve": {"reference": s.award_a.reference, "number": 1},
        "grants:payment-paid": {"reference": s.award_a.reference, "number": 1},
        "grants:agreement": {"reference": s.award_a.reference},
        "grants:agreement-accept": {"reference": s.award_a.reference},
        "grants:agreement-return": {"reference": s.award_a.reference},
        "grants:agreement-pdf": {"reference": s.award_a.reference, "version": 1, "kind": "offer"},
        "grants:staff-agreement-template": {"pk": s.agreement_template.pk},
        "partners:membership-signatory": {"pk": s.join_request.pk},
        "grants:staff-stream": {"pk": s.stream.pk},
        "grants:staff-stream-edit": {"pk": s.stream.pk},
        "grants:staff-stream-allocation": {"pk": s.stream.pk},
        "grants:staff-awards-export": {"format": "csv"},
        "grants:register-month": {"year": "2024", "month": "03"},
        "grants:open-data": {"format": "json"},
        "grants:open-data [csv]": {"format": "csv"},
        "grants:register-spending-export": {"part": "payments"},
        "grants:register-spending-export [agreements]": {"part": "agreements"},
        "grants:staff-awards-export [xlsx]": {"format": "xlsx"},
        "grants:staff-dashboard-export": {"part": "money"},
        "grants:staff-dashboard-export [delivery]": {"part": "delivery"},
        "grants:staff-dashboard-export [returns]": {"part": "returns"},
    }
    for application, suffix, line, attachment in (
        (a, "", s.budget_line_a_pk, s.attachment_a.pk),
        (b, " [draft]", s.budget_line_b_pk, s.attachment_b.pk),
    ):
        ref = {"reference": application.reference}
        for name in (
            "application-detail",
            "application-budget",
            "application-attachments",
            "application-submit",
            "application-receipt",
            "application-withdraw",
            "staff-application-detail",
            "staff-application-eligibility",
            "staff-application-invite",
        ):
            kwargs[f"grants:{name}{suffix}"] = ref
        kwargs[f"grants:application-budget-remove{suffix}"] = {**ref, "pk": line}
        kwargs[f"grants:application-attachment{suffix}"] = {**ref, "pk": attachment}
        kwargs[f"grants:application-attachment-remove{suffix}"] = {**ref, "pk": attachment}
        kwargs[f"grants:application-section{suffix}"] = {**ref, "section": "project"}
    for name, record in (
        ("detail", "withheld"),
        ("detail [published]", "published"),
        ("pdf", "withheld"),
        ("pdf [published]", "published"),
        ("section-b", "published"),
        ("section-b [withheld]", "withheld"),
        ("section-b-redacted", "published"),
        ("section-b-redacted [withheld]", "withheld"),
    ):
        kwargs[f"decisions:{name}"] = {"reference": records[record].reference}
    for name, record in (
        ("staff-detail", "draft"),
        ("staff-edit", "draft"),
        ("staff-submit", "draft"),
        ("staff-approve", "awaiting_approval"),
        ("staff-return", "awaiting_approval"),
        ("staff-return [awaiting signature]", "awaiting_signature"),
        ("staff-sign", "awaiting_signature"),
        ("staff-correct", "published"),
        ("staff-documents", "published"),
        ("staff-document-regenerate", "published"),
        ("staff-section-b", "withheld"),
        ("staff-section-b-redacted", "withheld"),
    ):
        kwargs[f"decisions:{name}"] = {"pk": records[record].pk}
    for name in ("staff-document", "staff-document-retry"):
        kwargs[f"decisions:{name}"] = {"pk": records["published"].pk, "version": 1}

    # The admin's objects: the most sensitive one staff might reach for each model.
    objects = {
        "auth.group": s.pcc_group.pk,
        "axes.accessattempt": s.axes_pks["accessattempt"],
        "axes.accesslog": s.axes_pks["accesslog"],
        "axes.accessfailurelog": s.axes_pks["accessfailurelog"],
        "partners.user": s.superuser.pk,
        "partners.organisation": s.org_a.pk,
        "partners.partnership": s.partnership.pk,
        "partners.strategicpriority": s.priority.pk,
        "partners.successmeasure": s.success_measure_pk,
        "grants.evidencestrand": s.evidence_strand_pk,
        "grants.fundinground": s.funding_round.pk,
        "grants.application": a.pk,
        "decisions.decisionrecord": records["published"].pk,
        "auditlog.logentry": LogEntry.objects.order_by("pk").values_list("pk", flat=True)[0],
    }
    urls = {}
    for label, pk in objects.items():
        app, model = label.split(".")
        for kind in ("history", "delete", "change"):
            kwargs[f"admin:{app}_{model}_{kind}"] = {"object_id": pk}
        urls[f"admin/{app}/{model}/<path:object_id>/"] = f"/admin/{app}/{model}/{pk}/"
    for kind in ("history", "delete", "change"):
        kwargs[f"admin:decisions_decisionrecord_{kind} [draft]"] = {
            "object_id": records["draft"].pk
        }
        for role in ("pcc", "provider"):
            kwargs[f"admin:partners_user_{kind} [{role}]"] = {
                "object_id": s.users["pcc" if role == "pcc" else "provider_a"].pk
            }
    kwargs["admin:auth_user_password_change [pcc]"] = {"id": s.users["pcc"].pk}
    kwargs["admin:auth_user_password_change [provider]"] = {"id": s.users["provider_a"].pk}
    for app in {label.split(".")[0] for label in ADMIN_MODELS}:
        kwargs[f"admin:app_list [{app}]"] = {"app_label": app}
    kwargs["admin:auth_user_password_change"] = {"id": s.superuser.pk}
    kwargs["admin:view_on_site"] = {
        "content_type_id": ContentType.objects.get_for_model(DecisionRecord).pk,
        "object_id": records["published"].pk,
    }
    urls["admin/(?P<url>.*)$"] = "/admin/no-such-page/"
    urls["api:not-found"] = "/api/v1/no-such-endpoint/"
    kwargs["partners:person-data"] = {"pk": s.users["provider_a"].pk}
    queries = {"admin:autocomplete": "?app_label=partners&model_name=membership&field_name=user"}

    # The public API: the published record, the assessment round and C's grant on the
    # register; and, hidden from everyone, records not published, the draft round, and
    # grants not on the register (A's offered, D's whose decision is not published).
    for name, obj, attribute in (
        ("decision-detail", records["published"], "reference"),
        ("decision-detail [awaiting approval]", records["awaiting_approval"], "reference"),
        ("decision-detail [withheld]", records["withheld"], "reference"),
        ("round-detail", s.funding_round, "slug"),
        ("round-detail [draft]", s.draft_round, "slug"),
        ("grant-detail", s.grant_on_register, "reference"),
        ("grant-detail [offered]", s.award_a, "reference"),
        ("grant-detail [decision not published]", s.grant_unpublished, "reference"),
    ):
        kwargs[f"api:{name}"] = {attribute: getattr(obj, attribute)}
    for key in EXPECTED:
        if key in urls:
            continue
        name, route_kwargs = base_key(key), kwargs.get(key, {})
        if name.endswith(FORMAT_SUFFIX):
            # The twin of the pattern without the suffix, for the same object, as .json.
            name = name.removesuffix(FORMAT_SUFFIX)
            route_kwargs = {**kwargs.get(key.replace(FORMAT_SUFFIX, "", 1), {}), "format": "json"}
        urls[key] = reverse(name, kwargs=route_kwargs) + queries.get(key, "")
    return urls


def leaks_for(s: access_scenario.Scenario) -> dict[tuple[str, str], list[str]]:
    """Pages these roles may open (the table says 200) but which must not show them this: a
    list is scoped by its query, not by hiding a link."""
    withheld = s.records["withheld"].title
    a_title, b_title = s.application_a.title, s.draft_b.title
    not_a = ("provider_b", "panel", "conflicted", "staff", "ceo", "pcc")
    checks = [
        # The register and its feed are the published records only, for everyone.
        ("decisions:register", ROLES, withheld),
        ("decisions:feed", ROLES, withheld),
        ("decisions:detail [published]", ROLES, withheld),
        ("grants:rounds", ROLES, a_title),
        # A's award is offered, not accepted: on no page or file of the grants register.
        ("grants:register", ROLES, s.award_a.title),
        ("grants:register-feed", ROLES, s.award_a.title),
        ("grants:register-export", ROLES, s.award_a.title),
        ("grants:open-data", ROLES, s.award_a.title),
        ("grants:open-data [csv]", ROLES, s.award_a.title),
        ("grants:register-spending", ROLES, s.award_a.title),
        # Nor is D's grant, whose decision is not yet published; nor is the draft round.
        ("grants:register", ROLES, s.grant_unpublished.title),
        ("grants:open-data", ROLES, s.grant_unpublished.title),
        ("grants:rounds", ROLES, s.draft_round.title),
        ("grants:round-detail", ROLES, a_title),
        # The public API: published records, rounds not in draft and the register only.
        ("api:decision-list", ROLES, withheld),
        ("api:round-list", ROLES, s.draft_round.title),
        ("api:grant-list", ROLES, s.award_a.title),
        ("api:grant-list", ROLES, s.grant_unpublished.title),
        ("home", ROLES, a_title),
        # "Your applications" are your organisations' only (staff see them on staff pages).
        ("grants:applications-mine", not_a, a_title),
        ("grants:applications-mine", ("provider_a",), b_title),
        # A conflicted member sees the reference in their list, not what the project is.
        ("grants:panel-round", ("conflicted",), a_title),
    ]
    leaks: dict[tuple[str, str], list[str]] = {}
    for key, roles, text in checks:
        for role in roles:
            leaks.setdefault((key, role), []).append(text)
    return leaks


# --- Requesting -------------------------------------------------------------------------------

SIGN_IN_PATHS = {"/accounts/login/", "/admin/login/"}


def outcome(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        return "L" if path in SIGN_IN_PATHS else "R"
    return STATUS_LETTERS.get(response.status_code, str(response.status_code))


def describe(letter: str) -> str:
    return LABELS.get(letter, letter)


def request_as(session_key: str | None, method: str, url: str):
    """One request in a savepoint that is rolled back, so that whatever it changes (a POST
    that gets through, a sign-out) is gone before the next. Returns the response and its body.

    A fresh client per request, carrying the role's session cookie: nothing a response sets
    (a message, a deleted session cookie) reaches the next request."""
    with transaction.atomic():
        client = Client(raise_request_exception=False)
        if session_key is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        response = client.get(url) if method == "GET" else client.post(url, {})
        # Reading a file to the end closes it; the client's wrapper does that without the
        # request_finished signal, which would close the test's database connection.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    return response, content


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Attachments (an application's and a return's), Section B reports and signed PDFs in
    this test's own folder."""
    storage = PrivateFileSystemStorage(location=tmp_path / "private")
    for model, name in (
        (Attachment, "file"),
        (ReturnAttachment, "file"),
        (DecisionRecord, "section_b"),
        (DecisionRecord, "section_b_redacted"),
        (DecisionDocument, "file"),
    ):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return storage


def test_access_matrix(db, private_storage, caplog):
    # Thousands of expected 403s and 404s: log only what goes wrong (a 500 is an ERROR).
    caplog.set_level(logging.ERROR, logger="django.request")
    scenario = access_scenario.build()
    # One session per role, made once; each request brings its cookie to a client of its own.
    sessions = {}
    for role, user in scenario.users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    # After the sign-ins: a reset token is tied to the time of the last one.
    for user in scenario.users.values():
        if user is not None:
            user.refresh_from_db()
    urls = urls_for(scenario)
    leaks = leaks_for(scenario)

    problems = []
    requests = 0
    for key, expected in EXPECTED.items():
        url = urls[key]
        match = resolve(urlsplit(url).path)
        reached = key_for(match.url_name and match.view_name, match.route)
        if reached != base_key(key):
            problems.append(f"{key}: the address {url} reaches {reached}, not this pattern")
            continue
        for method, column in (("GET", expected.get), ("POST", expected.post)):
            if column is None:
                continue
            for role, want in zip(ROLES, column, strict=True):
                response, content = request_as(sessions.get(role), method, url)
                requests += 1
                for text in leaks.get((key, role), []) if method == "GET" else []:
                    if text.encode() in content:
                        problems.append(f"GET {url} ({key}) as {role}: shows {text!r}")
                # Whatever the answer, a response to someone signed in is theirs alone.
                cache_control = response.get("Cache-Control", "")
                if role in sessions and key != "logout" and "private" not in cache_control:
                    problems.append(
                        f"{method} {url} ({key}) as {role}: Cache-Control {cache_control!r} "
                        "lets a shared cache keep it"
                    )
                got = outcome(response)
                if got != want or response.status_code >= 500:
                    where = f" to {response['Location']}" if response.has_header("Location") else ""
                    problems.append(
                        f"{method} {url} ({key}) as {role}: expected {describe(want)}, "
                        f"got {response.status_code}{where}"
                    )
    print(f"access matrix: {len(EXPECTED)} rows, {requests} requests")  # shown with -s
    assert not problems, f"{len(problems)} unexpected results:\n" + "\n".join(problems)


# --- Signed in with a password alone --------------------------------------------------------------

# The pages someone who has not yet given their second factor reaches: those that take it,
# and signing out (with the answers anyone signed in gets there).
BEFORE_SECOND_FACTOR = {
    "partners:two-factor",
    "partners:two-factor-setup",
    "partners:signed-out",
    "logout",
}


@pytest.mark.parametrize("has_app", [False, True], ids=["no app yet", "app set up"])
def test_password_alone_is_sent_to_the_second_factor_from_every_page(
    db, private_storage, caplog, has_app
):
    """Every pattern of the table, GET and POST, as the PCC and as OPCC staff signed in with
    their password only: each answer is a redirect to set up the app (or to give a code from
    it), except on the pages that take the second factor."""
    from tests.second_factor import app_of, force_login_password_only

    caplog.set_level(logging.ERROR, logger="django.request")
    scenario = access_scenario.build()
    urls = urls_for(scenario)
    target = "/accounts/two-factor/" if has_app else "/accounts/two-factor/setup/"
    problems, requests = [], 0
    for role in ("staff", "pcc"):
        user = scenario.users[role]
        if has_app:
            app_of(user)
        client = Client()
        force_login_password_only(client, user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        for key, expected in EXPECTED.items():
            if base_key(key) in BEFORE_SECOND_FACTOR:
                continue
            for method, column in (("GET", expected.get), ("POST", expected.post)):
                if column is None:
                    continue
                response, _ = request_as(session, method, urls[key])
                requests += 1
                location = response.get("Location", "")
                if response.status_code != 302 or urlsplit(location).path != target:
                    problems.append(
                        f"{method} {urls[key]} ({key}) as {role} with a password alone: "
                        f"{response.status_code} {location}"
                    )
    assert requests > 500
    assert not problems, f"{len(problems)} reached without the second factor:\n" + "\n".join(
        problems
    )
