"""Every download the portal sends, requested over HTTP by each role that may have it: the
confidential ones (attachments, exports, the panel's report, Section B reports, the PDF of a
record not yet published) carry Cache-Control: private, no-store, so that no shared cache or
browser disk keeps a copy. Only the published record's PDF, the grants register's open data
(its CSVs, 360Giving files and spending lists) and the public API's OpenAPI document are
public.

The walk covers every row of the access matrix (tests/security/test_access_matrix.py) that
some role may GET, so a download added later is checked here without being listed.
"""

import pytest
from django.conf import settings
from django.test import Client

from . import access_scenario
from .access_scenario import ROLES
from .access_table import EXPECTED
from .test_access_matrix import (  # noqa: F401 (private_storage is a fixture, used by name)
    private_storage,
    request_as,
    urls_for,
)

PUBLIC = {
    "decisions:pdf [published]",
    "grants:register-export",
    "grants:register-month",
    "grants:open-data",
    "grants:open-data [csv]",
    "grants:register-spending-export",
    "grants:register-spending-export [agreements]",
    # The public API's OpenAPI document, sent as schema.yaml.
    "api:schema",
}
# The downloads the scenario holds: the walk must at least find these.
KNOWN = {
    "grants:application-attachment",
    "grants:application-attachment [draft]",
    "grants:panel-attachment",
    "grants:return-attachment",
    "grants:register-export",
    "grants:open-data [csv]",
    "grants:staff-round-export",
    "grants:staff-round-export [xlsx]",
    "grants:panel-report-export",
    "grants:panel-report-export [xlsx]",
    "decisions:pdf",
    "decisions:pdf [published]",
    "decisions:section-b",
    "decisions:section-b [withheld]",
    "decisions:section-b-redacted",
    "decisions:section-b-redacted [withheld]",
    "decisions:staff-document",
    "decisions:staff-section-b",
    "decisions:staff-section-b-redacted",
}


def sessions_for(scenario) -> dict[str, str]:
    sessions = {}
    for role, user in scenario.users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.mark.usefixtures("private_storage")
def test_every_confidential_download_is_private_no_store(db):
    scenario = access_scenario.build()
    sessions = sessions_for(scenario)
    urls = urls_for(scenario)

    downloads, problems = set(), []
    for key, expected in EXPECTED.items():
        allowed = [role for role, want in zip(ROLES, expected.get, strict=True) if want == "O"]
        for role in allowed:
            response, _ = request_as(sessions.get(role), "GET", urls[key])
            if not response.has_header("Content-Disposition"):
                break  # a page, not a file: one role is enough to tell
            downloads.add(key)
            cache_control = response.get("Cache-Control")
            if key in PUBLIC:
                if cache_control and "no-store" in cache_control:
                    problems.append(f"{key} as {role}: public, yet {cache_control!r}")
            elif cache_control != "private, no-store":
                problems.append(f"{key} as {role}: Cache-Control {cache_control!r}")

    assert downloads >= KNOWN, f"not reached as downloads: {sorted(KNOWN - downloads)}"
    assert not problems, "\n".join(problems)
