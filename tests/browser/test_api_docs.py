"""The public API's docs page (/api/v1/docs/) in Chromium: Swagger UI renders the API's
operations from its OpenAPI document and calls one, under the portal's strict
Content-Security-Policy (script-src 'self', style-src 'self'), with no error in the console
or the page, no violation of the policy reported, and every request to the portal itself:
Swagger UI's files are drf-spectacular-sidecar's, served by the portal (no CDN).

Axe checks the portal's own parts of the page (header, introduction, footer); Swagger UI's
markup is third-party and left out of its scope.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Every violation of the policy the page reports, kept for the test to read.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.mark.django_db(transaction=True)
def test_api_docs_render_under_the_csp_from_local_files(roles, live_server, page, check):
    problems, requested = [], []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(RECORD_VIOLATIONS)

    response = page.goto(live_server.url + "/api/v1/docs/")
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert (policy["script-src"], policy["style-src"]) == ("'self'", "'self'")
    operations = page.locator("#swagger-ui .opblock-summary-path")
    expect(operations.filter(has_text="decisions")).to_have_count(2)
    paths = [element.get_attribute("data-path") for element in operations.all()]
    assert sorted(paths) == [
        "/api/v1/decisions/",
        "/api/v1/decisions/{reference}/",
        "/api/v1/grants/",
        "/api/v1/grants/{reference}/",
        "/api/v1/rounds/",
        "/api/v1/rounds/{slug}/",
    ]
    check(page, "api docs", exclude=("#swagger-ui",))

    # Try it: the list of decisions, called from the page.
    decisions = page.locator("#operations-decisions-decisions_list")
    decisions.locator(".opblock-summary").click()
    decisions.get_by_role("button", name="Try it out").click()
    decisions.get_by_role("button", name="Execute").click()
    expect(
        decisions.locator(".live-responses-table .response-col_status:not(.col_header)")
    ).to_have_text("200")
    expect(decisions.locator(".live-responses-table .microlight").first).to_contain_text(
        '"count": 0'
    )

    problems += page.evaluate("window.cspViolations")
    origin = urlsplit(live_server.url)
    problems += [
        f"request to {url}"
        for url in requested
        if urlsplit(url)[:2] != origin[:2] and not url.startswith("data:")
    ]
    assert f"{live_server.url}/api/v1/schema/" in requested
    assert not problems, "\n".join(problems)
