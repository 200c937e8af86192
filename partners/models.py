from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from svd_portal.workflow import StatusChange

from . import validators
from .enums import (
    CHARITY_NUMBER_KINDS,
    COMPANY_NUMBER_KINDS,
    PROVIDER_KINDS,
    REGISTERED_KINDS,
    RELEVANT_AUTHORITY_KINDS,
    SPECIFIED_AUTHORITY_KINDS,
    GeoCodeType,
    MembershipStatus,
    OrganisationKind,
    PartnershipRole,
    VerificationStatus,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Sign-in is case-insensitive: people type their address as they like.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=email.strip().lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address. Roles are groups (see enums.Role)."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    # is_staff only opens the admin to superusers made by createsuperuser; OPCC
    # staff reach the admin through their role (svd_portal.admin.PortalAdminSite).
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to end every session of the person's at once ("sign out of all other
    # sessions", a second factor reset): it is part of each session's check.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # When the account was closed (anonymised: partners/closing.py).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        """Django's check that a session still belongs to this password, and here to this
        session epoch as well (sessions from before the first raise stay valid)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "partners.User.session",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    charity_number = models.CharField(
        max_length=7, blank=True, validators=[validators.validate_charity_number]
    )
    company_number = models.CharField(
        max_length=8, blank=True, validators=[validators.validate_company_number]
    )
    address_line_1 = models.CharField("address line 1", max_length=200, blank=True)
    address_line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    email = models.EmailField("contact email", blank=True)
    website = models.URLField(blank=True)
    verification_status = models.CharField(
        max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        through_fields=("organisation", "user"),
        related_name="organisations",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["charity_number"],
                condition=~models.Q(charity_number=""),
                name="organisation_charity_number_unique",
            ),
            models.UniqueConstraint(
                fields=["company_number"],
                condition=~models.Q(company_number=""),
                name="organisation_company_number_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(CHARITY_NUMBER_KINDS))
                | ~models.Q(charity_number=""),
                name="organisation_charity_kinds_have_number",
                violation_error_message="A registered charity or CIO needs its charity number",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind__in=sorted(COMPANY_NUMBER_KINDS))
                | ~models.Q(company_number=""),
                name="organisation_company_kinds_have_number",
                violation_error_message="A company or CIC needs its company number",
            ),
        ]
        indexes = [models.Index(fields=["verification_status", "name"])]

    def __str__(self):
        return self.name

    @property
    def org_id(self) -> str:
        return validators.org_id(
            charity_number=self.charity_number, company_number=self.company_number
        )

    @property
    def is_registered(self) -> bool:
        """A registered charity, CIO, CIC or company: the higher award cap applies."""
        return self.kind in REGISTERED_KINDS

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def is_provider(self) -> bool:
        return self.kind in PROVIDER_KINDS

    @property
    def category(self) -> str:
        if self.kind in SPECIFIED_AUTHORITY_KINDS:
            return "Specified authority"
        if self.kind in RELEVANT_AUTHORITY_KINDS:
            return "Relevant authority"
        if self.kind == OrganisationKind.OPCC:
            return "OPCC"
        return "Registered provider" if self.is_registered else "Unregistered provider"

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)


class OrganisationStatusChange(StatusChange):
    """One verification move: who, when, from, to and why."""

    subject, status_field = "organisation", "verification_status"
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="status_changes"
    )


class Membership(models.Model):
    """A person's place in an organisation: requested, then active once accepted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # May accept grant agreements for the organisation: OPCC staff say who, from the
    # organisation's own authority (its trustees' minute, say).
    is_signatory = models.BooleanField("authorised signatory", default=False)

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_user_organisation_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.organisation} ({self.get_status_display()})"


class Partnership(models.Model):
    """The local Serious Violence Duty partnership convened by the PCC."""

    name = models.CharField(max_length=200)
    area = models.CharField(max_length=200)
    convener = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_partnerships",
        limit_choices_to={"kind": OrganisationKind.OPCC},
        help_text="The OPCC that convenes the partnership",
    )
    local_definition = models.TextField("local definition of serious violence", blank=True)
    needs_assessment_completed_on = models.DateField(
        "strategic needs assessment completed", null=True, blank=True
    )
    needs_assessment_refresh_due = models.DateField(
        "strategic needs assessment refresh due", null=True, blank=True
    )
    strategy_published_on = models.DateField("local strategy published", null=True, blank=True)
    strategy_review_due = models.DateField("local strategy review due", null=True, blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="PartnershipMember", related_name="partnerships"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnershipMember(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnership_memberships"
    )
    role = models.CharField(max_length=16, choices=PartnershipRole.choices)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="partnership_member_unique"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class StrategicPriority(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="priorities"
    )
    theme = models.CharField(max_length=100, help_text="e.g. Prevention and Early Intervention")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "number"]
        verbose_name_plural = "strategic priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "number", "valid_from"], name="priority_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="priority_valid_to_after_from",
                violation_error_message="A priority cannot end before it starts",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class SuccessMeasure(models.Model):
    """An outcome the partnership monitors: the Home Office's three, plus local ones."""

    code = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    is_home_office = models.BooleanField("Home Office measure", default=False)
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="local_measures",
        help_text="Empty for the national Home Office measures",
    )

    class Meta:
        ordering = ["-is_home_office", "title"]

    def __str__(self):
        return self.title


class Area(models.Model):
    """A local area of the partnership that grants are delivered in, with its ONS code,
    for the grants register's filter and the 360Giving data's beneficiary location."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=200)
    geo_code = models.CharField(
        "ONS code",
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^[EWSN]\d{8}$", "An ONS code is a letter and eight digits")],
    )
    geo_code_type = models.CharField(
        "kind of area", max_length=4, choices=GeoCodeType.choices, blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="area_name_unique"),
            models.CheckConstraint(
                condition=models.Q(geo_code="") | ~models.Q(geo_code_type=""),
                name="area_code_has_its_kind",
            ),
        ]

    def __str__(self):
        return self.name
