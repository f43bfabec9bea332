"""pydantic types for API input whose JSON Schema says exactly what they accept.

A client generated from the OpenAPI schema (and schemathesis, in tests/api/test_openapi_fuzz.py)
trusts the schema: every value it allows must be accepted, every value it forbids refused.
pydantic's own types are laxer than their schemas (a Decimal takes "1e3", a datetime takes a
Unix time) and their schemas laxer than the rules (a Decimal's string is any string); these
types parse what their schema declares and nothing else.
"""

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, EmailStr, Field, WithJsonSchema

# At least one character that a stored line keeps: not white space, not a control character
# (normalize.clean_line drops those, and a name of nothing but them is blank).
PRINTABLE = r"[^\s\x00-\x1f\x7f-\x9f]"


# An e-mail address as email-validator takes it: not at a special-use domain (RFC 6761 and
# others), which it refuses.
EMAIL = {
    "type": "string",
    "format": "email",
    "maxLength": 254,
    "not": {
        "pattern": "[.@]([aA][rR][pP][aA]|[iI][nN][vV][aA][lL][iI][dD]|[lL][oO][cC][aA][lL]"
        "|[lL][oO][cC][aA][lL][hH][oO][sS][tT]|[oO][nN][iI][oO][nN]|[tT][eE][sS][tT])$"
    },
}
# "" for no value, where a text field may be cleared.
NO_VALUE = {"type": "string", "maxLength": 0}
EmailAddress = Annotated[EmailStr, WithJsonSchema(EMAIL)]


def _money_parser(integer_digits: int, numbers: bool, maximum: Decimal, ruled: bool):
    # `ruled`: a service checks the sign and the size itself, to answer its own 422 code.
    digits = "-?[0-9]+" if ruled else f"[0-9]{{1,{integer_digits}}}"
    pattern = re.compile(rf"{digits}(\.[0-9]+)?")

    def parse(value):
        if isinstance(value, Decimal):  # from Python callers (the dashboard's forms)
            return value
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if numbers and number and (ruled or 0 <= value <= maximum):
            return Decimal(str(value))
        raise ValueError(f"an amount is a decimal string such as 12.50, at most {maximum}")

    return parse


def money_input(
    *, integer_digits: int, maximum: Decimal, numbers: bool = False, ruled: bool = False, **field
):
    """A non-negative amount: a decimal string of at most `integer_digits` before the point
    (more decimals are rounded half-up by the services), or also a JSON number up to
    `maximum` when `numbers`. With `ruled`, negative and larger amounts get through to the
    service that refuses them with its own code; text that is no number never does."""
    text = {"type": "string", "pattern": rf"^[0-9]{{1,{integer_digits}}}(\.[0-9]+)?$"}
    schema = text
    if numbers:
        schema = {"anyOf": [text, {"type": "number", "minimum": 0, "maximum": float(maximum)}]}
    if field.get("description"):
        schema = {**schema, "description": field.pop("description")}
    return Annotated[
        Decimal,
        BeforeValidator(_money_parser(integer_digits, numbers, maximum, ruled)),
        WithJsonSchema({**schema, "examples": ["12.50"]}),
        Field(**field),
    ]


def _json_int(value):
    # JSON has one number type: 2.0 is the integer 2 to JSON Schema. A string is not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("a whole number")


# An integer of a JSON body: pydantic would also read "2" and true.
JsonInt = Annotated[int, BeforeValidator(_json_int)]


def _query_flag(value):
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("true or false")


# A boolean of a query string, or of a JSON body for the same filter: pydantic would also
# read 1, "yes" and "on".
Flag = Annotated[bool, BeforeValidator(_query_flag)]


def _instant(value):
    # A string ISO 8601 reads; pydantic would also take a number for a Unix time.
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ].+)?", value):
        return value
    raise ValueError("an ISO 8601 date, or date and time")


# A date (midnight) or a date and time; without an offset it is read in the workspace's zone.
FilterInstant = Annotated[
    dt.datetime,
    BeforeValidator(_instant),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "string", "format": "date"},
            ]
        }
    ),
]


# The model checks it (422 `invalid`); the schema names the zones it knows.
TimeZone = Annotated[
    str,
    Field(max_length=64),
    WithJsonSchema({"type": "string", "enum": sorted(zoneinfo.available_timezones())}),
]
