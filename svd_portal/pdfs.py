"""PDFs the portal signs: template HTML → WeasyPrint → bytes, then a PAdES signature with the
OPCC's certificate; and checking such a signature. Decision records and grant agreements
both go through here.

WeasyPrint and pyHanko are imported inside the functions so that web start-up stays fast.
"""

import contextlib
import datetime
import functools
import hashlib
import io
import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

from . import metrics

# Tagged PDF/UA-1 renders correctly with WeasyPrint 70 and can still be signed.
PDF_VARIANT = "pdf/ua-1"
# The address a PDF's HTML is rendered at: the template's relative URLs ("static/css/…")
# resolve under it, and the fetcher serves its static/ folder and nothing else. The .invalid
# domain never resolves (RFC 2606), so not even a mistake here could reach the network.
PDF_BASE_URL = "https://portal.invalid/"
PDF_STATIC_URL = PDF_BASE_URL + "static/"


class PdfStatus(models.TextChoices):
    """Where one version of a signed PDF stands: the worker renders it until it is ready."""

    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# A version is rendered until it is ready; a failed or stuck one is queued again, and two
# workers racing on one version may each move it. Ready is final: a new render is a new
# version.
PDF_MOVES = {
    PdfStatus.QUEUED: set(PdfStatus.values),
    PdfStatus.RENDERING: set(PdfStatus.values),
    PdfStatus.FAILED: set(PdfStatus.values),
    PdfStatus.READY: set(),
}


def opcc_name() -> str:
    """The OPCC's name with its area, "Office of the Police and Crime Commissioner for
    Durham", as the PDFs' headings and signature blocks give it."""
    name, area = settings.PORTAL_ORGANISATION_NAME, settings.PORTAL_AREA_NAME
    return f"{name} for {area}" if area else name


def write_pdf(html: str, *, identifier: str) -> bytes:
    """HTML (rendered from one of the templates under pdf/) as an A4 PDF, tagged for
    accessibility, fetching nothing but the portal's static files."""
    from weasyprint import HTML

    with metrics.pdf_timer("render"):
        return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=pdf_url_fetcher()).write_pdf(
            pdf_variant=PDF_VARIANT,
            pdf_identifier=identifier.encode(),
            finisher=scope_table_headers,
        )


