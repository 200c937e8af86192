"""What the decision record PDF says and how it reads: the declaration follows the outcome,
the heading names the OPCC's area, a page break never cuts a table row from its label, and
the signed file keeps its PDF/UA claim (checked with the `pdfua` package, and for what it
leaves out, with pdffonts and pikepdf)."""

import collections
from decimal import Decimal

import pikepdf
import pytest
from pdfua import validate

from decisions import documents
from decisions.enums import DecisionStatus, Outcome
from decisions.models import ScheduledAward
from svd_portal import pdfs
from tests.factories.grants import ApplicationFactory

from .documents_helpers import PCC, pdffonts, pdftotext, pdftotext_pages, pdfwords

# Signed with a certificate, and stored, in this test's own folder.
pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")

APPROVAL = "The above request has my approval."
NO_APPROVAL = "The above request does not have my approval."


@pytest.fixture
def render(tmp_path):
    """render(record, name): the record rendered to a file in this test's folder."""

    def do(record, name="record.pdf"):
        path = tmp_path / name
        path.write_bytes(documents.render_pdf(record))
        return path

    return do


@pytest.fixture
def render_signed(tmp_path):
    """render_signed(record): the record rendered and signed with the test certificate."""

    def do(record, name="signed.pdf"):
        path = tmp_path / name
        path.write_bytes(
            documents.sign_pdf(
                documents.render_pdf(record),
                identity=pdfs.load_signing_identity(),
                signed_by=record.signed_name,
                signed_on=record.signed_on,
            )
        )
        return path

    return do


# --- The declaration ---------------------------------------------------------------------


def test_render_pdf_approved_record_declares_approval(published_record, render):
    text = pdftotext(render(published_record))

    assert "Decision Approved" in text
    assert APPROVAL in text
    assert NO_APPROVAL not in text


def test_render_pdf_not_approved_record_declares_no_approval(record_in, sign, render):
    record = sign(record_in(DecisionStatus.AWAITING_SIGNATURE), outcome=Outcome.NOT_APPROVED)

    text = pdftotext(render(record))

    assert "Decision Not approved" in text
    assert NO_APPROVAL in text
    assert "has my approval" not in text


# --- The OPCC's area ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "heading", "signed"),
    [
        # The stylesheet sets the heading in capitals.
        (None, "COMMISSIONER FOR DURHAM", "Commissioner for Durham"),
        ("Cleveland", "COMMISSIONER FOR CLEVELAND", "Commissioner for Cleveland"),
        ("", "COMMISSIONER Decision record", "Commissioner Date"),
    ],
    ids=["default", "setting", "none"],
)
def test_render_pdf_heading_and_signature_name_the_area(
    published_record, render, settings, area, heading, signed
):
    if area is not None:
        settings.PORTAL_AREA_NAME = area

    text = pdftotext(render(published_record))

    assert f"OFFICE OF THE POLICE AND CRIME {heading}" in text
    assert f"Signed by {PCC}, Police and Crime {signed}" in text
    assert ("Durham" in text) == (area is None)


def test_sign_pdf_stamp_names_the_area(published_record, render_signed, settings):
    settings.PORTAL_AREA_NAME = "Cleveland"

    text = pdftotext(render_signed(published_record))

    assert "Signed for Office of the Police and Crime Commissioner for Cleveland" in text
    assert f"Police and Crime Commissioner: {PCC}" in text


# --- Page breaks -------------------------------------------------------------------------

REASON_START, REASON_END = "Openingreason", "Closingreason"


def pages_with(pages: list[str], text: str) -> list[int]:
    return [number for number, page in enumerate(pages, start=1) if text in page]


def test_render_pdf_keeps_a_table_row_and_a_heading_with_what_follows(record_in, tmp_path):
    """Section A grows a few lines at a time, over more than a page, so the tall
    "Commercially sensitive" row (about twenty lines of reasons) moves down the page and
    across the page break: each step is shorter than the row, so at some step the break
    falls inside it. At every step the row's label, the first and the last words of its
    value are on one page, and the section's heading is on the page of its first row."""
    reasons = " ".join(
        [REASON_START]
        + ["The provider's unit prices and staffing costs were given in confidence."] * 22
        + [REASON_END]
    )
    record = record_in(
        DecisionStatus.PUBLISHED,
        commercially_sensitive=True,
        sensitivity_reason=reasons,
        exemption_basis="Section 43(2) of the Freedom of Information Act 2000",
    )
    label_pages = set()

    for lines in range(0, 52, 4):
        record.section_a = "\n".join(f"Background, line {n + 1}." for n in range(lines + 1))
        path = tmp_path / f"section-a-{lines}.pdf"
        path.write_bytes(documents.render_pdf(record))
        pages = pdftotext_pages(path)

        [label_page] = pages_with(pages, "Commercially sensitive")
        where = f"Section A of {lines + 1} lines"
        assert pages_with(pages, REASON_START) == [label_page], where
        assert pages_with(pages, REASON_END) == [label_page], where
        assert pages_with(pages, "Publication scheme considerations") == pages_with(
            pages, "Is the related Section B"
        ), where
        label_pages.add(label_page)

    # The premise: the row did cross from one page to the next during the sweep.
    assert len(label_pages) > 1


