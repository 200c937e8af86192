"""The header's navigation: everyone gets Funding and Decisions; people signed in get their
own links by role (issue 19, item 7). A link is a convenience, never access control."""

import re

import pytest

from partners.enums import Role
from tests.factories import UserFactory

PUBLIC = ["Funding", "Decisions", "Grants"]


def nav_links(client) -> list[str]:
    html = client.get("/").content.decode()
    menu = re.search(r'<nav aria-label="Menu".*?</nav>', html, re.S).group()
    return re.findall(r'class="govuk-service-navigation__link" href="[^"]*">([^<]+)</a>', menu)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.PROVIDER], [*PUBLIC, "Your applications", "Your grants", "Your organisations"]),
        ([Role.PANEL_MEMBER], [*PUBLIC, "Your panels"]),
        (
            [Role.OPCC_STAFF],
            [*PUBLIC, "Rounds", "Organisations", "Decision records", "Awards", "Money dashboard"],
        ),
        ([Role.CHIEF_EXECUTIVE], [*PUBLIC, "Decision records", "Awards", "Money dashboard"]),
        ([Role.PCC], [*PUBLIC, "Decision records", "Awards", "Money dashboard"]),
        (
            [Role.PROVIDER, Role.PANEL_MEMBER],
            [*PUBLIC, "Your applications", "Your grants", "Your organisations", "Your panels"],
        ),
        ([], PUBLIC),
    ],
)
def test_navigation_links_follow_the_roles(client, db, roles, expected):
    user = UserFactory(roles=roles)
    client.force_login(user)
    assert nav_links(client) == expected
    assert "Sign out" in client.get("/").content.decode()


def test_navigation_signed_out_offers_sign_in_and_an_account(client, db):
    assert nav_links(client) == [*PUBLIC, "Sign in", "Create an account"]


def test_navigation_has_govuk_frontends_menu_toggle(client, db):
    html = client.get("/").content.decode()
    assert 'data-module="govuk-service-navigation"' in html
    assert 'aria-controls="navigation" hidden>Menu</button>' in html
    assert '<ul class="govuk-service-navigation__list" id="navigation">' in html


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/funding/", "Funding"),
        ("/decisions/", "Decisions"),
        ("/applications/", "Your applications"),
        ("/organisations/", "Your organisations"),
        ("/grants/mine/", "Your grants"),
        ("/grants/", "Grants"),
    ],
)
def test_navigation_marks_the_current_section(client, db, path, current):
    client.force_login(UserFactory(roles=[Role.PROVIDER]))
    html = client.get(path).content.decode()
    assert re.findall(r'aria-current="true"><strong[^>]*>([^<]+)</strong>', html) == [current]
