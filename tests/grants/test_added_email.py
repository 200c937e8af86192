"""Members are emailed when added to a panel: the newly added only, after commit."""

import pytest

from tests.grants.helpers import panel_setup_post

pytestmark = pytest.mark.django_db


def test_newly_added_members_are_emailed_once(
    client_as,
    staff_user,
    funding_round,
    chair_user,
    member_user,
    third_user,
    eager_celery,
    mailoutbox,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.PORTAL_BASE_URL = "https://grants.example.org/"
    client = client_as(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            panel_setup_post(
                client, funding_round, [chair_user, member_user], chair_user
            ).status_code
            == 302
        )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([chair_user.email, member_user.email])
    ruth = next(m for m in mailoutbox if m.to == [member_user.email])
    assert ruth.subject == f"You are on the scoring panel for {funding_round.title}"
    assert ruth.body == (
        "Hello Ruth Ellison,\n\n"
        f"You have been added to the scoring panel for Violence Prevention Fund: "
        f"{funding_round.title}, representing Durham County Council.\n\n"
        "Declare any interest and score the applications here:\n"
        f"https://grants.example.org/panel/{funding_round.slug}/\n\n"
        f"{settings.PORTAL_ORGANISATION_NAME}\n"
    )
    daniel = next(m for m in mailoutbox if m.to == [chair_user.email])
    assert ", as its chair, representing Durham Constabulary." in daniel.body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        panel_setup_post(client, funding_round, [chair_user, member_user, third_user], chair_user)
    assert [m.to for m in mailoutbox] == [[third_user.email]]


def test_no_email_when_the_panel_save_fails(
    client_as,
    staff_user,
    funding_round,
    chair_user,
    member_user,
    eager_celery,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = panel_setup_post(client_as(staff_user), funding_round, [member_user], chair_user)
    assert response.status_code == 200
    assert mailoutbox == []
