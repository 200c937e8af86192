"""The public API's decision records: published records only, as the register shows them,
newest first. A record is known by its OPCC reference (DN50-24), which never changes."""

import django_filters
from django.db.models import Exists, OuterRef, Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grants import selectors as grant_selectors
from svd_portal.api import LinkField, PublicViewSet, day_range, documented
from svd_portal.links import absolute_url

from . import selectors
from .enums import DecisionStatus, DocumentStatus, Outcome
from .models import DecisionDocument, DecisionRecord
from .services import latest_ready_document


class DecisionFilter(django_filters.FilterSet):
    published_after, published_before = day_range("published_at__date", "Published")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    round = django_filters.CharFilter(
        field_name="funding_round__slug", label="The funding round's slug"
    )

    class Meta:
        model = DecisionRecord
        fields = ["published_after", "published_before", "outcome", "round"]


class DecisionSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    # Null for a record on no round, or one that corrects none: the schema says so.
    round = serializers.SlugRelatedField(
        source="funding_round", slug_field="slug", read_only=True, allow_null=True
    )
    corrects = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    url = LinkField("decisions:detail", help_text="The record's page on the register")
    pdf_url = LinkField(
        "decisions:pdf",
        when=lambda record: record.has_pdf,
        help_text="The signed PDF; null until the worker has made it",
    )
    api_url = LinkField("api:decision-detail")

    class Meta:
        model = DecisionRecord
        fields = [
            "reference",
            "title",
            "outcome",
            "published_at",
            "signed_on",
            "round",
            "corrects",
            "url",
            "pdf_url",
            "api_url",
        ]


class ScheduledAwardSerializer(serializers.Serializer):
    """A row of the schedule fixed before the signature. As on the record's page, a bid
    not recommended is named, never its money or conditions."""

    application = serializers.CharField(source="reference")
    title = serializers.CharField()
    organisation = serializers.CharField(source="organisation_name")
    recommended = serializers.BooleanField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    conditions = serializers.CharField()

    def to_representation(self, row):
        data = super().to_representation(row)
        if not row.recommended:
            data.update(amount=None, conditions="")
        return data


class DocumentSerializer(serializers.ModelSerializer):
    url = LinkField("decisions:pdf", attribute="record.reference")
    size = serializers.IntegerField(source="file.size", help_text="Bytes")

    class Meta:
        model = DecisionDocument
        fields = ["version", "url", "sha256", "certificate_fingerprint", "size"]


class GrantLinkSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    recipient = serializers.CharField(source="organisation.name")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    url = LinkField("grants:award-detail")
    api_url = LinkField("api:grant-detail")


class SectionBSerializer(serializers.Serializer):
    published = serializers.ChoiceField(
        choices=["full", "redacted", "none"],
        help_text="The full report; a redacted copy, the full one withheld; or none",
    )
    url = serializers.URLField(allow_null=True)


class DecisionDetailSerializer(DecisionSerializer):
    """A record with all its page says. `document` and `grants_made` are set on the record
    by the view."""

    corrected_by = serializers.SerializerMethodField()
    schedule = ScheduledAwardSerializer(source="scheduled_awards", many=True, read_only=True)
    grants = GrantLinkSerializer(source="grants_made", many=True, read_only=True)
    section_b = serializers.SerializerMethodField()
    document = DocumentSerializer(allow_null=True, read_only=True)

    class Meta(DecisionSerializer.Meta):
        fields = DecisionSerializer.Meta.fields + [
            "received_on",
            "section_a",
            "decision_text",
            "declaration",
            "signed_name",
            "officer_approval_name",
            "officer_approval_role",
            "officer_approved_on",
            "commercially_sensitive",
            "sensitivity_reason",
            "exemption_basis",
            "publication_deferred",
            "deferred_until",
            "deferral_reasons",
            "section_b",
            "document",
            "schedule",
            "grants",
            "corrected_by",
        ]

    def get_corrected_by(self, record) -> list[str]:
        """The published records that correct this one."""
        return [c.reference for c in record.corrections.all()]

    @extend_schema_field(SectionBSerializer)
    def get_section_b(self, record):
        if record.publishes_full_section_b:
            url = absolute_url("decisions:section-b", record.reference)
            return {"published": "full", "url": url}
        if record.section_b_redacted:
            url = absolute_url("decisions:section-b-redacted", record.reference)
            return {"published": "redacted", "url": url}
        return {"published": "none", "url": None}


@documented
class DecisionViewSet(PublicViewSet):
    """Published decision records of the Police and Crime Commissioner, newest first."""

    serializer_class = DecisionSerializer
    detail_serializer_class = DecisionDetailSerializer
    filterset_class = DecisionFilter
    not_found = "No published decision record has this reference"

    def get_queryset(self):
        ready = DecisionDocument.objects.filter(record=OuterRef("pk"), status=DocumentStatus.READY)
        records = (
            selectors.published_records()
            .select_related("funding_round", "corrects")
            .annotate(has_pdf=Exists(ready))
        )
        if self.action == "retrieve":
            published = DecisionRecord.objects.filter(status=DecisionStatus.PUBLISHED)
            return records.prefetch_related(
                "scheduled_awards",
                Prefetch("corrections", queryset=published.only("reference", "corrects")),
            )
        return records.defer("section_a", "decision_text", "declaration")

    def get_object(self):
        record = super().get_object()
        record.document = latest_ready_document(record)
        if record.document is not None:
            record.document.record = record
        record.grants_made = grant_selectors.register_awards().filter(
            decision_reference=record.reference
        )
        return record
