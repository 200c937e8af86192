"""Every write to partners data. Each function validates before it saves."""

import logging
from datetime import timedelta
from urllib.parse import urljoin

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from svd_portal.formatting import duration
from svd_portal.history import attributed
from svd_portal.links import absolute_url
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Moved, Workflow, move

from .enums import (
    CHARITY_NUMBER_KINDS,
    COMPANY_NUMBER_KINDS,
    PROVIDER_KINDS,
    MembershipStatus,
    OrganisationKind,
    Role,
    VerificationStatus,
)
from .models import Membership, Organisation, OrganisationStatusChange, User
from .selectors import sign_up_tokens
from .validators import normalise_charity_number, normalise_company_number

logger = logging.getLogger(__name__)

# The verification workflow: which moves staff may make from each status.
VERIFICATION_MOVES = {
    VerificationStatus.PENDING: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.VERIFIED: {VerificationStatus.REJECTED},
    VerificationStatus.REJECTED: {VerificationStatus.VERIFIED},
}
VERIFICATION = Workflow(
    Organisation,
    VERIFICATION_MOVES,
    noun="An organisation",
    log=OrganisationStatusChange,
    field="verification_status",
)
# A request to join is decided once.
MEMBERSHIP = Workflow(
    Membership,
    {
        MembershipStatus.REQUESTED: {MembershipStatus.ACTIVE, MembershipStatus.REFUSED},
        MembershipStatus.ACTIVE: set(),
        MembershipStatus.REFUSED: set(),
    },
    noun="A request to join",
    refusal="This request has already been decided",
)


def user_grant_role(*, user: User, role: Role) -> None:
    """Adds the person to the role's group (created by migration 0002). Idempotent."""
    user.groups.add(Group.objects.get(name=role))


@transaction.atomic
def user_sign_up(*, email: str, full_name: str, password: str, base_url: str) -> None:
    """Takes a sign-up without saying whether the address already has an account.

    Whatever happens, the one email that follows goes to the address itself: for a new
    address, an account with the Provider role that stays inactive until the emailed link
    is followed (so the address is proven theirs, and signing in first tells nothing); for an
    address with an account, a note to sign in or reset the password, and no change to the
    account. An account still waiting for its link takes the latest details and a new link,
    so whoever signed up first cannot keep a password the owner does not know. The password
    has already passed the validators in the form. Returns nothing, so no caller can answer
    differently.
    """
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        try:
            # A savepoint: two sign-ups for a new address at once meet the unique
            # constraint, and the second is told to sign in like any existing address.
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, full_name=full_name.strip(), is_active=False
                )
        except IntegrityError:
            user = User.objects.get(email__iexact=email)
        else:
            user_grant_role(user=user, role=Role.PROVIDER)
            _queue_sign_up_email(user=user, base_url=base_url)
            return
    if _awaiting_confirmation(user):
        user.full_name = full_name.strip()
        user.set_password(password)
        user.save(update_fields=["full_name", "password"])
        _queue_sign_up_email(user=user, base_url=base_url)
        return
    # Hash the password all the same: a reply that came back sooner would tell.
    make_password(password)
    context = {
        "user": user,
        "login_url": urljoin(base_url, reverse("login")),
        "reset_url": urljoin(base_url, reverse("password_reset")),
    }
    transaction.on_commit(
        lambda: _send_account_email(
            to=user.email,
            subject="You already have an account",
            template="partners/email/signup_existing.txt",
            context=context,
        )
    )


def _awaiting_confirmation(user: User) -> bool:
    """Signed up and never confirmed: not active, never signed in, a provider and nothing
    else (an account staff closed, or an OPCC one, is not reopened by signing up)."""
    return (
        not user.is_active
        and user.last_login is None
        and not user.groups.exclude(name=Role.PROVIDER).exists()
        and not user.is_staff
        and not user.is_superuser
    )


def _queue_sign_up_email(*, user: User, base_url: str) -> None:
    link = reverse(
        "partners:signup-confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), sign_up_tokens.make_token(user)],
    )
    context = {
        "user": user,
        "confirm_url": urljoin(base_url, link),
        "valid_for": duration(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)),
    }
    transaction.on_commit(
        lambda: _send_account_email(
            to=user.email,
            subject="Confirm your email address",
            template="partners/email/signup_confirm.txt",
            context=context,
        )
    )


