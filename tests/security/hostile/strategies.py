"""What hostile input looks like: Hypothesis strategies for text, money, dates, choices,
files and whole form posts, each next to the valid input a form must still take.
"""

import datetime
import io
import re
import string
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from hypothesis import strategies as st

# --- What hostile input looks like -----------------------------------------------------

MARK = "x7q"
# Each carries the marker; none may ever reach a page as markup.
PAYLOADS = [
    f'<script>alert("{MARK}")</script>',
    f'"><img src=x onerror=alert("{MARK}")>',
    f"'><svg/onload=alert('{MARK}')>",
    f"<a href=\"javascript:alert('{MARK}')\">{MARK}</a>",
    f'</textarea><script>alert("{MARK}")</script>',
    f'<iframe srcdoc="{MARK}"></iframe>',
]
# What a payload looks like when it was not escaped: the portal itself never writes these.
UNESCAPED = re.compile(
    r'<script>alert\("x7q"\)|<img src=x onerror|<svg/onload|href="?javascript:|<iframe srcdoc',
    re.IGNORECASE,
)
# Characters that break naive code: NUL, right-to-left marks and overrides, zero-width
# and byte-order marks, combining accents, astral-plane letters and emoji, line and
# paragraph separators, a lone CR, the C1 "next line".
SPECIALS = [
    "\x00",
    "\u200f",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "e\u0301\u0302\u0303",
    "\U0001d4b6",
    "\U0001f4a9",
    "\U00012000",
    "\u2028",
    "\u2029",
    "\r",
    "\x85",
    "\ufdfd",
    "ß",
    "İ",
]
# Any Unicode scalar value (no surrogates: they cannot be encoded in a request at all),
# weighted towards the odd categories: controls, formats, combining marks, private use,
# unassigned, separators, and the astral planes.
UNUSUAL = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(categories=["Cc", "Cf", "Mn", "Me", "Co", "Cn", "Zs", "Zl", "Zp"]),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
)
# The same without NUL: what a form may accept as text.
PRINTABLE = st.characters(codec="utf-8", exclude_characters="\x00")


# The ones that have broken pages before: PostgreSQL refuses NUL in any text it is given.
WORST_TEXT = ["\x00", "a\x00b", PAYLOADS[0], PAYLOADS[1], "\u202e\u200f", "\U0001d4b6" * 3]


def long_text(*lengths: int) -> st.SearchStrategy[str]:
    """A string of exactly one of `lengths` characters, of one repeated piece."""
    pieces = ["a", "\U0001d4b6", "é", "\u202e", "<", " ", "word ", "e\u0301"]
    return st.builds(
        lambda piece, n: (piece * n)[:n],
        st.sampled_from(pieces),
        st.sampled_from(lengths or (201, 2001, 5001, 10_001, 100_000)),
    )


def hostile_text(max_size: int = 200) -> st.SearchStrategy[str]:
    """Text no form should trust: odd Unicode, NUL, markup, whitespace only, or very long."""
    return st.one_of(
        st.sampled_from(WORST_TEXT),
        st.sampled_from(PAYLOADS + SPECIALS + ["", " ", "\t\n ", "None"]),
        st.text(UNUSUAL, max_size=max_size),
        st.builds(
            lambda a, b, c: a + b + c,
            st.text(UNUSUAL, max_size=8),
            st.sampled_from(PAYLOADS + SPECIALS),
            st.text(UNUSUAL, max_size=8),
        ),
        long_text(),
    )


def valid_text(max_size: int, *, min_size: int = 1) -> st.SearchStrategy[str]:
    """Text a form should take and store as given (after stripping): markup included."""
    return st.one_of(
        st.sampled_from(PAYLOADS),
        st.builds(lambda a, b: a + b, st.sampled_from(SPECIALS[1:]), st.sampled_from(PAYLOADS)),
        st.text(PRINTABLE, min_size=min_size, max_size=max_size),
    ).filter(lambda s: min_size <= len(s.strip()) and len(s) <= max_size)


AMOUNTS = [
    "-1",
    "-0.01",
    "0",
    "0.00",
    "0.001",
    "4500.555",
    "1e30",
    "1E+30",
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e5",
    "£1,000",
    "£4,500.50",
    "1,000,000,000,000",
    "9999999999.99",
    "99999999999",
    "1e-999999",
    "1e999999999",
    " 12 ",
    "١٢٣",
    "１２",
    "0x10",
    "1_000",
    "12.3.4",
    "abc",
    "",
    "£",
    "--1",
    "+5",
    ".5",
    "5.",
    "1 000",
]


# The ones that have broken parsers before: Decimal reads all of them.
WORST_AMOUNTS = ["NaN", "sNaN", "-Infinity", "1e999999999", "1e-999999", "0.001", "-1", "0"]


