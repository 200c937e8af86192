import pytest


@pytest.mark.django_db(transaction=True)
def test_public_pages_pass_axe(roles, live_server, page, check):
    page.goto(live_server.url + "/")
    check(page, "home")
    page.goto(live_server.url + "/no-such-page/")
    check(page, "not found")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    check(page, "sign in with errors")
    assert page.locator(".govuk-error-summary").is_visible()


@pytest.mark.django_db(transaction=True)
def test_sign_in_lockout_page_passes_axe(roles, live_server, page, check):
    page.goto(live_server.url + "/accounts/login/")
    for _ in range(5):
        page.get_by_label("Email address").fill("someone@example.org")
        page.get_by_label("Password").fill("a-wrong-password")
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Too many attempts to sign in"
    check(page, "sign-in paused")