@attributed(actor="user")
@transaction.atomic
def user_sign_up_confirm(*, user: User) -> User:
    """Finishes a sign-up from the emailed link (already checked): the account becomes active.

    Refuses an account that is no longer waiting (a link followed twice at once).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not _awaiting_confirmation(user):
        raise ValidationError("This link has expired or has already been used")
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def _send_account_email(*, to: str, subject: str, template: str, context: dict) -> None:
    """Sends one email about a person's account now; a mail server failure is logged, not raised,
    as Django's password reset does, so the page answers the same either way."""
    context = {
        "service_name": settings.PORTAL_SERVICE_NAME,
        "organisation_name": settings.PORTAL_ORGANISATION_NAME,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
        **context,
    }
    try:
        send_mail(subject, render_to_string(template, context), None, [to])
    except Exception:  # noqa: BLE001 (any mail failure: the page must not tell it apart)
        logger.exception("Could not send %r to an account holder", subject)


def user_lockout_notify(*, email: str, limit: int, confirming: bool, base_url: str) -> bool:
    """Tells an account's holder that wrong passwords have paused signing in (or confirming an
    act with their password). Queued once, by the wrong password that locked the account.

    Nothing is sent for an address with no active account; the lockout page is the same.
    Returns whether an email was sent.
    """
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return False
    cool_off = settings.AXES_COOLOFF_TIME
    _send_account_email(
        to=user.email,
        subject=(
            "Confirming with your password is paused"
            if confirming
            else "Signing in to your account is paused"
        ),
        template="partners/email/account_locked.txt",
        context={
            "user": user,
            "limit": limit,
            "confirming": confirming,
            "cool_off": duration(cool_off) if cool_off else "",
            "reset_url": urljoin(base_url, reverse("password_reset")),
        },
    )
    return True


def user_sign_in_unlock(*, user: User, by: User) -> int:
    """Clears the wrong-password counts for a person's email address, from every IP address,
    so that a locked account (or signature) can be used again at once.

    Staff may unlock the people they may change (partners.change_user); the OPCC's own
    accounts are for a superuser, since each unlock lets guessing start again. Returns the
    number of attempt records cleared.
    """
    if not by.has_perm("partners.change_user", user):
        raise PermissionDenied("Only a superuser may unlock this account")
    return axes_reset(username=user.email.strip().lower())


def _clean_numbers(*, kind: str, charity_number: str, company_number: str) -> tuple[str, str]:
    charity_number = normalise_charity_number(charity_number)
    company_number = normalise_company_number(company_number)
    errors = {}
    if kind in CHARITY_NUMBER_KINDS and not charity_number:
        errors["charity_number"] = "Enter the charity number of a registered charity or CIO"
    if kind in COMPANY_NUMBER_KINDS and not company_number:
        errors["company_number"] = "Enter the company number of a company or CIC"
    if kind == OrganisationKind.COMMUNITY_GROUP and (charity_number or company_number):
        errors["kind"] = (
            "An organisation with a charity or company number is registered: "
            "choose its registered kind"
        )
    already = "An organisation with this {} number is already registered: ask to join it instead"
    if charity_number and Organisation.objects.filter(charity_number=charity_number).exists():
        errors["charity_number"] = already.format("charity")
    if company_number and Organisation.objects.filter(company_number=company_number).exists():
        errors["company_number"] = already.format("company")
    if errors:
        raise ValidationError(errors)
    return charity_number, company_number


@attributed(actor="user")
@transaction.atomic
def organisation_register(
    *,
    user: User,
    name: str,
    kind: str,
    charity_number: str = "",
    company_number: str = "",
    **details,
) -> Organisation:
    """Registers a provider organisation, waiting for verification, with the person as its member.

    Refuses a kind that is not a provider kind, numbers that do not fit the kind,
    and a charity or company number that is already registered.
    """
    if kind not in PROVIDER_KINDS:
        raise ValidationError({"kind": "Choose the kind of organisation you are registering"})
    charity_number, company_number = _clean_numbers(
        kind=kind, charity_number=charity_number, company_number=company_number
    )
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        charity_number=charity_number,
        company_number=company_number,
        created_by=user,
        **details,
    )
    organisation.full_clean()
    try:
        # A savepoint: two people registering the same number at once meet the unique
        # constraint, and the loser gets the same message as the duplicate check above.
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise ValidationError(
            "An organisation with this charity or company number is already registered: "
            "ask to join it instead"
        ) from exc
    Membership.objects.create(
        user=user,
        organisation=organisation,
        status=MembershipStatus.ACTIVE,
        decided_at=timezone.now(),
        decided_by=user,
    )
    user_grant_role(user=user, role=Role.PROVIDER)
    return organisation


