"""Reading a filtered list page: its title, error summary, field errors and text."""

import re
from html import unescape


def title(response) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]).strip()


def summary_links(response) -> list[tuple[str, str]]:
    """The error summary's links: (target, text)."""
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    if summary is None:
        return []
    return [
        (target, unescape(text).strip())
        for target, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary[0], re.S)
    ]


def field_error(response, name: str) -> str:
    html = response.content.decode()
    found = re.findall(
        rf'<span id="id_{name}_\d+_error" class="govuk-error-message">(.*?)\n\s*</span>', html, re.S
    )
    assert len(found) == 1, f"not one error message on {name}: {found}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", found[0]))).strip()


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html))
