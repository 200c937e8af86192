"""The 360Giving Data Standard's own schemas (../shared/standards/360giving), with the
package schema's reference to the grant schema resolved to the local copy: no network
here. Format checking is on, as the standard's awardDate needs it."""

import json
from pathlib import Path

import referencing
import referencing.jsonschema
from django.conf import settings
from jsonschema import Draft202012Validator

STANDARD = Path(settings.BASE_DIR).parent / "shared" / "standards" / "360giving"


def validator(schema_name: str) -> Draft202012Validator:
    """The standard's schema, its package's reference to the grant schema resolved to the
    local copy (no network here)."""
    grant = json.loads((STANDARD / "360-giving-schema.json").read_text())
    package = json.loads((STANDARD / "360-giving-package-schema.json").read_text())
    resource = referencing.jsonschema.DRAFT202012.create_resource
    grant_url = package["properties"]["grants"]["items"]["$ref"]
    registry = referencing.Registry().with_resources(
        [(grant_url, resource(grant)), (package["$id"], resource(package))]
    )
    schema = package if schema_name == "package" else grant
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
