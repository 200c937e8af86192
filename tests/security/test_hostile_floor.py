"""The floor under the hostile-input tests: a test that posts must see at least one valid
post accepted. Each refusal is only checked to change nothing, so without the floor a form
broken to refuse everything would pass every check."""

import pytest
from django.core.exceptions import ValidationError

from grants import services

from . import test_hostile_grants_applications as applications


def refuse_everything(**kwargs):
    raise ValidationError("Refused, whatever was posted")


def test_form_that_refuses_every_post_fails_its_hostile_test(db, monkeypatch, provider, draft):
    # Withdrawing is refused cleanly (the form again, with its error summary) and
    # changes nothing, so only the floor can tell that no valid post got through.
    monkeypatch.setattr(services, "application_withdraw", refuse_everything)

    with pytest.raises(AssertionError) as failed:
        applications.test_application_withdraw(db=None, provider=provider, draft=draft)

    assert str(failed.value).startswith(
        "test_application_withdraw: none of its 20 posts was accepted"
    )