def scope_table_headers(document, pdf) -> None:
    """WeasyPrint finisher: gives each table header cell's structure element the /Scope its
    <th scope> says (/Row or /Column). WeasyPrint 70 tags <th> as /TH and links data cells
    to it with /Headers, but writes no /Scope, which PDF/UA checkers look for. It keeps each
    cell's structure element on its box as `mark` (see weasyprint/pdf/tags.py); the tests
    check that every /TH comes out with a scope."""

    def visit(box):
        mark = getattr(box, "mark", None)
        if getattr(box, "element_tag", None) == "th" and mark is not None:
            scope = box.element.get("scope", "")
            mark["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"
        for child in getattr(box, "children", ()):
            visit(child)

    for page in document.pages:
        visit(page._page_box)


def static_file_for(url: str) -> Path | None:
    """The portal's own static file that `url` names under PDF_STATIC_URL, found as
    collectstatic finds it (or in STATIC_ROOT, where only collected, hashed names exist);
    None for any other URL."""
    if not url.startswith(PDF_STATIC_URL):
        return None
    name = unquote(urlsplit(url).path).removeprefix(urlsplit(PDF_STATIC_URL).path)
    # Only a plain relative name: nothing that climbs out or names an absolute path.
    if not name or "\\" in name or "\x00" in name or posixpath.normpath(name) != name:
        return None
    if name == ".." or name.startswith(("/", "../")):
        return None
    found = finders.find(name)
    if found and Path(found).is_file():
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    collected = (root / name).resolve()
    if collected.is_relative_to(root) and collected.is_file():
        return collected
    return None


def pdf_url_fetcher():
    """WeasyPrint's URL fetcher for the portal's PDFs: the portal's static files, nothing else.

    The default fetcher opens any file:// path the server can read and any http(s) address
    it can reach, so markup that ever got into a record's HTML could put /etc/passwd or an
    internal service's answer into a signed PDF. Anything else is refused with ValueError,
    which WeasyPrint logs and renders without.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                raise ValueError(f"{url[:200]} is not one of the portal's static files")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly()


@dataclass(frozen=True)
class SigningIdentity:
    signer: object  # pyhanko.sign.signers.SimpleSigner
    certificate_der: bytes

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.certificate_der).hexdigest()


def load_signing_identity() -> SigningIdentity:
    """The OPCC's key and certificate, from PKCS#12 or from PEM files named by the settings."""
    from pyhanko.sign import signers

    pkcs12 = settings.DECISION_SIGNING_PKCS12
    if pkcs12:
        if not Path(pkcs12).exists():
            raise ImproperlyConfigured(
                f"DECISION_SIGNING_PKCS12 names {pkcs12}, which does not exist"
            )
        passphrase = settings.DECISION_SIGNING_PASSPHRASE.encode() or None
        signer = signers.SimpleSigner.load_pkcs12(pkcs12, passphrase=passphrase)
    else:
        key, cert = settings.DECISION_SIGNING_KEY, settings.DECISION_SIGNING_CERT
        if not (Path(key).is_file() and Path(cert).is_file()):
            raise ImproperlyConfigured(
                f"No signing certificate: set DECISION_SIGNING_PKCS12, or DECISION_SIGNING_KEY and "
                f"DECISION_SIGNING_CERT (looked for {key} and {cert}). For development run "
                "`python manage.py create_signing_certificate`."
            )
        passphrase = settings.DECISION_SIGNING_PASSPHRASE.encode() or None
        signer = signers.SimpleSigner.load(key, cert, key_passphrase=passphrase)
    if signer is None:
        raise ImproperlyConfigured("The signing key or certificate could not be read")
    return SigningIdentity(signer=signer, certificate_der=signer.signing_cert.dump())


@dataclass(frozen=True)
class Stamp:
    """A visible signature: its field's name, the block's text and where it stands on the
    last page, and what the signature says of itself."""

    field_name: str
    text: str
    description: str  # the field's description, read out by assistive technology
    reason: str
    signed_by: str
    box: tuple[int, int, int, int] = (56, 40, 320, 110)
    # Whether the field joins the tagged structure (PDF/UA). A signature added to a file
    # that is already signed must not: changing the structure tree in a later revision is
    # a change pyHanko (and Acrobat) count against the earlier signature, while a new
    # signature field alone is the form filling that signature allows.
    tagged: bool = True


def sign_pdf(pdf: bytes, *, identity: SigningIdentity, stamp: Stamp) -> bytes:
    """Applies a PAdES signature with a visible block on the last page, as an incremental
    update: the bytes given stay the first bytes of the result, unchanged."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.stamp import TextStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(
        writer,
        sig_field_spec=fields.SigFieldSpec(stamp.field_name, on_page=-1, box=stamp.box),
    )
    if stamp.tagged:
        tag_signature_field(writer, field_name=stamp.field_name, description=stamp.description)
    metadata = signers.PdfSignatureMetadata(
        field_name=stamp.field_name,
        subfilter=SigSeedSubFilter.PADES,
        reason=stamp.reason,
        name=stamp.signed_by,
        location=opcc_name(),
    )
    # pyHanko's default stamp font is Courier, one of the standard 14 that are never
    # embedded; PDF/UA needs every font embedded.
    style = TextStampStyle(
        stamp_text=stamp.text,
        border_width=1,
        text_box_style=TextBoxStyle(font=stamp_font(settings.DECISION_STAMP_FONT, stamp.text)),
    )
    out = io.BytesIO()
    with metrics.pdf_timer("sign"):
        signers.PdfSigner(metadata, signer=identity.signer, stamp_style=style).sign_pdf(
            writer, output=out
        )
    return out.getvalue()


def tag_signature_field(writer, *, field_name: str, description: str) -> None:
    """Gives the new signature field what PDF/UA asks of a form field on a tagged page: a
    description (/TU), a /Form structure element holding its widget, last in reading order
    after the record's content, and tab order by structure (/Tabs /S) on its page. The
    changes go into the same incremental update as the signature, which covers them."""
    from pyhanko.pdf_utils import generic

    name = generic.NameObject
    field_ref = next(
        ref
        for ref in writer.root["/AcroForm"]["/Fields"]
        if ref.get_object().get("/T") == field_name
    )
    field = field_ref.get_object()
    page_ref = field.raw_get("/P")
    tree = writer.root["/StructTreeRoot"]
    document = tree["/K"][0]  # WeasyPrint's one /Document element
    parent_tree = tree["/ParentTree"]
    nums = parent_tree["/Nums"]
    key = max(int(nums[i]) for i in range(0, len(nums), 2)) + 1

    form_ref = writer.add_object(
        generic.DictionaryObject(
            {
                name("/Type"): name("/StructElem"),
                name("/S"): name("/Form"),
                name("/P"): tree["/K"].raw_get(0),
                name("/Pg"): page_ref,
                name("/K"): generic.ArrayObject(
                    [
                        generic.DictionaryObject(
                            {
                                name("/Type"): name("/OBJR"),
                                name("/Obj"): field_ref,
                                name("/Pg"): page_ref,
                            }
                        )
                    ]
                ),
            }
        )
    )
    document["/K"].append(form_ref)
    writer.update_container(document)
    nums.extend([generic.NumberObject(key), form_ref])
    writer.update_container(parent_tree)
    tree[name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree)
    field[name("/StructParent")] = generic.NumberObject(key)
    field[name("/TU")] = generic.TextStringObject(description)
    writer.update_container(field)
    page = page_ref.get_object()
    page[name("/Tabs")] = name("/S")
    writer.update_container(page)


# The characters every stamp's font holds, so that most stamps (a name in plain letters)
# share one cut-down font, made once per process.
STAMP_CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F))


def stamp_font(path: str, text: str):
    """pyHanko's font engine for the signature block: the TrueType font at `path`, cut down
    to the glyphs `text` needs (and plain ASCII) and rescaled to 1000 units to the em."""
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

    data = _stamp_font_data(path, "".join(sorted(set(STAMP_CHARACTERS + text))))

    class StampFont(FontEngineFactory):
        def create_font_engine(self, writer, obj_stream=None):
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=10,  # TextBoxStyle sets its own size on the engine
                obj_stream=obj_stream,
            )

    return StampFont()


@functools.lru_cache(maxsize=32)
def _stamp_font_data(path: str, characters: str) -> bytes:
    """The font at `path` cut down to `characters` and rescaled, as bytes (kept: it takes
    about 0.2 s, longer than the rest of a signature).

    pyHanko 0.38 writes a TrueType font's glyph widths in the font's own units, where PDF
    expects thousandths of an em: DejaVu Sans has 2048 units to the em, so its letters would
    stand twice as far apart as they should and run out of the box. At 1000 units the two
    agree. Cutting the font down first keeps the rescaling quick."""
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    if not Path(path).is_file():
        raise ImproperlyConfigured(
            f"DECISION_STAMP_FONT names {path}, which is not a file: install fonts-dejavu-core "
            "or name another TrueType font"
        )
    font = ttLib.TTFont(path)
    # FFTM (FontForge's timestamps) is dropped rather than warned about.
    options = subset.Options(drop_tables=[*subset.Options().drop_tables, "FFTM"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    scale_upem(font, 1000)
    data = io.BytesIO()
    font.save(data)
    return data.getvalue()


@dataclass(frozen=True)
class Verification:
    intact: bool
    valid: bool
    trusted: bool
    # pyHanko's bottom line: also false when pages were changed after signing
    # (an incremental update the signature does not allow).
    unmodified: bool
    signer: str
    signed_at: datetime.datetime | None
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.unmodified


def verify_pdf(data: bytes, *, trust_root_der: bytes | None) -> list[Verification]:
    """Checks every signature in a PDF against the trust root (the OPCC's certificate)."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    roots = [x509.Certificate.load(trust_root_der)] if trust_root_der else []
    results = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=roots))
        results.append(
            Verification(
                intact=status.intact,
                valid=status.valid,
                trusted=status.trusted,
                unmodified=status.bottom_line,
                signer=status.signing_cert.subject.human_friendly,
                signed_at=status.signer_reported_dt,
                summary=status.summary(),
            )
        )
    return results


