"""WeasyPrint's URL fetcher for the portal's PDFs (svd_portal/pdfs.py): the portal's own
static files and nothing else, neither the server's files nor the network."""

import http.server
import io
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from decisions import documents
from decisions.enums import DecisionStatus
from svd_portal import pdfs

from .documents_helpers import pdftotext

# Signed with a certificate, and stored, in this test's own folder.
pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "decision-pdf.css"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def images_in(path: Path) -> list[str]:
    """pdfimages' rows, one per image in the PDF (its first two lines are the heading)."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return listing.splitlines()[2:]


@pytest.fixture
def fetcher():
    return pdfs.pdf_url_fetcher()


@pytest.fixture
def no_network(monkeypatch):
    """Every outgoing connection attempt, recorded and refused."""
    attempts = []

    def connect(self, address):
        attempts.append(address)
        raise OSError("the test allows no connections")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    return attempts


@pytest.fixture
def image_server():
    """An HTTP server on the loopback that serves a PNG and records every request."""
    requests = []
    body = png()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def test_url_fetcher_serves_the_pdf_stylesheet_from_the_static_files(fetcher):
    response = fetcher(pdfs.PDF_BASE_URL + "static/css/decision-pdf.css")

    assert response.read() == STYLESHEET.read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        STYLESHEET.as_uri(),  # a static file, but by its path on the server
        pdfs.PDF_BASE_URL + "static/../../../../etc/passwd",
        pdfs.PDF_BASE_URL + "static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        pdfs.PDF_BASE_URL + "static//etc/passwd",
        pdfs.PDF_BASE_URL + "static/..",
        pdfs.PDF_BASE_URL + "static/css",  # a folder
        pdfs.PDF_BASE_URL + "static/css/no-such-file.css",
        pdfs.PDF_BASE_URL + "settings.py",
        "data:text/css,body{}",
    ],
)
def test_url_fetcher_refuses_files_outside_the_static_files(fetcher, no_network, url):
    with pytest.raises(ValueError, match="not one of the portal's static files"):
        fetcher(url)

    assert no_network == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x",
        "https://example.org/static/css/decision-pdf.css",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://127.0.0.1/x",
    ],
)
def test_url_fetcher_makes_no_network_request(fetcher, no_network, url):
    with pytest.raises(ValueError, match="not one of the portal's static files"):
        fetcher(url)

    assert no_network == []


def test_render_pdf_record_text_naming_files_and_urls_is_printed_not_fetched(
    record_in, tmp_path, image_server
):
    text = f'<img src="file:///etc/passwd"> <img src="{image_server.url}/text.png">'
    record = record_in(DecisionStatus.PUBLISHED, section_a=text)
    path = tmp_path / "record.pdf"

    path.write_bytes(documents.render_pdf(record))

    assert text in pdftotext(path)
    assert images_in(path) == []
    assert image_server.requests == []


def test_render_pdf_markup_that_got_through_fetches_nothing(
    published_record, tmp_path, image_server, monkeypatch
):
    """Were markup ever to reach the HTML (a template that marks text safe), an image on the
    server's disk or on the network is still not fetched; the stylesheet still is."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    render_to_string = documents.render_to_string

    def with_images(template_name, context):
        html = render_to_string(template_name, context)
        images = f'<img src="{secret.as_uri()}"><img src="{image_server.url}/injected.png">'
        return html.replace("</body>", images + "</body>")

    monkeypatch.setattr(documents, "render_to_string", with_images)
    path = tmp_path / "record.pdf"

    path.write_bytes(documents.render_pdf(published_record))

    assert images_in(path) == []
    assert image_server.requests == []
    # The running header comes from the stylesheet: it was fetched and applied.
    assert "Section A For Publication" in pdftotext(path)
