"""Demo data for partners, from the public source documents (see shared/domain).

Every function is idempotent: it finds rows by their natural key and creates only
what is missing, so a second run changes nothing (passwords included).
"""

import datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from . import two_factor
from .enums import (
    GeoCodeType,
    MembershipStatus,
    OrganisationKind,
    PartnershipRole,
    Role,
    VerificationStatus,
)
from .models import (
    Area,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    StrategicPriority,
    User,
)

OPCC_NAME = "Office of the Police and Crime Commissioner for County Durham and Darlington"

# (name, kind, partnership role)
PARTNERS = [
    ("Durham Constabulary", OrganisationKind.POLICE, PartnershipRole.SPECIFIED),
    ("Durham County Council", OrganisationKind.LOCAL_AUTHORITY, PartnershipRole.SPECIFIED),
    ("Darlington Borough Council", OrganisationKind.LOCAL_AUTHORITY, PartnershipRole.SPECIFIED),
    ("County Durham Public Health", OrganisationKind.LOCAL_AUTHORITY, PartnershipRole.SPECIFIED),
    ("Probation Service North East", OrganisationKind.PROBATION, PartnershipRole.SPECIFIED),
    (
        "County Durham Youth Justice Service",
        OrganisationKind.YOUTH_JUSTICE,
        PartnershipRole.SPECIFIED,
    ),
    ("Darlington Youth Justice Service", OrganisationKind.YOUTH_JUSTICE, PartnershipRole.SPECIFIED),
    (
        "County Durham and Darlington Fire and Rescue Service",
        OrganisationKind.FIRE_RESCUE,
        PartnershipRole.SPECIFIED,
    ),
    (
        "North East and North Cumbria Integrated Care Board",
        OrganisationKind.INTEGRATED_CARE_BOARD,
        PartnershipRole.SPECIFIED,
    ),
    (
        "HM Prison and Probation Service (North East prisons)",
        OrganisationKind.PRISON,
        PartnershipRole.RELEVANT,
    ),
    ("Durham Schools Partnership", OrganisationKind.EDUCATIONAL, PartnershipRole.RELEVANT),
]

# (name, kind, charity number, company number, town)
PROVIDERS = [
    (
        "Darlington Youth Mentoring Trust",
        OrganisationKind.REGISTERED_CHARITY,
        "1123456",
        "",
        "Darlington",
    ),
    ("Bishop Auckland Boxing Club", OrganisationKind.COMMUNITY_GROUP, "", "", "Bishop Auckland"),
    ("Safer Nights North East CIC", OrganisationKind.CIC, "", "12345678", "Durham"),
    ("Wear Valley Families CIO", OrganisationKind.CIO, "1187654", "", "Crook"),
    ("Seaham Street Sport", OrganisationKind.COMMUNITY_GROUP, "", "", "Seaham"),
]

# Source 003: the four strategic priorities in two themes, signed off until April 2026.
PRIORITIES = [
    (
        "Prevention and Early Intervention",
        1,
        "Support for those aged 18 and under involved or at risk of being drawn into "
        "serious violence",
    ),
    (
        "Prevention and Early Intervention",
        2,
        "Reduce alcohol-related violence in the night-time economy",
    ),
    (
        "Criminal Justice and Enforcement",
        3,
        "Support for those aged 18 to 35 already involved in serious violence, "
        "with a focus on males",
    ),
    (
        "Criminal Justice and Enforcement",
        4,
        "Reduce domestic abuse related violence with a knife or sharp instrument "
        "(repeat domestic abuse perpetrators and victims)",
    ),
]

LOCAL_DEFINITION = (
    "Serious violence is violence that causes or risks serious harm in public places, "
    "including homicide, violence with injury, knife and weapon-enabled crime and robbery, "
    "and, in this partnership, serious violence within the context of domestic abuse and "
    "sexual violence."
)

