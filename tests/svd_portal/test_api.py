"""What the public API's endpoints share (svd_portal/api.py, svd_portal/urls.py): its root,
its OpenAPI document at a stable address, and its documentation page, built from local
files only."""

import re

import yaml
from django.conf import settings


def test_root_lists_the_three_endpoints(client, db):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "decisions": "http://testserver/api/v1/decisions/",
        "rounds": "http://testserver/api/v1/rounds/",
        "grants": "http://testserver/api/v1/grants/",
    }


def test_openapi_document_describes_every_endpoint_and_its_errors(client, db):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    document = response.json()
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] == "SVD Grants Portal: public API"
    assert document["info"]["version"] == "1.0.0"
    answers = {
        path: sorted(operation["get"]["responses"]) for path, operation in document["paths"].items()
    }
    assert answers == {
        "/api/v1/decisions/": ["200", "400", "404"],
        "/api/v1/decisions/{reference}/": ["200", "404"],
        "/api/v1/grants/": ["200", "400", "404"],
        "/api/v1/grants/{reference}/": ["200", "404"],
        "/api/v1/rounds/": ["200", "400", "404"],
        "/api/v1/rounds/{slug}/": ["200", "404"],
    }
    # Read-only: no operation but GET.
    assert {method for operation in document["paths"].values() for method in operation} == {"get"}
    filters = [p["name"] for p in document["paths"]["/api/v1/decisions/"]["get"]["parameters"]]
    assert filters == [
        "outcome",
        "page",
        "page_size",
        "published_after",
        "published_before",
        "round",
    ]


def test_openapi_document_in_yaml_is_the_same(client, db):
    as_yaml = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert as_yaml == client.get("/api/v1/schema/?format=json").json()


def test_docs_page_loads_only_local_files(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Public API – " in page
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    assert sources == [
        "/static/js/site.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/v1/docs/?script=",
    ]
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert all(href.startswith(settings.STATIC_URL) for href in styles), styles
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in styles[-1]
    # No inline script for the strict CSP: the set-up is a file of its own.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert 'url: "/api/v1/schema/"' in script.content.decode()


def test_writing_is_refused_with_405(client, db):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/decisions/", content_type="application/json")
        assert response.status_code == 405
        assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}


def test_an_address_under_the_api_that_names_nothing_is_a_json_404(client, db):
    for url in ("/api/v1/nothing/", "/api/v1/decisions/%C2%84/", "/api/v1/grants/a/b/c"):
        response = client.get(url)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json"), url
        assert response.json() == {"detail": "Nothing in the API has this address."}
    # An address that names an endpoint once it ends in a slash is sent there.
    response = client.get("/api/v1/decisions?page=2")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/decisions/?page=2")
