"""schemathesis hooks of the bounded run (tests/api/fuzz/schemathesis.toml)."""

import schemathesis
from schemathesis.core.parameters import ParameterLocation


@schemathesis.hook
def map_case(context, case):
    """No generated cursor in a request meant to be valid.

    A cursor is opaque: the only valid ones are the `next_cursor` values the API returned,
    which no generator can make from the schema (it declares their alphabet and length, and
    any other string is refused with 422 `invalid_cursor`). Cursors the API returned are
    followed by tests/api/test_pagination*.py; a generated one is still sent in the cases
    meant to be refused.
    """
    negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY)
    if case.query and "cursor" in case.query and not negative:
        case.query = {name: value for name, value in case.query.items() if name != "cursor"}
    return case