# --- PDF/UA ------------------------------------------------------------------------------


@pytest.fixture
def round_record(record_in):
    """A published record with a schedule of awards (a table with column headers and a
    "Total" row header), its rows made directly: only the rendering is under test."""
    record = record_in(DecisionStatus.PUBLISHED)
    for position, (amount, recommended) in enumerate(
        [(Decimal("4500.00"), True), (Decimal("3000.00"), True), (Decimal("0"), False)], start=1
    ):
        application = ApplicationFactory()
        ScheduledAward.objects.create(
            record=record,
            application=application,
            reference=application.reference,
            organisation_name=application.organisation.name,
            title=application.title,
            recommended=recommended,
            amount=amount,
            conditions="Quarterly monitoring returns" if recommended else "",
            position=position,
        )
    return record


def test_sign_pdf_every_font_is_embedded(round_record, render, render_signed):
    unsigned = pdffonts(render(round_record))
    signed = pdffonts(render_signed(round_record))

    # The stamp brings one font of its own, embedded like the body's.
    assert len(signed) == len(unsigned) + 1
    assert [(font["name"], font["emb"]) for font in signed] == [
        (font["name"], "yes") for font in signed
    ]


def test_sign_pdf_stamp_lines_lie_inside_its_box(published_record, render_signed):
    # The signature field's box is (56, 40)-(320, 110) from the bottom left of the last page;
    # pdftotext measures from the top left of A4 (841.89 pt high).
    path = render_signed(published_record)
    top, bottom = 841.89 - 110, 841.89 - 40

    lines = [word for word in pdfwords(path, 2) if word[2] >= top and word[4] <= bottom]

    assert [text for text, *_ in lines] == [
        "Signed for Office of the Police and Crime Commissioner for Durham",
        f"Police and Crime Commissioner: {PCC}",
        f"Date: {published_record.signed_on:%-d %B %Y}",
    ]
    assert all(x0 >= 56 and x1 <= 320 for _, x0, _, x1, _ in lines)


def test_sign_pdf_pdfua_checker_finds_nothing(round_record, render_signed):
    report = validate(str(render_signed(round_record)))

    assert [(f.rule_id, f.severity.name, f.message) for f in report.findings] == []
    # pdfua 0.1.3 cannot evaluate its empty-heading rule when a heading's /K is an array
    # (pikepdf raises ValueError on getattr(array, "is_integer")), which is how WeasyPrint
    # tags every heading: the test below checks that rule itself.
    assert {o.rule_id for o in report.skipped} <= {"UA-14-001"}


def struct_elements(pdf: pikepdf.Pdf):
    """Every structure element under the structure tree root, depth first."""
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
                if "/S" in kid:
                    yield kid
                stack.append(kid)


def marks_content(element) -> bool:
    """True if the element or one of its descendants holds a marked-content id."""
    kids = element.get("/K")
    if kids is None:
        return False
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and marks_content(kid)):
            return True
    return False


def attribute(element, key: str):
    attributes = element.get("/A")
    for owner in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
        if isinstance(owner, pikepdf.Dictionary) and key in owner:
            return owner[key]
    return None


def test_sign_pdf_structure_holds_what_pdfua_needs(round_record, render_signed):
    with pikepdf.open(render_signed(round_record)) as pdf:
        root = pdf.Root
        elements = list(struct_elements(pdf))
        scopes = collections.Counter(str(attribute(e, "/Scope")) for e in elements if e.S == "/TH")
        headings = [e for e in elements if str(e.S) in {"/H1", "/H2", "/H3"}]

        assert str(root.Lang) == "en-GB"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        with pdf.open_metadata() as meta:
            assert meta["dc:title"] == f"{round_record.reference}: {round_record.title}"
            assert meta["pdfuaid:part"] == "1"
    # The four column headers of the schedule; every other header names its row.
    assert scopes["/Column"] == 4
    assert scopes["/Row"] > 4
    assert set(scopes) == {"/Column", "/Row"}
    # Every heading has text (pdfua's own check of this is skipped, above).
    assert len(headings) > 5
    assert all(marks_content(h) for h in headings)


def test_sign_pdf_signature_field_is_tagged_and_described(published_record, render_signed):
    with pikepdf.open(render_signed(published_record)) as pdf:
        [field] = pdf.Root.AcroForm.Fields
        tree = pdf.Root.StructTreeRoot
        nums = list(tree.ParentTree.Nums)
        form = dict(zip(nums[::2], nums[1::2], strict=True))[int(field.StructParent)]
        document = tree.K[0]

        assert str(field.TU) == f"Signature of the Police and Crime Commissioner, {PCC}"
        assert form.S == "/Form"
        assert form.K[0].Type == "/OBJR"
        assert form.K[0].Obj.objgen == field.objgen
        # Last in reading order, after the record's content.
        assert document.K[-1].objgen == form.objgen
        assert int(tree.ParentTreeNextKey) == int(field.StructParent) + 1
        assert pdf.pages[-1].Tabs == "/S"