def load_trust_root() -> bytes:
    """The OPCC's certificate (DER) that signatures are checked against: no private key needed."""
    if settings.DECISION_SIGNING_PKCS12:
        return load_signing_identity().certificate_der
    from asn1crypto import pem

    path = Path(settings.DECISION_SIGNING_CERT)
    if not path.is_file():
        raise ImproperlyConfigured(f"DECISION_SIGNING_CERT names {path}, which is not a file")
    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Versions rendered by the worker ------------------------------------------------------
#
# A model of signed PDF versions (a decision record's, an agreement's) has status, file,
# sha256, certificate_fingerprint, attempts, last_error and the times created_at,
# updated_at, started_at and finished_at; its workflow's moves are PDF_MOVES.

# What every task that renders a version asks of Celery: acknowledged only once done, so a
# worker that dies mid-render leaves the task to another; retried with backoff on failure.
RENDER_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


def render_version(
    workflow,
    document_id: int,
    *,
    make: Callable[[models.Model], tuple[bytes, str]],
    related: tuple[str, ...] = (),
):
    """Renders and signs one version: `make(document)` returns the signed PDF and the SHA-256
    fingerprint of the certificate that signed it. Idempotent: a ready version is
    left as it is, and a second render of the same version overwrites its own file.

    The row is marked rendering in its own short transaction, so that a worker that dies
    mid-render leaves a trace the sweeper can see; the result is saved in a second one. A
    failure is recorded on the row and raised again, for the task to retry.
    """
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from .workflow import move

    model = workflow.model
    with transaction.atomic():
        # Only the version's row is locked: what it belongs to may be an outer join.
        document = (
            model._default_manager.select_for_update(of=("self",))
            .select_related(*related)
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status == PdfStatus.READY:
            return document
        now = timezone.now()
        document = move(
            workflow,
            document,
            PdfStatus.RENDERING,
            changes={"attempts": document.attempts + 1, "started_at": now, "updated_at": now},
        )
    try:
        pdf, fingerprint = make(document)
    except Exception as exc:
        # Unless another worker finished this version meanwhile: then it stays ready.
        with contextlib.suppress(ValidationError):
            move(
                workflow,
                document,
                PdfStatus.FAILED,
                changes={
                    "last_error": f"{type(exc).__name__}: {exc}"[:2000],
                    "updated_at": timezone.now(),
                },
            )
        raise
    with transaction.atomic():
        document = model._default_manager.select_for_update().get(pk=document.pk)
        if document.status == PdfStatus.READY:
            return document
        storage = document.file.storage
        name = document.file.field.generate_filename(document, "document.pdf")
        if storage.exists(name):
            storage.delete(name)
        document.file.save(name, ContentFile(pdf), save=False)
        now = timezone.now()
        return move(
            workflow,
            document,
            PdfStatus.READY,
            changes={
                "file": document.file.name,
                "sha256": sha256(pdf),
                "certificate_fingerprint": fingerprint,
                "last_error": "",
                "finished_at": now,
                "updated_at": now,
            },
        )


def sweep_versions(model, task: str, *, statuses, now: datetime.datetime) -> list[int]:
    """Queues `task` again for every version in `statuses` untouched for longer than
    DECISION_DOCUMENT_STUCK_AFTER (the broker was down when it was asked for, or a worker
    died mid-render). Returns their ids."""
    from .tasks import enqueue

    cutoff = now - datetime.timedelta(seconds=settings.DECISION_DOCUMENT_STUCK_AFTER)
    stuck = list(
        model._default_manager.filter(status__in=statuses, updated_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for document_id in stuck:
        model._default_manager.filter(pk=document_id).update(updated_at=now)
        enqueue(task, document_id=document_id)
    return stuck
