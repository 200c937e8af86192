"""The public register of decision records: the list, a record's page, its Atom feed, its
signed PDF and its Section B reports. Anyone may read what is published."""

import base64
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, http_date
from django.views import View
from django.views.generic import DetailView, ListView

from grants import selectors as grant_selectors
from partners.rules import is_opcc
from svd_portal.caching import PublicPageMixin
from svd_portal.downloads import confidential
from svd_portal.feeds import TextAtom1Feed
from svd_portal.mixins import FilteredListMixin
from svd_portal.pagination import KeysFirstPaginator

from .. import selectors, services
from ..cached_pages import REGISTER, record_scope
from ..enums import DecisionStatus
from ..models import DecisionRecord


class RegisterListView(PublicPageMixin, FilteredListMixin, ListView):
    """Published records, newest first; searched and filtered by year. Anyone may read it."""

    template_name = "decisions/register_list.html"
    context_object_name = "records"
    paginate_by = 25
    paginator_class = KeysFirstPaginator

    def page_scopes(self):
        return [REGISTER]

    def filter_list(self):
        return selectors.register_search(params=self.request.GET)

    def get_paginator(self, queryset, per_page, **kwargs):
        # A search counts its matches up to REGISTER_SEARCH_LIMIT; the register, exactly.
        limit = settings.REGISTER_SEARCH_LIMIT if self.filters.searching else None
        return super().get_paginator(queryset, per_page, count_limit=limit, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.filters.query, **kwargs)


def record_for_page(*, user, reference: str) -> DecisionRecord:
    try:
        return selectors.record_for_page(user=user, reference=reference)
    except DecisionRecord.DoesNotExist:
        raise Http404("No decision record has this reference") from None


class RegisterDetailView(PublicPageMixin, DetailView):
    template_name = "decisions/register_detail.html"
    context_object_name = "record"

    def page_scopes(self):
        return [record_scope(self.kwargs["reference"])]

    def get_object(self, queryset=None):
        return record_for_page(user=self.request.user, reference=self.kwargs["reference"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = services.latest_ready_document(self.object)
        # The grants it made that are on the grants register (accepted ones).
        context["grants"] = (
            grant_selectors.register_awards().filter(decision_reference=self.object.reference)
            if self.object.status == DecisionStatus.PUBLISHED and self.object.reference
            else []
        )
        return context


class SectionBView(View):
    """The Section B report: public only when the record says so, and once published. A
    commercially sensitive report is never public, whatever else the record says."""

    redacted = False

    def get(self, request, reference):
        record = record_for_page(user=request.user, reference=reference)
        file = record.section_b_redacted if self.redacted else record.section_b
        published = record.status == DecisionStatus.PUBLISHED
        public = published and (self.redacted or record.publishes_full_section_b)
        if not file or not (public or (request.user.is_authenticated and is_opcc(request.user))):
            raise Http404("No Section B report is published for this record")
        return section_b_response(record, redacted=self.redacted)


def section_b_response(record, *, redacted: bool = False) -> FileResponse:
    file = record.section_b_redacted if redacted else record.section_b
    extension = file.name.rsplit(".", 1)[-1]
    kind = "section-b-redacted" if redacted else "section-b"
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"{record.reference or 'draft'}-{kind}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Confidential even when published: the same view serves staff any record's report.
    return confidential(response)


class RecordPdfView(PublicPageMixin, View):
    """The latest ready signed PDF of a published record, named by its reference. A
    published record's PDF is kept for visitors like its page (a new version makes it
    stale), so the crowd reading a decision in the news does not read the file each time."""

    def page_scopes(self):
        return [record_scope(self.kwargs["reference"])]

    def get(self, request, reference):
        record = record_for_page(user=request.user, reference=reference)
        document = services.latest_ready_document(record)
        if document is None:
            raise Http404("The signed PDF of this record is not ready yet")
        if record.status != DecisionStatus.PUBLISHED:
            # The OPCC also gets here the PDF of a record signed but not yet published.
            return confidential(pdf_response(document, filename=f"{record.reference}.pdf"))
        # A ready version's file never changes: its SHA-256 is its ETag, and a reader or
        # proxy that holds it is told so without the file being read again.
        etag = f'"{document.sha256}"'
        made = int((document.finished_at or document.updated_at).timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=made)
        if not_modified is not None:
            return not_modified
        # Read whole (a few hundred kilobytes at most), so that it can be kept.
        response = pdf_response(document, filename=f"{record.reference}.pdf", whole=True)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(made)
        if not request.user.is_authenticated:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response


def pdf_response(document, *, filename: str, whole: bool = False) -> HttpResponse:
    if whole:
        with document.file.open("rb") as file:
            response = HttpResponse(file.read(), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, filename)
    else:
        response = FileResponse(
            document.file.open("rb"), content_type="application/pdf", filename=filename
        )
    response["X-Content-Type-Options"] = "nosniff"
    # RFC 3230 digests are base64; the page shows the same value in hex.
    response["Digest"] = "sha-256=" + base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return response


class PlainTextAtom1Feed(TextAtom1Feed):
    """Atom with the decision text as text (svd_portal.feeds), and a link to each record's
    signed PDF."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # The signed PDF is the record itself; "related" needs no length, which an
        # enclosure would (and knowing it costs a query per entry).
        handler.addQuickElement(
            "link",
            "",
            {
                "rel": "related",
                "type": "application/pdf",
                "href": urljoin(self.feed["link"], item["pdf_path"]),
                "title": f"{item['title']} (signed PDF)",
            },
        )


class RegisterFeed(Feed):
    """An Atom feed of the newest published records."""

    feed_type = PlainTextAtom1Feed
    title = "Decision records"
    subtitle = "Decisions of the Police and Crime Commissioner, as published"

    def link(self):
        return reverse("decisions:register")

    def author_name(self):
        return settings.PORTAL_ORGANISATION_NAME

    def items(self):
        return selectors.published_records()[:50]

    def item_extra_kwargs(self, item):
        return {"pdf_path": reverse("decisions:pdf", args=[item.reference])}

    def item_title(self, item):
        return f"{item.reference}: {item.title}"

    def item_description(self, item):
        return f"{item.get_outcome_display()}. {item.decision_text}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
