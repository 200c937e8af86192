"""Hostile posts to the partners' forms and Django's own: signing in, resetting a password,
signing up and confirming, registering, joining and verifying an organisation, deciding a
membership request. How each post is judged: tests/security/hostile/checks.py.
"""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import strategies as st

from partners import two_factor
from partners.enums import MembershipStatus, OrganisationKind, Role, VerificationStatus
from partners.models import Membership, Organisation, OrganisationStatusChange, User
from partners.selectors import sign_up_tokens
from tests.factories import OrganisationFactory, UserFactory
from tests.factories.partners import PASSWORD
from tests.second_factor import app_of, code_for, code_now

from .hostile import (
    PAYLOADS,
    SIGN_IN_TABLES,
    check_form,
    form_data,
    hostile,
    hostile_choice,
    hostile_text,
    last,
    page_shows,
    stripped,
    valid_text,
)


@hostile(25)
def test_sign_in(db, data, provider):
    posted = data.draw(
        form_data(
            valid={
                "username": st.sampled_from(
                    [provider.email, provider.email.upper(), f" {provider.email} "]
                ),
                "password": PASSWORD,
            },
        )
    )

    def signed_in(response, client):
        assert client.session["_auth_user_id"] == str(provider.pk)

    # A sign-in writes django-axes' attempt rows and a session whatever the outcome: that
    # is how throttling counts attempts. Only those tables, and only for this form.
    url = reverse("login")
    check_form(
        data, url, posted, watch=[provider], ignore_tables=SIGN_IN_TABLES, accepted=signed_in
    )


@hostile(15)
def test_password_reset(db, data, provider):
    posted = data.draw(
        form_data(valid={"email": st.sampled_from([provider.email, "nobody@example.org"])})
    )
    url = reverse("password_reset")
    check_form(data, url, posted, watch=[provider])


@hostile(20)
def test_password_reset_confirm(db, data, provider):
    uidb64 = urlsafe_base64_encode(force_bytes(provider.pk))
    token = default_token_generator.make_token(provider)
    good = data.draw(valid_text(60).filter(lambda s: len(s) >= 12 and not s.isdigit()))
    posted = data.draw(form_data(valid={"new_password1": good, "new_password2": good}))
    hostile_link = data.draw(st.sampled_from([None, None, "token", "uid"]))
    if hostile_link == "token":
        token = data.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1))
    elif hostile_link == "uid":
        uidb64 = data.draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0-_", min_size=1)
        )

    def follow_link(client):
        client.get(reverse("password_reset_confirm", args=[uidb64, token]))

    def password_set(response, client):
        provider.refresh_from_db()
        assert provider.check_password(last(posted, "new_password1"))

    url = reverse("password_reset_confirm", args=[uidb64, "set-password"])
    check_form(
        data,
        url,
        posted,
        watch=[provider],
        prepare=follow_link,
        accepted=password_set,
        refusal_marks=(b"govuk-error-summary", b"The link has expired"),
    )


@hostile(25)
def test_sign_up(db, data):
    password = data.draw(valid_text(40).filter(lambda s: len(s) >= 12 and not s.isdigit()))
    posted = data.draw(
        form_data(
            valid={
                "full_name": valid_text(150),
                "email": st.emails().filter(lambda e: len(e) <= 254),
                "password1": password,
                "password2": password,
            },
        )
    )

    def account_made(response, client):
        # Made, waiting for the emailed link; the page is the same as for a taken address.
        user = User.objects.get(email__iexact=stripped(posted, "email"))
        assert user.full_name == stripped(posted, "full_name")
        assert user.check_password(last(posted, "password1"))
        assert user.is_active is False
        page_shows(client, response["Location"], "Check your email")

    url = reverse("partners:signup")
    check_form(data, url, posted, accepted=account_made)


@hostile(15)
def test_sign_up_confirm(db, data):
    user = UserFactory(email="waiting@example.org", is_active=False, roles=[Role.PROVIDER])
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = sign_up_tokens.make_token(user)
    hostile_link = data.draw(st.sampled_from([None, "token", "uid"]))
    if hostile_link == "token":
        token = data.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1))
    elif hostile_link == "uid":
        uidb64 = data.draw(
            st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0-_", min_size=1)
        )

    def activated(response, client):
        user.refresh_from_db()
        assert user.is_active

    url = reverse("partners:signup-confirm", args=[uidb64, token])
    check_form(
        data, url, data.draw(form_data(valid={}, hostile={})), watch=[user], accepted=activated
    )


@hostile(25)
def test_organisation_register(db, data, provider):
    kinds = [k.value for k in OrganisationKind]
    posted = data.draw(
        form_data(
            valid={
                "name": valid_text(200),
                "kind": OrganisationKind.COMMUNITY_GROUP.value,
                "charity_number": "",
                "company_number": "",
                "address_line_1": valid_text(200),
                "address_line_2": valid_text(200, min_size=0),
                "town": valid_text(100),
                "postcode": st.sampled_from(["DH1 3NJ", "dh1  3nj", " sr7 7ht "]),
                "email": st.sampled_from(["", "office@example.org"]),
                "website": st.sampled_from(["", "example.org", "https://example.org/a?b=c"]),
            },
            hostile={
                "kind": hostile_choice(*kinds),
                "charity_number": st.one_of(
                    hostile_text(20), st.sampled_from(["1123456", "١١٢٣٤٥٦"])
                ),
                "company_number": st.one_of(hostile_text(20), st.sampled_from(["SC123456", "123"])),
                "email": hostile_text(60),
                "website": st.sampled_from(
                    ["javascript:alert('x7q')", "data:text/html,x7q", "http://", "//x7q"]
                ),
            },
        )
    )

    def registered(response, client):
        organisation = Organisation.objects.filter(created_by=provider).latest("pk")
        assert organisation.name == stripped(posted, "name")
        assert organisation.address_line_1 == stripped(posted, "address_line_1")
        assert organisation.town == stripped(posted, "town")
        assert organisation.postcode == " ".join(stripped(posted, "postcode").upper().split())
        page_shows(client, reverse("partners:organisations-mine"), organisation.name)

    url = reverse("partners:organisation-register")
    check_form(data, url, posted, provider, accepted=registered)


