"""The parts every endpoint of the public API shares: read-only, the same for everyone
(no session, no sign-in: what a signed-in person could see elsewhere is never in it), pages
of 50 rows, and links as absolute addresses under settings.PORTAL_BASE_URL.

The apps' own modules (grants/api.py, decisions/api.py) say what each endpoint holds, from
the same selectors as the public pages."""

from operator import attrgetter

import django_filters
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from .links import absolute_url

API_VERSION = "1.0.0"


class PublicPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ProblemSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was not found, in words")


def documented(viewset):
    """A viewset's answers as the OpenAPI document states them, errors included: a list
    answers 400 for a filter it cannot use and 404 for a page beyond the last; an item 404
    for a reference nothing public has."""
    invalid = OpenApiResponse(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"published_after": ["Enter a valid date."]},
        },
        description="Each filter that cannot be used, with why",
    )
    not_found = OpenApiResponse(ProblemSerializer, description="Not found, with why")
    return extend_schema_view(
        list=extend_schema(
            responses={200: viewset.serializer_class(many=True), 400: invalid, 404: not_found}
        ),
        retrieve=extend_schema(responses={200: viewset.detail_serializer_class, 404: not_found}),
    )(viewset)


class PublicViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A list and one item by its stable reference, for anyone, never for writing. The
    detail serializer may say more than the list's."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    pagination_class = PublicPagination
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    detail_serializer_class: type[serializers.Serializer] | None = None
    not_found = "Nothing public has this reference"

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound(self.not_found) from None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class LinkField(serializers.Field):
    """The absolute address of a named page for the object, by its `attribute` (dotted,
    "reference" by default), or null when `when` says the object has no such page."""

    def __init__(self, viewname: str, *, attribute: str = "reference", when=None, **kwargs):
        self.viewname, self.argument, self.when = viewname, attrgetter(attribute), when
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, value):
        if self.when is not None and not self.when(value):
            return None
        return absolute_url(self.viewname, self.argument(value))


@extend_schema_field(OpenApiTypes.DATE)
class LocalDateField(serializers.Field):
    """The day, in Europe/London, a moment fell on."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return timezone.localdate(value).isoformat()


def day_range(lookup: str, what: str) -> tuple:
    """Two filters for a FilterSet's `…_after` and `…_before`, both inclusive, on the day
    `lookup` names (a date field, or a moment's `__date` in Europe/London)."""
    return (
        django_filters.DateFilter(
            field_name=lookup, lookup_expr="gte", label=f"{what} on or after (YYYY-MM-DD)"
        ),
        django_filters.DateFilter(
            field_name=lookup, lookup_expr="lte", label=f"{what} on or before (YYYY-MM-DD)"
        ),
    )


def not_found(request, path=""):
    """Any address under the API that names nothing: a 404 in JSON, as the endpoints answer
    one (the last of the API's addresses). An address that names something once it ends in
    a slash is sent there, as Django's APPEND_SLASH would."""
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"detail": "Nothing in the API has this address."}, status=404)
