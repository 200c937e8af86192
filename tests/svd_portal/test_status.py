"""The footer's "Service status" is a page people can read; /healthz/ stays JSON for machines."""

from django.test import override_settings

from tests.ports import free_port


def rows(html: str) -> list[tuple[str, str]]:
    found = []
    for row in html.split('<div class="govuk-summary-list__row">')[1:]:
        key = row.split('<dt class="govuk-summary-list__key">', 1)[1].split("</dt>", 1)[0]
        value = row.split("<strong", 1)[1].split(">", 1)[1].split("</strong>", 1)[0]
        found.append((key, value))
    return found


def test_footer_service_status_link_goes_to_the_status_page(client, db):
    html = client.get("/accessibility/").content.decode()
    assert '<a class="govuk-footer__link" href="/status/">Service status</a>' in html
    assert 'href="/healthz/">Service status' not in html


def test_status_page_says_everything_is_working(client, db):
    response = client.get("/status/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Service status</h1>' in html
    assert '<p class="govuk-body">Everything is working.</p>' in html
    assert rows(html) == [
        ("Website and its database", "Working"),
        ("Emails and documents (the message broker)", "Working"),
    ]


def test_status_page_names_what_is_down_but_not_how_it_is_built(client, db, caplog):
    port = free_port()
    with override_settings(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0", HEALTHZ_BROKER_TIMEOUT=0.5
    ):
        response = client.get("/status/")
    assert response.status_code == 503
    html = response.content.decode()
    assert rows(html) == [
        ("Website and its database", "Working"),
        ("Emails and documents (the message broker)", "Not working"),
    ]
    assert "Part of the portal is not working at the moment." in html
    assert str(port) not in html
    assert "Service status: Emails and documents (the message broker) is down" in caplog.text


def test_healthz_stays_json(client, db):
    response = client.get("/healthz/")
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "broker": "ok"}
