"""`comptoir check --deploy`: a consent state that no ledger entry holds."""

from django.core.checks import Warning, register
from django.db import DatabaseError

from comptoir.consent.selectors import consent_mismatches

SHOWN = 5


@register("consent", deploy=True)
def consent_ledger_check(app_configs, **kwargs):
    """K1: a contact's state is its ledger's latest entry. A state written around the
    consent services (a raw update, an old demo) would let marketing reach someone whose
    consent nothing proves — `marketing_recipients()` reads the stored state. A deploy
    check, so that no other command pays for reading every contact."""
    try:
        found = list(consent_mismatches().values_list("workspace_id", "pk")[: SHOWN + 1])
        total = consent_mismatches().count() if len(found) > SHOWN else len(found)
    except DatabaseError:
        return []  # no database or not migrated yet: other commands say so themselves
    if not total:
        return []
    examples = ", ".join(f"contact {pk} of workspace {ws}" for ws, pk in found[:SHOWN])
    return [
        Warning(
            f"{total} contact(s) have a marketing consent state that their consent ledger "
            f"does not hold (e.g. {examples}); marketing_recipients() trusts that state.",
            hint="Record their consent through the consent services (dashboard, API or "
            "import with a consent column), or unsubscribe them.",
            id="comptoir.W002",
        )
    ]
