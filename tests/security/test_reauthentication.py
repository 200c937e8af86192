"""Acts that need the second factor given recently (SECOND_FACTOR_RECENT_MINUTES): signing a
decision, approving a payment, verifying bank details, changing roles (an organisation's
signatory, a person in the admin) and downloading panel or payment exports. Each is asked
as the role that may do it, with a second factor given 16 minutes ago: the answer is the
code page, coming back here, and nothing changes; given a minute ago, the act goes ahead
as the access matrix says."""

import datetime
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.second_factor import force_login_password_only, give_second_factor

from . import access_scenario
from .access_table import EXPECTED
from .test_access_matrix import outcome, private_storage, request_as, urls_for  # noqa: F401

# (key of the access table, method, the role that may act)
RECENT_ONLY = [
    ("decisions:staff-sign", "POST", "pcc"),
    ("grants:payment-approve", "POST", "staff"),
    ("grants:award-bank-verify", "POST", "staff"),
    ("partners:membership-signatory", "POST", "staff"),
    ("grants:panel-report-export", "GET", "staff"),
    ("grants:panel-report-export [xlsx]", "GET", "staff"),
    ("grants:staff-payments-export", "GET", "staff"),
    ("admin:partners_user_change [provider]", "GET", "staff"),
    ("admin:partners_user_change [provider]", "POST", "staff"),
    ("admin:partners_user_add", "GET", "staff"),
]


def session_given(user, minutes_ago: int) -> str:
    client = Client()
    force_login_password_only(client, user)
    give_second_factor(client, user, at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_acts_that_need_a_recent_second_factor(db, private_storage, caplog):  # noqa: F811
    caplog.set_level(logging.ERROR, logger="django.request")
    scenario = access_scenario.build()
    urls = urls_for(scenario)
    stale = {role: session_given(scenario.users[role], 16) for role in ("staff", "pcc")}
    fresh = {role: session_given(scenario.users[role], 1) for role in ("staff", "pcc")}
    problems = []
    for key, method, role in RECENT_ONLY:
        url = urls[key]
        response, _ = request_as(stale[role], method, url)
        location = urlsplit(response.get("Location", ""))
        back = parse_qs(location.query).get("next", [""])[0]
        want = urlsplit(url).path if method == "POST" else url
        if (response.status_code, location.path, back) != (302, "/accounts/two-factor/", want):
            problems.append(
                f"{method} {url} ({key}) 16 minutes on: {response.status_code} {location.geturl()}"
            )
        column = EXPECTED[key].get if method == "GET" else EXPECTED[key].post
        want_now = column[access_scenario.ROLES.index(role)]
        got_now = outcome(request_as(fresh[role], method, url)[0])
        if got_now != want_now:
            problems.append(f"{method} {url} ({key}) a minute on: {got_now}, not {want_now}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("minutes", [14, 16])
def test_the_window_is_the_setting(client, staff_user, minutes):
    force_login_password_only(client, staff_user)
    give_second_factor(client, staff_user, at=timezone.now() - datetime.timedelta(minutes=minutes))
    response = client.get("/staff/payments/export.csv")
    if minutes < settings.SECOND_FACTOR_RECENT_MINUTES:
        assert response.status_code == 200
    else:
        assert response["Location"] == "/accounts/two-factor/?next=%2Fstaff%2Fpayments%2Fexport.csv"


def test_a_stale_second_factor_is_asked_again_and_comes_back(client, staff_user):
    from tests.second_factor import app_of, code_for

    device = app_of(staff_user)
    force_login_password_only(client, staff_user)
    give_second_factor(client, staff_user, at=timezone.now() - datetime.timedelta(minutes=20))
    asked = client.get("/staff/payments/export.csv")
    page = client.get(asked["Location"])
    assert "Confirm it is you" in page.content.decode()
    done = client.post(
        asked["Location"], {"code": code_for(device), "next": "/staff/payments/export.csv"}
    )
    assert done["Location"] == "/staff/payments/export.csv"
    assert client.get("/staff/payments/export.csv").status_code == 200