# (email, full name, roles, organisation name)
ACCOUNTS = [
    ("staff@demo.example", "Priya Shah", [Role.OPCC_STAFF], OPCC_NAME),
    # A second officer: a payment one raises, the other approves.
    ("staff2@demo.example", "Tom Fairley", [Role.OPCC_STAFF], OPCC_NAME),
    ("ceo@demo.example", "Helen Carter", [Role.CHIEF_EXECUTIVE], OPCC_NAME),
    ("pcc@demo.example", "Morgan Reid", [Role.PCC], OPCC_NAME),
    ("panel1@demo.example", "Daniel Okafor", [Role.PANEL_MEMBER], "Durham Constabulary"),
    ("panel2@demo.example", "Ruth Ellison", [Role.PANEL_MEMBER], "Durham County Council"),
    ("panel3@demo.example", "Amira Haddad", [Role.PANEL_MEMBER], "County Durham Public Health"),
    ("panel4@demo.example", "Gareth Lowe", [Role.PANEL_MEMBER], "Probation Service North East"),
    (
        "panel5@demo.example",
        "Sophie Marsh",
        [Role.PANEL_MEMBER],
        "County Durham Youth Justice Service",
    ),
    ("provider@demo.example", "Chris Bell", [Role.PROVIDER], "Darlington Youth Mentoring Trust"),
    ("provider2@demo.example", "Jo Hartley", [Role.PROVIDER], "Bishop Auckland Boxing Club"),
]


def _organisation(name, kind, *, charity_number="", company_number="", town="", verified_by=None):
    organisation, created = Organisation.objects.get_or_create(
        name=name,
        defaults={
            "kind": kind,
            "charity_number": charity_number,
            "company_number": company_number,
            "town": town,
            "address_line_1": "1 High Street" if town else "",
            "postcode": "DL1 1AA" if town else "",
            "verification_status": VerificationStatus.VERIFIED,
            "verified_at": timezone.now(),
            "verified_by": verified_by,
        },
    )
    return organisation


# The partnership's two unitary authorities, with their ONS codes.
AREAS = [
    ("County Durham", "E06000047", GeoCodeType.UNITARY_AUTHORITY),
    ("Darlington", "E06000005", GeoCodeType.UNITARY_AUTHORITY),
]


def second_factor_keys() -> list[tuple[str, str]]:
    """(email, key) of each staff-side demo account that has not set up its app yet: the
    key its set-up page shows at the first sign-in, to add to an authenticator app first."""
    keys = []
    for email, _, _, _ in ACCOUNTS:
        user = User.objects.get(email=email)
        if two_factor.staff_side(user) and two_factor.app_device(user) is None:
            keys.append((email, two_factor.secret(two_factor.enrolment_device(user))))
    return keys


def seed(*, password: str) -> Partnership:
    """Creates the partnership, its members, priorities, providers and the demo accounts."""
    opcc = _organisation(OPCC_NAME, OrganisationKind.OPCC)
    partnership, _ = Partnership.objects.get_or_create(
        name="County Durham and Darlington Serious Violence Duty Partnership",
        defaults={
            "area": "County Durham and Darlington (the police and fire service area)",
            "convener": opcc,
            "local_definition": LOCAL_DEFINITION,
            "needs_assessment_completed_on": datetime.date(2023, 4, 30),
            "needs_assessment_refresh_due": datetime.date(2024, 6, 30),
            "strategy_published_on": datetime.date(2024, 1, 31),
            "strategy_review_due": datetime.date(2025, 1, 31),
        },
    )
    for name, kind, role in PARTNERS:
        organisation = _organisation(name, kind)
        PartnershipMember.objects.get_or_create(
            partnership=partnership, organisation=organisation, defaults={"role": role}
        )
    for theme, number, title in PRIORITIES:
        StrategicPriority.objects.get_or_create(
            partnership=partnership,
            number=number,
            valid_from=datetime.date(2024, 1, 1),
            defaults={"theme": theme, "title": title, "valid_to": datetime.date(2026, 4, 30)},
        )

    for name, code, kind in AREAS:
        Area.objects.get_or_create(
            partnership=partnership,
            name=name,
            defaults={"geo_code": code, "geo_code_type": kind},
        )

    users = {}
    for email, full_name, roles, _ in ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, full_name=full_name)
        user.groups.add(*Group.objects.filter(name__in=roles))
        users[email] = user

    staff = users["staff@demo.example"]
    for name, kind, charity_number, company_number, town in PROVIDERS:
        _organisation(
            name,
            kind,
            charity_number=charity_number,
            company_number=company_number,
            town=town,
            verified_by=staff,
        )
    for user in users.values():
        if two_factor.staff_side(user) and two_factor.app_device(user) is None:
            two_factor.enrolment_device(user)  # its secret printed by seed_demo
    for email, _, _, organisation_name in ACCOUNTS:
        Membership.objects.get_or_create(
            user=users[email],
            organisation=Organisation.objects.get(name=organisation_name),
            defaults={
                "status": MembershipStatus.ACTIVE,
                "decided_at": timezone.now(),
                "decided_by": staff,
            },
        )
    return partnership
