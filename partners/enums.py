from django.db import models


class Role(models.TextChoices):
    """The roles people hold in the portal; each is a Django group of the same name."""

    OPCC_STAFF = "OPCC staff"
    CHIEF_EXECUTIVE = "Chief Executive"
    PCC = "PCC"
    PANEL_MEMBER = "Panel member"
    PROVIDER = "Provider"


class OrganisationKind(models.TextChoices):
    OPCC = "opcc", "Office of the Police and Crime Commissioner"
    # Specified authorities under the Serious Violence Duty.
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation service"
    YOUTH_JUSTICE = "youth_justice", "Youth justice / youth offending team"
    FIRE_RESCUE = "fire_rescue", "Fire and rescue authority"
    INTEGRATED_CARE_BOARD = "icb", "Integrated care board"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    # Relevant authorities.
    EDUCATIONAL = "educational", "Educational authority"
    PRISON = "prison", "Prison authority"
    YOUTH_CUSTODY = "youth_custody", "Youth custody authority"
    # Providers.
    REGISTERED_CHARITY = "registered_charity", "Registered charity"
    CIO = "cio", "Charitable incorporated organisation (CIO)"
    CIC = "cic", "Community interest company (CIC)"
    COMPANY = "company", "Company"
    COMMUNITY_GROUP = "community_group", "Unregistered community group"
    OTHER = "other", "Other organisation"


SPECIFIED_AUTHORITY_KINDS = frozenset(
    {
        OrganisationKind.POLICE,
        OrganisationKind.PROBATION,
        OrganisationKind.YOUTH_JUSTICE,
        OrganisationKind.FIRE_RESCUE,
        OrganisationKind.INTEGRATED_CARE_BOARD,
        OrganisationKind.LOCAL_AUTHORITY,
    }
)
RELEVANT_AUTHORITY_KINDS = frozenset(
    {OrganisationKind.EDUCATIONAL, OrganisationKind.PRISON, OrganisationKind.YOUTH_CUSTODY}
)
PROVIDER_KINDS = frozenset(
    {
        OrganisationKind.REGISTERED_CHARITY,
        OrganisationKind.CIO,
        OrganisationKind.CIC,
        OrganisationKind.COMPANY,
        OrganisationKind.COMMUNITY_GROUP,
        OrganisationKind.OTHER,
    }
)
# Kinds that must carry a registration number, and which one. These are the
# "registered organisations" of a funding round's caps (e.g. £40,000 rather than £5,000).
CHARITY_NUMBER_KINDS = frozenset({OrganisationKind.REGISTERED_CHARITY, OrganisationKind.CIO})
COMPANY_NUMBER_KINDS = frozenset({OrganisationKind.CIC, OrganisationKind.COMPANY})
REGISTERED_KINDS = CHARITY_NUMBER_KINDS | COMPANY_NUMBER_KINDS


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Not verified"


class MembershipStatus(models.TextChoices):
    REQUESTED = "requested", "Asked to join"
    ACTIVE = "active", "Member"
    REFUSED = "refused", "Request refused"


class PartnershipRole(models.TextChoices):
    SPECIFIED = "specified", "Specified authority"
    RELEVANT = "relevant", "Relevant authority"
    OTHER = "other", "Other partner"


class GeoCodeType(models.TextChoices):
    """The kinds of area of the 360Giving standard's geoCodeType codelist that a
    partnership's local areas are: ONS codes of each."""

    UNITARY_AUTHORITY = "UA", "Unitary authority"
    NON_METROPOLITAN_DISTRICT = "NMD", "Non-metropolitan district"
    COUNTY = "CTY", "County"
    COMMUNITY_SAFETY_PARTNERSHIP = "CSP", "Community safety partnership"
    POLICE_FORCE_AREA = "PFA", "Police force area"
    WARD = "WD", "Electoral ward or division"
