"""Shared caches: a response to someone signed in says private (the access matrix checks
every URL pattern for every role); an anonymous visitor's page is left for the view to say (the public pages say public);
what a view already said stays as it said it."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_signed_in_persons_page_is_private_and_a_visitors_is_public(staff_client):
    assert staff_client.get("/decisions/")["Cache-Control"] == "private"
    # The visitor's register may be kept by a proxy for PUBLIC_CACHE_SECONDS
    # (tests/decisions/test_cached_pages.py); a page that is not kept says nothing.
    assert Client().get("/decisions/")["Cache-Control"] == "public, max-age=60"
    assert "Cache-Control" not in Client().get("/accessibility/")


def test_the_api_read_with_a_session_is_private_too(staff_client):
    # The API never reads the session, but whoever holds one gets a private answer.
    assert staff_client.get("/api/v1/decisions/")["Cache-Control"] == "private"


def test_what_a_view_said_stays(staff_client):
    # The audit trail's CSV is confidential: private and never stored, exactly.
    assert staff_client.get("/staff/audit.csv")["Cache-Control"] == "private, no-store"
    # The health check says never to cache, and private is among what it says.
    said = staff_client.get("/healthz/")["Cache-Control"]
    assert "no-store" in said and "private" in said