def hostile_amount() -> st.SearchStrategy[str]:
    """Negative, zero, huge, not-a-number, and not numeric at all."""
    return st.one_of(
        st.sampled_from(WORST_AMOUNTS),
        st.sampled_from(AMOUNTS),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.integers(-(10**40), 10**40).map(str),
        st.floats().map(repr),
        hostile_text(40),
    )


def valid_amount(low: int = 1, high: int = 4500) -> st.SearchStrategy[str]:
    """Pounds and pence as people type them: 4500, 4500.50, £4,500."""
    return st.builds(
        lambda pence, style: style(Decimal(pence) / 100),
        st.integers(low * 100, high * 100),
        st.sampled_from([str, lambda d: f"£{d:,}", lambda d: f" {d:.2f} "]),
    )


DATES = [
    "0000-01-01",
    "0001-01-01",
    "2023-02-29",
    "2024-02-31",
    "31/02/2024",
    "2024-13-01",
    "2024-00-10",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "99999999999999999999-01-01",
    "2024-1-1",
    "today",
    "",
]
DATETIMES = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "10000-01-01T00:00",
    "2024-02-31T12:00",
    "2024-03-31T01:30",  # does not exist in London: the clocks go forward
    "2024-10-27T01:30",  # happens twice in London
    "2024-06-01T24:00",
    "2024-06-01T12:60",
    "2024-06-01",
    "",
]


def hostile_date() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(DATES), st.dates().map(str), hostile_text(20))


def hostile_datetime() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(DATETIMES),
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        hostile_text(20),
    )


def local_input(moment: datetime.datetime) -> str:
    """A moment as a datetime-local input sends it: UK time, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def hostile_choice(*valid) -> st.SearchStrategy[str]:
    """A choice: one of the valid ones, or one no list holds."""
    worst = ["²", "9" * 25, "-1", "\x00"]  # "²" is a digit to isdigit(), not to int()
    odd = ["", "0", "١", "1.5", "None", "on", "true", "__all__", "1 ", "0x1"]
    return st.one_of(
        st.sampled_from(worst),
        st.sampled_from(odd),
        st.sampled_from([str(v) for v in valid] or [""]),
        hostile_text(30),
    )


def hostile_choices(*valid) -> st.SearchStrategy[list[str]]:
    """Several choices at once, duplicates and strangers included."""
    return st.lists(hostile_choice(*valid), max_size=4)


BOOLEANS = ["on", "true", "false", "0", "1", "", "yes", "no", "None", "\x00"]


def hostile_bool() -> st.SearchStrategy[str]:
    return st.sampled_from(BOOLEANS)


@st.composite
def form_data(draw, valid: dict, hostile: dict | None = None, *, most: int = 3) -> dict:
    """A post that is valid but for a few fields (any one field, and up to `most` of the
    fields `hostile` names), each made hostile, left out, or sent twice; now and then
    with a field no form has. With nothing corrupted the post is valid, so accepted
    posts are checked too; `most=0` keeps every field valid.

    `valid` and `hostile` map field names to strategies (or plain values); a field
    without its own attack gets hostile_text().
    """
    hostile = hostile or {}

    def strategy(value):
        return value if isinstance(value, st.SearchStrategy) else st.just(value)

    names = list(dict.fromkeys([*valid, *hostile]))
    corrupt = set(draw(st.sets(st.sampled_from(names), max_size=min(most, 1)))) if names else set()
    # Fields with attacks of their own (money, dates, choices, files) are where parsing
    # happens: two examples in three aim at up to `most` of them.
    if hostile and most and draw(st.integers(0, 2)):
        corrupt |= draw(st.sets(st.sampled_from(list(hostile)), min_size=1, max_size=most))
    data = {}
    for name in names:
        if name not in corrupt:
            if name in valid:
                data[name] = draw(strategy(valid[name]))
            continue
        bad = strategy(hostile.get(name, hostile_text()))
        how = draw(st.sampled_from(["hostile", "hostile", "hostile", "missing", "twice"]))
        if how == "hostile":
            data[name] = draw(bad)
        elif how == "twice":
            first = draw(st.one_of(bad, strategy(valid.get(name, bad))))
            data[name] = [first, draw(bad)]
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.sampled_from(["csrfmiddlewaretoken", "pk", "status", "id", MARK]))] = draw(
            hostile_text(20)
        )
    return data


def last(data: dict, name: str, default=None):
    """The value Django's QueryDict.get() sees: the last of a repeated field."""
    value = data.get(name, default)
    if isinstance(value, list):
        return value[-1] if value else default
    return value


