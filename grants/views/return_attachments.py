"""A monitoring return's documents: the grant holder uploads and removes them on the return's
edit page; whoever may read the return downloads them, streamed privately as an
application's attachments are."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from svd_portal.forms import add_service_errors
from svd_portal.mixins import ServiceActionMixin
from svd_portal.uploads import report_too_big

from .. import services
from ..models import ReturnAttachment
from .applications import attachment_response
from .delivery import ReturnEditView, ReturnMixin


def edit_url(view) -> str:
    return (
        reverse("grants:return-edit", args=[view.get_award().reference, view.kwargs["number"]])
        + "#attachments"
    )


class ReturnAttachmentAddView(ReturnEditView):
    """The upload on the return's edit page. A refusal shows that page again (400), the
    upload's errors in its error summary and the return's own form as it was saved."""

    http_method_names = ["post"]

    def get_form_kwargs(self):
        # The return's form is only shown here, never bound to the upload's post.
        return {"initial": self.get_initial(), "prefix": self.get_prefix()}

    def post(self, request, *args, **kwargs):
        form = self.get_attachment_form(request.POST, request.FILES)
        report_too_big(request, form)
        if form.is_valid():
            try:
                attachment = services.return_attachment_add(
                    monitoring_return=self.get_return(),
                    by=request.user,
                    uploaded_file=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field="file")
            else:
                messages.success(request, f"{attachment.original_name} uploaded.")
                return redirect(edit_url(self))
        return self.render_to_response(self.get_context_data(attachment_form=form), status=400)


class ReturnAttachmentMixin(ReturnMixin):
    def get_attachment(self) -> ReturnAttachment:
        # Only a document of the return in the address: 404 for anyone else's.
        return get_object_or_404(self.get_return().attachments.all(), pk=self.kwargs["pk"])


class ReturnAttachmentDownloadView(ReturnAttachmentMixin, View):
    """Streams a return's document to the grant holder and the OPCC."""

    def get(self, request, *args, **kwargs):
        attachment = self.get_attachment()
        return attachment_response(
            attachment, filename=services.return_attachment_download_name(attachment)
        )


class ReturnAttachmentRemoveView(ServiceActionMixin, ReturnAttachmentMixin, FormView):
    permission_required = "grants.report_on_award"
    http_method_names = ["post"]

    def refused_url(self) -> str:
        return edit_url(self)

    def perform(self, form):
        attachment = self.get_attachment()
        services.return_attachment_remove(attachment=attachment, by=self.request.user)
        messages.success(self.request, f"{attachment.original_name} removed.")
        return redirect(edit_url(self))
