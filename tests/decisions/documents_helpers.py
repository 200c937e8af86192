"""Small helpers for the signed-PDF tests: poppler's command-line tools, a tampered copy, the
files in a storage, a development certificate, pointing Celery at a broker, and waiting for
a worker."""

import io
import re
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from html import unescape
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import call_command
from django.test import override_settings

from decisions.models import DecisionDocument
from svd_portal import celery_app

# The Chief Executive's and the PCC's names, as tests/conftest.py makes them.
OFFICER = "Helen Carter"
PCC = "Morgan Reid"


@dataclass(frozen=True)
class SigningFiles:
    key: Path
    cert: Path

    @cached_property
    def certificate_der(self) -> bytes:
        return x509.load_pem_x509_certificate(self.cert.read_bytes()).public_bytes(Encoding.DER)


def make_certificate(folder: Path) -> SigningFiles:
    """A key and self-signed certificate in `folder`, made by the project's own command."""
    files = SigningFiles(key=folder / "dev-key.pem", cert=folder / "dev-cert.pem")
    with override_settings(
        DECISION_SIGNING_KEY=str(files.key), DECISION_SIGNING_CERT=str(files.cert)
    ):
        call_command("create_signing_certificate", stdout=io.StringIO())
    return files


def point_celery_at(url: str) -> None:
    """Sends this process's tasks to `url` from now on. The app read its broker from the
    settings when it was configured and keeps pooled connections to it: both are replaced.
    (The old pools are left open: kombu keeps them by URL and hands them out again.)"""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def pdftotext(path: Path) -> str:
    """The PDF's text with every run of white space made one space, so that a line break
    inside a long title does not matter."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def pdftotext_pages(path: Path) -> list[str]:
    """Each page's text (`pdftotext -f N -l N`), white space made single spaces."""
    pages = int(re.search(r"^Pages:\s+(\d+)$", pdfinfo(path), re.MULTILINE).group(1))
    return [
        " ".join(
            subprocess.run(
                ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
        )
        for n in range(1, pages + 1)
    ]


def pdfwords(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(text, x min, y min, x max, y max) of each word pdftotext finds on a page, in points
    from the page's top left corner. (Text marked with /ActualText, as in pyHanko's stamp,
    comes out as one "word" per line.)"""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [
        (unescape(text), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in re.findall(pattern, html)
    ]


def pdffonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table, one dict per font keyed by its column names ("name", "emb", …).
    The columns are cut where the dashes under the header are, since names have no spaces
    but types do ("CID TrueType")."""
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    header, dashes, *rows = lines
    spans = [match.span() for match in re.finditer(r"-+", dashes)]
    names = [header[start:end].strip() for start, end in spans]
    return [
        {name: row[start:end].strip() for name, (start, end) in zip(names, spans, strict=True)}
        for row in rows
        if row.strip()
    ]


def pdfinfo(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdfinfo", *options, str(path)], capture_output=True, text=True, check=True
    ).stdout


def pdfsig(path: Path) -> str:
    """pdfsig's report. It exits 0 even on a digest mismatch, so callers read its text."""
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True)
    return result.stdout + result.stderr


def signed_ranges(data: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match, "the file has no /ByteRange: it is not signed"
    return tuple(int(n) for n in match.groups())


def tampered(data: bytes) -> bytes:
    """A copy with one byte changed in the middle of the first signed range, so that the
    change is covered by the signature and not in the hole left for the signature itself."""
    start, length, _, _ = signed_ranges(data)
    position = start + length // 2
    copy = bytearray(data)
    copy[position] ^= 0x01
    return bytes(copy)


def stored_files(storage) -> list[str]:
    """Every file under the storage's folder, relative to it."""
    root = Path(storage.location)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def wait_until(predicate, *, timeout: float = 90.0, interval: float = 0.05, describe=None):
    """Polls `predicate` until it returns something true; fails with `describe()` if not."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            detail = describe() if describe else ""
            raise AssertionError(f"not done after {timeout} s. {detail}")
        time.sleep(interval)


def with_page_replaced(data: bytes, text: bytes = b"Not approved") -> bytes:
    """The signed PDF with an incremental update after the signature that replaces the
    first page's content: every signed byte is untouched, but readers see other text."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    content = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET")
    page["/Contents"] = writer.add_object(content)
    helvetica = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    page["/Resources"] = generic.DictionaryObject(
        {
            generic.NameObject("/Font"): generic.DictionaryObject(
                {generic.NameObject("/F1"): helvetica}
            )
        }
    )
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def wait_for_status(document: DecisionDocument, status: str, *, timeout=90.0, workers=()):
    """Polls the database until the document has `status`; returns it fresh."""

    def reached():
        document.refresh_from_db()
        return document.status == status

    wait_until(
        reached,
        timeout=timeout,
        describe=lambda: (
            f"Document {document.pk} is {document.status}, not {status}; "
            f"last error: {document.last_error!r}\n"
            + "\n".join(f"--- {w.log.name}:\n{w.log_tail()}" for w in workers)
        ),
    )
    return document