def stripped(data: dict, name: str, default: str = "") -> str:
    """What a form that strips its text keeps of a field: the last value, stripped."""
    return (last(data, name, default) or "").strip()


def as_decimal(text: str) -> Decimal | None:
    """An amount as MoneyField reads it, for comparing with what was saved."""
    try:
        return Decimal(str(text).replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        return None


# --- Files ----------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16
FILE_NAMES = [
    "report.pdf",
    "../../etc/passwd",
    "..",
    ".",
    "",
    "con.pdf",
    "a" * 300 + ".pdf",
    "\U0001d4b6" * 120 + ".pdf",
    "invoice\u202efdp.exe",
    '"><img src=x onerror=alert("x7q")>.pdf',
    "&lt;script&gt;alert(&quot;x7q&quot;)&lt;/script&gt;.pdf",
    "C:\\Users\\me\\report.pdf",
    "report.pdf\x00.exe",
    "report\r\n.pdf",
    " .pdf",
    "$$$",
    "report.PDF",
    "noextension",
]
# Longer than a file system takes (255 bytes, here in 64 characters), and names no file has.
WORST_FILE_NAMES = ["\U0001d4b6" * 64 + ".pdf", "é" * 128 + ".pdf", "..", "\x00", "report.pdf"]
CONTENT_TYPES = [
    "application/pdf",
    "text/html",
    "image/svg+xml",
    "application/x-msdownload",
    "",
    "a" * 300,
    "text/html; charset=utf-8",
]


class Upload(io.BytesIO):
    """A file to post whose name is sent as it is: Django's own upload classes refuse
    names such as "..", and a hostile client is under no such rule. The test client
    puts the name in the part's header unquoted, after os.path.basename."""

    def __init__(self, name: str, content: bytes, content_type: str):
        super().__init__(content)
        self.name, self.content_type = name, content_type

    def __repr__(self):
        return f"Upload({self.name!r}, {len(self.getvalue())} bytes, {self.content_type!r})"


# Names people give their files: odd, marked up, long, but ending as the file's type does.
VALID_FILE_STEMS = [
    "report",
    "Budget 2025 (final) v2",
    f'"><img src=x onerror=alert("{MARK}")>',
    "Jo's notes & plans",
    "é" * 120,
    "\U0001d4b6" * 40,
    "e\u0301\u0302 \u202e\u200f",
    "..report",
]


@st.composite
def valid_file(draw, *, limit: int) -> Upload:
    """An upload a form should take: a PDF or PNG of 1 byte to `limit`, named to agree
    with what it is; the type the browser claims may be anything (nobody trusts it)."""
    head, extension, content_type = draw(
        st.sampled_from([(PDF, "pdf", "application/pdf"), (PNG, "png", "image/png")])
    )
    size = draw(st.sampled_from([len(head), limit - 1, limit]))
    content = head + b"\x00" * (size - len(head))
    name = f"{draw(st.sampled_from(VALID_FILE_STEMS))}.{draw(st.sampled_from([extension, extension.upper()]))}"
    return Upload(name, content, draw(st.sampled_from([content_type, *CONTENT_TYPES])))


@st.composite
def hostile_file(draw, *, limit: int) -> Upload:
    """An upload with a hostile name, a claimed type that may lie, and a size about the limit."""
    name = draw(
        st.one_of(
            st.sampled_from(WORST_FILE_NAMES),
            st.sampled_from(FILE_NAMES),
            # Longer than a file system takes (255 bytes), in characters or in bytes.
            st.builds(
                lambda piece, n: piece * n + ".pdf",
                st.sampled_from(["a", "\U0001d4b6", "é", "\u202e"]),
                st.sampled_from([64, 100, 128, 256]),
            ),
            hostile_text(120),
        )
    )
    head = draw(st.sampled_from([PDF, PNG, b"<html><script>alert(1)</script>", b"MZ\x90\x00", b""]))
    size = draw(st.sampled_from([len(head), limit - 1, limit, limit + 1, 0]))
    content = (head + b"\x00" * max(0, size - len(head)))[:size]
    return Upload(name, content, draw(st.sampled_from(CONTENT_TYPES)))


@st.composite
def csrf_case(draw) -> str:
    """Mostly an ordinary post; about one in four with a missing or forged CSRF token."""
    n = draw(st.integers(0, 11))
    if n < 9:
        return "ok"
    if n == 9:
        return "missing"
    if n == 10:
        return "other"
    token = draw(
        st.one_of(
            st.text(string.ascii_letters + string.digits, min_size=32, max_size=32),
            st.text(string.ascii_letters + string.digits, min_size=64, max_size=64),
            hostile_text(80),
        )
    )
    return f"forged:{token}"
