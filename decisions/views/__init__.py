"""Decision records: the public register (`public`), and the OPCC's pages for drafting and
reading records (`staff`) and for approving, signing and correcting them (`actions`)."""

from .actions import (
    DocumentRegenerateView,
    DocumentRetryView,
    RecordApproveView,
    RecordCorrectView,
    RecordFromVariationView,
    RecordReturnView,
    RecordSignView,
    RecordSubmitView,
)
from .public import (
    RecordPdfView,
    RegisterDetailView,
    RegisterFeed,
    RegisterListView,
    SectionBView,
)
from .staff import (
    DocumentDownloadView,
    DocumentStatusView,
    RecordCreateView,
    RecordEditView,
    RecordFromRoundView,
    RecordStaffDetailView,
    StaffListView,
    StaffSectionBView,
)

__all__ = [
    "DocumentDownloadView",
    "DocumentRegenerateView",
    "DocumentRetryView",
    "DocumentStatusView",
    "RecordApproveView",
    "RecordCorrectView",
    "RecordFromVariationView",
    "RecordCreateView",
    "RecordEditView",
    "RecordFromRoundView",
    "RecordPdfView",
    "RecordReturnView",
    "RecordSignView",
    "RecordStaffDetailView",
    "RecordSubmitView",
    "RegisterDetailView",
    "RegisterFeed",
    "RegisterListView",
    "SectionBView",
    "StaffListView",
    "StaffSectionBView",
]