@attributed(actor="user")
@transaction.atomic
def membership_request(*, user: User, organisation: Organisation) -> Membership:
    """Asks to join an organisation; OPCC staff decide. Refuses a second request."""
    if organisation.verification_status == VerificationStatus.REJECTED:
        raise ValidationError("This organisation cannot take new members")
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation)
    if not created:
        raise ValidationError(
            f"You have already asked to join {organisation.name} "
            f"({membership.get_status_display().lower()})"
        )
    user_grant_role(user=user, role=Role.PROVIDER)
    return membership


@attributed
def membership_decide(*, membership: Membership, accept: bool, by: User) -> Membership:
    """Accepts or refuses a request to join. Only a pending request can be decided."""
    return move(
        MEMBERSHIP,
        membership,
        MembershipStatus.ACTIVE if accept else MembershipStatus.REFUSED,
        by=by,
        guard=lambda locked: require_perm(
            by,
            "partners.decide_membership",
            locked,
            message="Only OPCC staff can decide a request to join",
        ),
        changes={"decided_at": timezone.now(), "decided_by": by},
    )


@attributed
@transaction.atomic
def membership_set_signatory(*, membership: Membership, is_signatory: bool, by: User) -> Membership:
    """OPCC staff mark a member as the organisation's authorised signatory for grant
    agreements (on the organisation's own authority: a trustees' minute, say), or unmark
    them. Only an active member can be one."""
    require_perm(
        by,
        "partners.decide_membership",
        membership,
        message="Only OPCC staff can say who signs for an organisation",
    )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if is_signatory and membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(
            f"{membership.user.full_name} is not an active member of "
            f"{membership.organisation.name}: accept their request first"
        )
    membership.is_signatory = is_signatory
    membership.save(update_fields=["is_signatory"])
    return membership


@attributed
def organisation_set_verification(
    *, organisation: Organisation, to_status: str, by: User, reason: str = ""
) -> Organisation:
    """Moves an organisation through verification and records who, when, from, to and why.

    A refusal needs a reason, so the applicant can be told why; the organisation's members
    are told either way once it is saved.
    """
    if to_status not in VerificationStatus.values:
        raise ValidationError({"to_status": "Choose verify or do not verify"})

    def guard(locked: Organisation) -> None:
        require_perm(
            by,
            "partners.verify_organisation",
            locked,
            message="Only OPCC staff can verify an organisation",
        )
        if to_status == VerificationStatus.REJECTED and not reason.strip():
            raise ValidationError({"reason": "Give the reason the organisation is not verified"})

    def then(moved: Moved) -> None:
        enqueue("partners.send_verification_email", status_change_id=moved.change.pk)

    verified = to_status == VerificationStatus.VERIFIED
    return move(
        VERIFICATION,
        organisation,
        to_status,
        by=by,
        reason=reason,
        guard=guard,
        changes={
            "verified_at": timezone.now() if verified else None,
            "verified_by": by if verified else None,
        },
        then=then,
    )


def organisation_verification_notify(*, status_change_id: int) -> int:
    """Tells an organisation's active members that OPCC staff verified it, or did not and
    why, with a link to their organisations page. Returns the number of people written to;
    0 when the change is gone or is no longer the organisation's latest (a later decision
    sends its own email)."""
    change = (
        OrganisationStatusChange.objects.select_related("organisation")
        .filter(pk=status_change_id)
        .first()
    )
    if change is None:
        return 0
    latest = change.organisation.status_changes.order_by("-changed_at", "-pk").first()
    if latest.pk != change.pk:
        return 0
    organisation = change.organisation
    recipients = sorted(
        organisation.memberships.filter(status=MembershipStatus.ACTIVE).values_list(
            "user__email", flat=True
        )
    )
    if not recipients:
        return 0
    verified = change.to_status == VerificationStatus.VERIFIED
    context = {
        "organisation": organisation,
        "verified": verified,
        "reason": change.reason,
        "url": absolute_url("partners:organisations-mine"),
        "service_name": settings.PORTAL_SERVICE_NAME,
        "organisation_name": settings.PORTAL_ORGANISATION_NAME,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
    }
    subject = (
        f"{organisation.name} is verified" if verified else f"{organisation.name} is not verified"
    )
    send_mail(
        subject,
        render_to_string("partners/email/organisation_verification.txt", context),
        None,
        recipients,
    )
    return len(recipients)
