"""Request ids and JSON logs (issue 18, item 6): each request has an id (nginx's when it is a
sane one), sent back as X-Request-ID, on every log line it writes and on those of the tasks it
queues, which a real worker logs as JSON under LOG_FORMAT=json."""

import copy
import io
import json
import logging
import logging.config
import re
import time

import pytest
from django.conf import settings
from django.urls import reverse

from partners.enums import MembershipStatus, VerificationStatus
from svd_portal import celery_app, request_ids
from tests.decisions import conftest as decisions
from tests.factories import MembershipFactory, UserFactory
from tests.partners import conftest as partners
from tests.security.test_settings import production_settings

# A real worker process on a Redis database of its own (tests/decisions/conftest.py).
document_signing = decisions.document_signing
document_storage = decisions.document_storage
documents_broker = decisions.documents_broker
signing_files = decisions.signing_files
start_worker_process = decisions.start_worker_process
pending_organisation = partners.pending_organisation

MADE = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """The root logger's records as the JSON formatter and request-id filter of the real
    LOGGING write them; json_log() is the lines so far, parsed."""
    configurator = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    config = configurator.config
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"]["json"]))
    handler.addFilter(configurator.configure_filter(config["filters"]["request_id"]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


# --- The header ----------------------------------------------------------------------------


def test_request_id_made_when_none_is_given(client, db):
    first = client.get("/accessibility/")
    second = client.get("/accessibility/")

    assert MADE.fullmatch(first["X-Request-ID"])
    assert MADE.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize("given", ["a1b2c3d4", "nginx-0f1e2d3c-4b5a-6978", "A" * 64])
def test_request_id_valid_one_is_echoed(client, db, given):
    response = client.get("/accessibility/", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given",
    [
        "has spaces in it",
        "abcdefgh\nX-Injected: 1",
        "abcdefgh\n",
        "under_score_id",
        "short7c",
        "A" * 65,
        "<script>alert(1)</script>",
        "",
    ],
    ids=[
        "spaces",
        "newline",
        "trailing newline",
        "underscore",
        "7 long",
        "65 long",
        "markup",
        "empty",
    ],
)
def test_request_id_invalid_one_is_replaced(client, db, given):
    response = client.get("/accessibility/", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert MADE.fullmatch(response["X-Request-ID"])


def test_request_id_on_an_error_page_too(client, db):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lost-0123456789")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "lost-0123456789"


# --- The log lines -------------------------------------------------------------------------


def test_json_log_line_carries_the_request_id_of_the_response(client, db, json_log):
    logging.getLogger("tests.request_ids").warning("Before any request")
    response = client.get("/no-such-page/")
    assert client.get("/no-such-page/", HTTP_X_REQUEST_ID="nginx-4242-abcd").status_code == 404

    lines = [
        {key: line[key] for key in ("levelname", "name", "message", "request_id")}
        for line in json_log()
        if line["name"] in ("django.request", "tests.request_ids")
    ]
    assert lines == [
        {
            "levelname": "WARNING",
            "name": "tests.request_ids",
            "message": "Before any request",
            "request_id": None,
        },
        {
            "levelname": "WARNING",
            "name": "django.request",
            "message": "Not Found: /no-such-page/",
            "request_id": response["X-Request-ID"],
        },
        {
            "levelname": "WARNING",
            "name": "django.request",
            "message": "Not Found: /no-such-page/",
            "request_id": "nginx-4242-abcd",
        },
    ]
    assert all("timestamp" in line for line in json_log())


def test_json_logs_are_the_production_default():
    production = production_settings("LOG_FORMAT", "LOGGING", "CELERY_WORKER_HIJACK_ROOT_LOGGER")

    assert production["LOG_FORMAT"] == "json"
    assert production["LOGGING"]["handlers"]["console"] == {
        "class": "logging.StreamHandler",
        "filters": ["request_id"],
        "formatter": "json",
    }
    # The worker keeps that handler rather than putting Celery's plain one in its place.
    assert production["CELERY_WORKER_HIJACK_ROOT_LOGGER"] is False


def test_plain_text_logs_are_the_local_default():
    assert settings.LOG_FORMAT == "text"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"
    assert settings.LOGGING["formatters"]["text"] == {"format": "%(message)s"}
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is True


# --- Tasks ----------------------------------------------------------------------------------


def test_task_published_outside_a_request_carries_no_id():
    headers = {}
    request_ids.add_to_task_headers(headers=headers)

    assert headers == {}


def _worker_json_lines(worker) -> list[dict]:
    return [
        json.loads(line)
        for line in worker.log.read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_task_queued_in_a_request_logs_its_request_id_in_the_worker(
    staff_client, pending_organisation, documents_broker, start_worker_process
):
    MembershipFactory(
        user=UserFactory(email="ann@example.org"),
        organisation=pending_organisation,
        status=MembershipStatus.ACTIVE,
    )
    url = reverse("partners:organisation-verify", args=[pending_organisation.pk])
    response = staff_client.post(url, {"to_status": VerificationStatus.VERIFIED, "reason": ""})
    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    # Queued after the commit, with the request's id in its headers; then one from no request.
    [raw] = documents_broker.client.lrange("celery", 0, -1)
    headers = json.loads(raw)["headers"]
    assert (headers["task"], headers["request_id"]) == (
        "partners.send_verification_email",
        request_id,
    )
    celery_app.send_task("svd_portal.apply_retention")

    worker = start_worker_process("json", LOG_FORMAT="json")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        line["message"].startswith("Retention schedule applied")
        for line in _worker_json_lines(worker)
    ):
        assert worker.process.poll() is None, worker.log_tail()
        time.sleep(0.2)

    # The lines written while each task ran: Celery's own about the outcome, and the task's.
    ran = [
        (line["name"], line["message"].split("[")[0].split(":")[0], line["request_id"])
        for line in _worker_json_lines(worker)
        if line["name"] in ("celery.app.trace", "svd_portal.tasks")
    ]
    assert ran == [
        ("celery.app.trace", "Task partners.send_verification_email", request_id),
        ("svd_portal.tasks", "Retention schedule applied", None),
        ("celery.app.trace", "Task svd_portal.apply_retention", None),
    ], worker.log_tail()
