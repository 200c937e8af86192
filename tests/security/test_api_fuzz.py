"""The public API fuzzed from its own OpenAPI document (schemathesis): the document is read
from /api/v1/schema/ as the app serves it, and every operation in it is called through the
app's WSGI handler with requests generated from it, valid and invalid (schemathesis's
examples, fuzzing and coverage phases), over a database that holds what must never be shown
beside what must.

Every response goes through schemathesis's checks: no 5xx, a status code, a content type
and headers the document states for the operation, a body that matches its schema, and
valid input accepted. One is left out: NEGATIVE_DATA_REJECTION says why. Generation is
derandomized and bounded, so every run sends the same requests (about 700, in 15 s).

Generated references rarely name a real record, so each list is also walked page by page
and every item it names fetched and validated: each real record, round and grant once.

The world: the access matrix's scenario (records in every status, the published one with
its signed PDF and a redacted Section B, a draft round, grants offered, accepted with the
decision deferred, and on the register), rounds in every status (one two-stage, one closed
early), the grants register's data (payments, areas, a charity, a company), a round's
decision with its schedule of awards (a bid not recommended) and the grants it made, and a
published correction.
"""

import datetime
import logging
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import HealthCheck, settings

from decisions.enums import DecisionStatus
from grants import selectors as grant_selectors
from grants import services as grant_services
from grants.enums import AwardStatus, RoundStages, RoundStatus
from grants.models import Award
from tests.factories import FundingRoundFactory
from tests.grants import conftest as grants_fixtures
from tests.grants import register_data
from tests.grants.register_data import on_register

from . import access_scenario
from .test_access_matrix import private_storage  # noqa: F401 (a fixture, used by name)

# The grants register's data (tests/grants/register_data.py), found by pytest under these names.
areas = register_data.areas
grants = register_data.grants
priorities = grants_fixtures.priorities

SCHEMA_PATH = "/api/v1/schema/?format=json"
LISTS = ("/api/v1/decisions/", "/api/v1/rounds/", "/api/v1/grants/")
# Examples the fuzzing phase sends per operation, valid and invalid together; the coverage
# phase adds its own (edge values, missing and unknown parameters, other methods): about
# 700 requests for the six operations.
EXAMPLES = 40
# Left out: the check that every invalid request is refused with a 4xx. The API is lenient
# where Django REST framework and django-filter are: an empty filter is no filter
# (?published_after=), and a page_size it cannot use gives pages of 50 (?page_size=x). A
# date it cannot read, a status it does not offer or a page that does not exist are refused.
NEGATIVE_DATA_REJECTION = "negative_data_rejection"


@pytest.fixture
def through_wsgi():
    """The app called as a WSGI server calls it, inside the test's transaction. A server
    closes the database connection when a request starts and ends; here that would end
    the transaction the test's data lives in, so (as Django's test client does) it is not."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(
    private_storage,  # noqa: F811 (the fixture imported above)
    grants,
    recommended_round,
    record_in,
    staff_user,
):
    """The data the API is fuzzed over (see the module's docstring)."""
    scenario = access_scenario.build()
    for status in RoundStatus:
        FundingRoundFactory(slug=f"fuzz-{status}", status=status)
    FundingRoundFactory(
        slug="fuzz-two-stage",
        stages=RoundStages.TWO_STAGE,
        full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
    )
    closed_early = FundingRoundFactory(slug="fuzz-closed-early")
    grant_services.round_move(
        funding_round=closed_early,
        to_status=RoundStatus.CLOSED,
        by=staff_user,
        reason="The fund is fully committed.",
    )
    # The round's decision, signed and so published: its schedule names a bid not
    # recommended, and the first grant it made is accepted, so on the register.
    rows = grant_selectors.round_schedule_of_awards(funding_round=recommended_round).rows
    round_record = record_in(
        DecisionStatus.PUBLISHED,
        title="Violence Prevention Fund: awards",
        funding_round=recommended_round,
        applications=[row.application for row in rows],
    )
    made = Award.objects.filter(decision_reference=round_record.reference).order_by("reference")
    assert [award.status for award in made] == [AwardStatus.DUE_DILIGENCE] * 2
    on_register(made[0])
    record_in(
        DecisionStatus.PUBLISHED,
        title="Correction of the campaign's dates",
        corrects=scenario.records["published"],
    )
    return scenario


@pytest.fixture
def api_schema(request, api_world, through_wsgi, caplog):
    """The OpenAPI document as /api/v1/schema/ serves it, its operations called through
    the WSGI app."""
    # Refusals are logged as warnings by the hundred: log only what goes wrong (a 500).
    caplog.set_level(logging.ERROR, logger="django.request")
    # schemathesis 4.32 names each operation's subtest by rewriting the node's `_nodeid`,
    # which pytest 9 no longer has (it keeps `_id`): give it one to rewrite.
    request.node._nodeid = request.node.nodeid
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, through_wsgi)
    schema.config.generation.update(deterministic=True, max_examples=EXAMPLES, database="none")
    schema.config.checks.update(excluded_check_names=[NEGATIVE_DATA_REJECTION])
    return schema


def call(case):
    """The case's request, in a savepoint: a query that failed cannot spoil the next."""
    with transaction.atomic():
        response = case.call()
        transaction.set_rollback(True)
    return response


def reaches_the_api(case) -> bool:
    """Whether the case's address is one of the API's. A reference the document's pattern
    does not allow (é, a slash) matches no URL pattern, so Django's own 404 page answers
    before any of the API's code runs."""
    try:
        return resolve(unquote(case.formatted_path)).namespace == "api"
    except Resolver404:
        return False


api = schemathesis.pytest.from_fixture("api_schema")


@api.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_as_its_schema_says(case):
    response = call(case)
    if reaches_the_api(case):
        case.validate_response(response)
    else:
        assert response.status_code == 404, case.as_curl_command()


def test_every_published_item_answers_as_its_schema_says(api_schema):
    items = []
    for path in LISTS:
        operation = api_schema[path]["GET"]
        page, pages = 1, 0
        while page:
            case = operation.Case(query={"page": page, "page_size": 2})
            response = call(case)
            case.validate_response(response)
            body = response.json()
            items += [urlsplit(row["api_url"]).path for row in body["results"]]
            pages += 1
            page = page + 1 if body["next"] else None
        assert pages > 1, f"{path}: one page of two; the walk should cross pages"
    for path in items:
        match = resolve(path)
        operation = api_schema.find_operation_by_path("GET", path)
        case = operation.Case(path_parameters=match.kwargs)
        response = call(case)
        assert response.status_code == 200, path
        case.validate_response(response)
    # Published records (the scenario's, the round's decision and the correction), rounds
    # not in draft, grants on the register (the scenario's, the round's and three).
    kinds = [path.split("/")[3] for path in items]
    assert (kinds.count("decisions"), kinds.count("rounds"), kinds.count("grants")) == (3, 9, 5)
