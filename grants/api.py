"""The public API's funding rounds (every round once it is no longer a draft: open and
past) and grants (the grants register: each award once accepted and its decision
published). A round is known by its slug and a grant by its reference (VPF24-A-0001),
neither of which changes. Only organisations are named, never people."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import Area, StrategicPriority
from svd_portal.api import LinkField, LocalDateField, PublicViewSet, day_range, documented

from . import opendata, selectors
from .enums import CapCategory, RoundStages, RoundStatus
from .models import AssessmentCriterion, Award, AwardCap, FundingRound

PUBLIC_ROUND_STATUSES = [(value, label) for value, label in RoundStatus.choices if value != "draft"]


# --- Funding rounds ----------------------------------------------------------------------


class RoundFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PUBLIC_ROUND_STATUSES)
    opens_after, opens_before = day_range("opens_at__date", "Opens")
    closes_after, closes_before = day_range("closes_at__date", "Closes")

    class Meta:
        model = FundingRound
        fields = ["status", "opens_after", "opens_before", "closes_after", "closes_before"]


class RoundSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=PUBLIC_ROUND_STATUSES)
    stages = serializers.ChoiceField(choices=RoundStages.choices)
    closed_early_on = serializers.SerializerMethodField()
    url = LinkField("grants:round-detail", attribute="slug")
    api_url = LinkField("api:round-detail", attribute="slug")

    class Meta:
        model = FundingRound
        fields = [
            "slug",
            "reference_prefix",
            "fund_name",
            "title",
            "status",
            "stages",
            "budget",
            "opens_at",
            "closes_at",
            "full_stage_closes_at",
            "closed_early_on",
            "delivery_starts_on",
            "delivery_ends_on",
            "url",
            "api_url",
        ]

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_closed_early_on(self, funding_round):
        """The day OPCC staff closed the round before its closing time, if they did."""
        closing = funding_round.early_close
        return None if closing is None else LocalDateField().to_representation(closing.changed_at)


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicPriority
        fields = ["number", "theme", "title"]


class CapSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=CapCategory.choices)

    class Meta:
        model = AwardCap
        fields = ["category", "minimum", "maximum"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentCriterion
        fields = ["number", "title", "guidance", "weight", "scale_max"]


class RoundDetailSerializer(RoundSerializer):
    priorities = PrioritySerializer(many=True, read_only=True)
    caps = CapSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = RoundSerializer.Meta.fields + [
            "description",
            "eligibility",
            "how_to_apply",
            "priorities",
            "caps",
            "criteria",
        ]


@documented
class RoundViewSet(PublicViewSet):
    """Funding rounds, open and past (never a draft), the latest to open first."""

    serializer_class = RoundSerializer
    detail_serializer_class = RoundDetailSerializer
    filterset_class = RoundFilter
    not_found = "No funding round open or past has this address"
    lookup_field = "slug"
    lookup_url_kwarg = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return selectors.rounds_public(in_full=self.action == "retrieve")


# --- Grants ------------------------------------------------------------------------------


class GrantFilter(django_filters.FilterSet):
    awarded_after, awarded_before = day_range("created_at__date", "Awarded")
    round = django_filters.CharFilter(field_name="round__slug", label="The funding round's slug")
    decision = django_filters.CharFilter(
        field_name="decision_reference", label="The reference of the decision that made it"
    )

    class Meta:
        model = Award
        fields = ["awarded_after", "awarded_before", "round", "decision"]


class RecipientSerializer(serializers.Serializer):
    name = serializers.CharField()
    org_id = serializers.SerializerMethodField(
        help_text="GB-CHC- (a charity), GB-COH- (a company) or the portal's own identifier"
    )
    charity_number = serializers.CharField()
    company_number = serializers.CharField()

    def get_org_id(self, organisation) -> str:
        return opendata.organisation_id(organisation)


class GrantSerializer(serializers.ModelSerializer):
    id_360giving = serializers.SerializerMethodField(
        help_text="The grant's identifier in the 360Giving open data"
    )
    recipient = RecipientSerializer(source="organisation", read_only=True)
    paid_to_date = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    awarded_on = LocalDateField(source="created_at")
    decision = serializers.CharField(source="decision_reference")
    round = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = LinkField("grants:award-detail", help_text="The grant's page on the register")
    decision_url = LinkField("decisions:detail", attribute="decision_reference")
    api_url = LinkField("api:grant-detail")

    class Meta:
        model = Award
        fields = [
            "reference",
            "id_360giving",
            "title",
            "recipient",
            "amount",
            "paid_to_date",
            "awarded_on",
            "delivery_starts_on",
            "delivery_ends_on",
            "decision",
            "round",
            "url",
            "decision_url",
            "api_url",
        ]

    def get_id_360giving(self, award) -> str:
        return opendata.grant_id(award)


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["name", "geo_code", "geo_code_type"]


class GrantDetailSerializer(GrantSerializer):
    purpose = serializers.SerializerMethodField()
    accepted_on = serializers.SerializerMethodField()
    priorities = PrioritySerializer(source="application.priorities", many=True, read_only=True)
    areas = AreaSerializer(many=True, read_only=True)

    class Meta(GrantSerializer.Meta):
        fields = GrantSerializer.Meta.fields + [
            "purpose",
            "conditions",
            "rationale",
            "accepted_on",
            "priorities",
            "areas",
        ]
        extra_kwargs = {
            "rationale": {"help_text": "Why it is expected to reduce crime and disorder"}
        }

    def get_purpose(self, award) -> str:
        return award.application.summary or award.title

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_accepted_on(self, award):
        return (
            None
            if award.accepted_at is None
            else LocalDateField().to_representation(award.accepted_at)
        )


@documented
class GrantViewSet(PublicViewSet):
    """The grants register: every grant once its holder accepted it and the decision that
    made it is published, the newest first."""

    serializer_class = GrantSerializer
    detail_serializer_class = GrantDetailSerializer
    filterset_class = GrantFilter
    not_found = "No grant on the register has this reference"

    def get_queryset(self):
        grants = selectors.register_awards()
        if self.action != "retrieve":
            return grants
        return grants.select_related("application").prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("name")),
            Prefetch(
                "application__priorities", queryset=StrategicPriority.objects.order_by("number")
            ),
        )
