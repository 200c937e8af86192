"""The declaration reveals its details box only under "Yes"."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_declaration_details_revealed_under_yes(
    funding_round, member, member_user, application, client_for
):
    page = (
        client_for(member_user)
        .get(reverse("grants:panel-declare", args=[funding_round.slug, application.reference]))
        .content.decode()
    )
    radios = re.search(r'<div class="govuk-radios[^"]*"[^>]*data-module="govuk-radios"', page)
    assert radios is not None
    yes = re.search(r'<input[^>]*value="yes"[^>]*>', page, re.S).group(0)
    assert 'aria-controls="conditional_has_interest_1"' in yes
    no = re.search(r'<input[^>]*value="no"[^>]*>', page, re.S).group(0)
    assert "aria-controls" not in no
    conditional = page.split(
        '<div class="govuk-radios__conditional govuk-radios__conditional--hidden" '
        'id="conditional_has_interest_1">'
    )[1]
    before_end = conditional.split("</fieldset>")[0]
    assert "Describe the interest" in before_end
    assert "This is a conflict of interest" in before_end
    assert "<script>" not in page


def test_declaration_with_interest_still_recorded(
    funding_round, member, member_user, application, client_for
):
    response = client_for(member_user).post(
        reverse("grants:panel-declare", args=[funding_round.slug, application.reference]),
        {"has_interest": "yes", "interest": "I volunteer there", "is_conflict": "on"},
    )
    assert response.status_code == 302
    declaration = member.declarations.get(application=application)
    assert (declaration.has_interest, declaration.interest, declaration.is_conflict) == (
        True,
        "I volunteer there",
        True,
    )
