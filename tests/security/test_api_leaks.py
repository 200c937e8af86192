"""The public API is the same for everyone and holds nothing unpublished: with the access
matrix's scenario built, every API address (the root, the OpenAPI document, each list page by
page and every item it names, the hidden items' own addresses, and lists filtered to what is
hidden) is requested as each role of the matrix, with that role's session cookie.

Every answer is byte for byte the anonymous visitor's, and none holds a reference, title or
organisation name of a record not published, of the draft round, or of a grant not on the
register. The docs page is HTML with the portal's header, which names whoever is signed in,
so it is only searched for those strings. Any other method than GET is refused with a 405,
by every role, and changes nothing.
"""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from decisions.models import DecisionDocument, DecisionRecord
from grants.models import Award, FundingRound
from partners.models import Organisation

from . import access_scenario
from .access_scenario import ROLES
from .test_access_matrix import private_storage, request_as  # noqa: F401 (a fixture by name)
from .test_downloads import sessions_for

LISTS = ("api:decision-list", "api:round-list", "api:grant-list")
WRITES = ("post", "put", "patch", "delete")


def hidden(s: access_scenario.Scenario) -> list[str]:
    """What the API must never show: records not published (a draft has no reference yet),
    the draft round, and grants not on the register (A's offered, D's accepted but its
    decision not yet published), with their recipients."""
    texts = []
    for name in ("draft", "awaiting_approval", "awaiting_signature", "withheld"):
        record = s.records[name]
        texts += [record.title] + ([record.reference] if record.reference else [])
    texts += [s.draft_round.slug, s.draft_round.title]
    for award in (s.award_a, s.grant_unpublished):
        texts += [award.reference, award.title, award.organisation.name]
    return texts


def hidden_addresses(s: access_scenario.Scenario) -> list[str]:
    """The hidden objects' own addresses, and lists filtered to them."""
    records, draft_round = s.records, s.draft_round
    return [
        reverse("api:decision-detail", args=[records["awaiting_approval"].reference]),
        reverse("api:decision-detail", args=[records["awaiting_signature"].reference]),
        reverse("api:decision-detail", args=[records["withheld"].reference]),
        reverse("api:round-detail", args=[draft_round.slug]),
        reverse("api:grant-detail", args=[s.award_a.reference]),
        reverse("api:grant-detail", args=[s.grant_unpublished.reference]),
        reverse("api:decision-list") + f"?round={draft_round.slug}",
        reverse("api:round-list") + "?status=draft",
        reverse("api:grant-list") + f"?decision={records['withheld'].reference}",
        reverse("api:grant-list") + f"?round={s.decided_round.slug}",
    ]


def get(session: str | None, url: str) -> bytes:
    response, content = request_as(session, "GET", url)
    assert response.status_code < 500, f"{url}: {response.status_code}"
    return content


def walk(session: str | None) -> tuple[dict[str, bytes], list[str]]:
    """The root, the document, and each list (whole, and two rows a page, page by page)
    with every item it names: the answers by address, and the items' addresses."""
    schema = reverse("api:schema")
    answers = {url: get(session, url) for url in (reverse("api:api-root"), schema)}
    answers[f"{schema}?format=json"] = get(session, f"{schema}?format=json")
    items = []
    for name in LISTS:
        answers[reverse(name)] = get(session, reverse(name))
        url = reverse(name) + "?page_size=2"
        while url:
            answers[url] = get(session, url)
            page = json.loads(answers[url])
            for row in page["results"]:
                items.append(row["api_url"].removeprefix(settings.PORTAL_BASE_URL.rstrip("/")))
                answers[items[-1]] = get(session, items[-1])
            url = page["next"] and page["next"].removeprefix("http://testserver")
    return answers, items


def shows(content: bytes, text: str) -> bool:
    """Whether `text` is in a response, as it is or as JSON writes it."""
    return any(form.encode() in content for form in (text, json.dumps(text)[1:-1]))


@pytest.mark.usefixtures("private_storage")
def test_api_is_the_same_for_every_role_and_shows_nothing_unpublished(db):
    scenario = access_scenario.build()
    sessions = sessions_for(scenario)
    texts = hidden(scenario)
    addresses = hidden_addresses(scenario)

    seen = {}
    for role in ROLES:
        answers, items = walk(sessions.get(role))
        answers |= {url: get(sessions.get(role), url) for url in addresses}
        seen[role] = answers
    anonymous = seen["anonymous"]
    # The published record, the rounds not in draft and the grant on the register.
    assert sorted(items) == sorted(
        [
            reverse("api:decision-detail", args=[scenario.records["published"].reference]),
            reverse("api:round-detail", args=[scenario.funding_round.slug]),
            reverse("api:round-detail", args=[scenario.decided_round.slug]),
            reverse("api:grant-detail", args=[scenario.grant_on_register.reference]),
        ]
    )

    problems = []
    for role, answers in seen.items():
        if answers.keys() != anonymous.keys():
            problems.append(f"{role}: other addresses than anonymous's: {answers.keys()}")
        problems += [
            f"{url} as {role}: not the anonymous visitor's answer"
            for url, content in answers.items()
            if content != anonymous.get(url)
        ]
        docs = get(sessions.get(role), reverse("api:docs"))
        problems += [
            f"{url} as {role}: shows {text!r}"
            for url, content in {**answers, reverse("api:docs"): docs}.items()
            for text in texts
            if shows(content, text)
        ]
    assert not problems, "\n".join(problems)


def snapshot() -> dict:
    """Every column of what the API shows, and of the organisations it names."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (DecisionRecord, DecisionDocument, FundingRound, Award, Organisation)
    }


@pytest.mark.usefixtures("private_storage")
def test_api_refuses_every_other_method_and_changes_nothing(db):
    scenario = access_scenario.build()
    sessions = sessions_for(scenario)
    s = scenario
    addresses = [
        reverse("api:api-root"),
        reverse("api:schema"),
        reverse("api:docs"),
        *(reverse(name) for name in LISTS),
        reverse("api:decision-detail", args=[s.records["published"].reference]),
        reverse("api:round-detail", args=[s.funding_round.slug]),
        reverse("api:grant-detail", args=[s.grant_on_register.reference]),
        *(url for url in hidden_addresses(scenario) if "?" not in url),
    ]
    body = json.dumps({"title": "Changed", "status": "published", "amount": "1.00"})
    before = snapshot()

    problems = []
    for role in ROLES:
        for url in addresses:
            for method in WRITES:
                # Not in a savepoint rolled back, unlike the matrix: a change must show below.
                client = Client(raise_request_exception=False)
                if sessions.get(role):
                    client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
                response = getattr(client, method)(url, body, content_type="application/json")
                if response.status_code != 405:
                    problems.append(f"{method.upper()} {url} as {role}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot() == before