@hostile(20)
def test_organisation_join(db, data, provider):
    joinable = OrganisationFactory(name=f"Harbour {PAYLOADS[2]}", charity=True)
    posted = data.draw(
        form_data(
            valid={
                "identifier": st.sampled_from(
                    [joinable.name, joinable.charity_number, f" {joinable.charity_number} "]
                )
            },
        )
    )

    def asked(response, client):
        membership = Membership.objects.get(user=provider, organisation=joinable)
        assert membership.status == MembershipStatus.REQUESTED
        page_shows(client, reverse("partners:organisations-mine"), joinable.name)

    url = reverse("partners:organisation-join")
    check_form(data, url, posted, provider, accepted=asked)


@hostile(20)
def test_organisation_verify(db, data, staff_user, pending_organisation):
    posted = data.draw(
        form_data(
            valid={
                "to_status": st.sampled_from(["verified", "rejected"]),
                "reason": valid_text(2000),
            },
            hostile={"to_status": hostile_choice(*VerificationStatus.values)},
        )
    )

    def decided(response, client):
        pending_organisation.refresh_from_db()
        assert pending_organisation.verification_status == last(posted, "to_status")
        change = OrganisationStatusChange.objects.get(organisation=pending_organisation)
        assert change.reason == stripped(posted, "reason")

    url = reverse("partners:organisation-verify", args=[pending_organisation.pk])
    check_form(data, url, posted, staff_user, watch=[pending_organisation], accepted=decided)


@hostile(15)
def test_membership_decide(db, data, staff_user, requested_membership):
    posted = data.draw(
        form_data(
            valid={"accept": st.sampled_from(["yes", "no"])},
            hostile={"accept": hostile_choice("yes", "no")},
        )
    )

    def decided(response, client):
        requested_membership.refresh_from_db()
        expected = MembershipStatus.ACTIVE if last(posted, "accept") == "yes" else "refused"
        assert requested_membership.status == expected

    url = reverse("partners:membership-decide", args=[requested_membership.pk])
    check_form(data, url, posted, staff_user, watch=[requested_membership], accepted=decided)


# --- The second factor ---------------------------------------------------------------------


def _password_only(client):
    """The session as it is after the password, before the second factor."""
    session = client.session
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session.pop(two_factor.GIVEN_AT, None)
    session.save()


@hostile(20)
def test_second_factor(db, data, staff_user):
    device = app_of(staff_user)
    code = code_for(device)
    posted = data.draw(
        form_data(
            valid={"code": st.sampled_from([code, f" {code[:3]} {code[3:]} "]), "next": "/"},
            hostile={"code": st.one_of(hostile_text(), st.text("0123456789", max_size=12))},
        )
    )

    def verified(response, client):
        assert response["Location"] == "/"
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

    # A wrong code writes django-axes' attempt rows (counted as a wrong password is) and
    # the device's own count of failures.
    check_form(
        data,
        reverse("partners:two-factor"),
        posted,
        staff_user,
        watch=[staff_user],
        ignore_tables=SIGN_IN_TABLES,
        accepted=verified,
        prepare=_password_only,
    )


@hostile(20)
def test_app_setup(db, data, provider):
    device = two_factor.enrolment_device(provider)
    code = code_now(device)
    posted = data.draw(
        form_data(
            valid={"code": code},
            hostile={"code": st.one_of(hostile_text(), st.text("0123456789", max_size=12))},
        )
    )

    def set_up(response, client):
        assert response["Location"] == reverse("partners:two-factor-recovery-codes")
        assert TOTPDevice.objects.get(pk=device.pk).confirmed is True
        assert two_factor.recovery_codes_left(provider) == 10

    check_form(
        data,
        reverse("partners:two-factor-setup"),
        posted,
        provider,
        watch=[provider],
        ignore_tables=SIGN_IN_TABLES,
        accepted=set_up,
    )


@hostile(20)
def test_account_close(db, data, provider):
    posted = data.draw(
        form_data(
            valid={"password": PASSWORD, "understood": "on"},
            hostile={"password": hostile_text(), "understood": hostile_text()},
        )
    )

    def closed(response, client):
        assert response["Location"] == reverse("partners:account-closed")
        person = User.objects.get(pk=provider.pk)
        assert (person.email, person.is_active) == (f"closed-{person.pk}@closed.invalid", False)

    # A wrong password is counted as a wrong sign-in is (django-axes' rows, the audit line).
    check_form(
        data,
        reverse("partners:account-close"),
        posted,
        provider,
        watch=[provider],
        ignore_tables=SIGN_IN_TABLES,
        accepted=closed,
    )
