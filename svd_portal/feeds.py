"""Atom feeds whose entries' summaries are plain text: Django's Atom1Feed declares them
type="html", so a reader would render whatever markup a record's or a grant's text holds.
The text is written as it is; the XML writer escapes it once."""

from django.utils.feedgenerator import Atom1Feed


class _TextSummaries:
    """Passes a feed's XML writer through, declaring every summary and content plain text."""

    def __init__(self, handler):
        self._handler = handler

    def addQuickElement(self, name, contents=None, attrs=None):
        if name in ("summary", "content"):
            attrs = {**(attrs or {}), "type": "text"}
        self._handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self._handler, name)


class TextAtom1Feed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(_TextSummaries(handler), item)
