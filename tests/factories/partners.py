import datetime

import factory
from django.contrib.auth.models import Group

from partners.enums import MembershipStatus, OrganisationKind, VerificationStatus
from partners.models import Membership, Organisation, Partnership, StrategicPriority, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[Role.OPCC_STAFF]) puts the person in those groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Group {n}")
    kind = OrganisationKind.COMMUNITY_GROUP
    address_line_1 = "1 Market Place"
    town = "Durham"
    postcode = "DH1 3NJ"
    verification_status = VerificationStatus.VERIFIED

    class Params:
        charity = factory.Trait(
            kind=OrganisationKind.REGISTERED_CHARITY,
            charity_number=factory.Sequence(lambda n: str(1100000 + n)),
        )
        company = factory.Trait(
            kind=OrganisationKind.COMPANY,
            company_number=factory.Sequence(lambda n: f"{10000000 + n:08d}"),
        )
        pending = factory.Trait(verification_status=VerificationStatus.PENDING)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = MembershipStatus.ACTIVE


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Serious Violence Partnership {n}")
    area = "County Durham and Darlington"
    convener = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.OPCC)


class StrategicPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicPriority

    partnership = factory.SubFactory(PartnershipFactory)
    theme = "Prevention and Early Intervention"
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}")
    valid_from = datetime.date(2024, 1, 1)


def member_of_new_organisation(organisation_name: str, **user_fields) -> User:
    """A person (UserFactory's fields: email, roles…) who is an active member of a new
    verified organisation of that name."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=OrganisationFactory(name=organisation_name))
    return user
