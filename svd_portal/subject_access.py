"""Subject access (UK GDPR, Article 15): everything the portal holds about one person, as a
ZIP of JSON files and the files they uploaded.

Each app says what it holds about a person by registering a collector (in its AppConfig's
ready(), from its own subject_access module): a name, and a function of the person that
returns the rows (plain values) and the files to include. This module knows none of the
apps; it puts what they return together."""

import datetime
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone


@dataclass
class Held:
    """What one app holds about a person under one name: rows of plain values, and files
    as (name in the ZIP, an open-able FieldFile)."""

    rows: list[dict]
    files: list[tuple[str, object]] = field(default_factory=list)


COLLECTORS: dict[str, Callable[[object], Held]] = {}


class Encoder(DjangoJSONEncoder):
    """Times in UK time, to the microsecond, with their offset; amounts as strings."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return timezone.localtime(o).isoformat()
        return super().default(o)


def register(name: str, collect: Callable[[object], Held]) -> None:
    COLLECTORS[name] = collect


def collect(person) -> dict[str, Held]:
    """What every app holds about `person`, by name, in the order the names sort."""
    return {name: COLLECTORS[name](person) for name in sorted(COLLECTORS)}


def archive(person) -> bytes:
    """The ZIP: README.txt, one <name>.json a collector, and files/<name>/… for files."""
    held = collect(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
        zip_file.writestr(
            "README.txt",
            f"Everything the portal holds about {person.get_username()}, "
            f"made {timezone.localtime():%d %B %Y at %H:%M} (UK time).\n"
            "Each .json file is one kind of record; files/ holds the files they uploaded.\n",
        )
        for name, part in held.items():
            zip_file.writestr(f"{name}.json", json.dumps(part.rows, cls=Encoder, indent=2))
            for path, stored in part.files:
                with stored.open("rb") as handle:
                    zip_file.writestr(f"files/{name}/{path}", handle.read())
    return buffer.getvalue()
