"""What an import does to the directory: bad rows, dry runs, duplicates, existing contacts,
and consent (X1, X2, C2)."""

from django.db import connection

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import consent_subscribe, consent_withdraw, suppression_add
from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Contact, ContactEvent, ContactTag, Tag
from comptoir.contacts.services import contact_create, contact_update
from comptoir.core.scoping import scoped
from tests.conftest import make_workspace
from tests.contacts.helpers import events_of, make_contact
from tests.transfer.helpers import contact, run_import, tag_names

Consent = Contact.Consent


def directory_state(workspace) -> dict:
    """Every row an import may write, to prove that nothing was."""
    return {
        "contacts": list(scoped(Contact, workspace).order_by("pk").values()),
        "tags": list(scoped(Tag, workspace).values_list("key", flat=True)),
        "links": ContactTag.objects.filter(contact__workspace=workspace).count(),
        "events": scoped(ContactEvent, workspace).count(),
        "ledger": scoped(ConsentEvent, workspace).count(),
        "suppressions": scoped(Suppression, workspace).count(),
    }


BAD_ROWS = (
    "Email,First name,Phone,Email subscription status,Has account,Created at\n"
    "good@example.com,Good,,subscribed,no,\n"  # line 2
    ",No address,,,,\n"  # line 3
    "not-an-address,Broken,,,,\n"  # line 4
    "\n"  # line 5: blank, ignored
    'multi@example.com,"Two\nlines",,,,\n'  # lines 6-7
    "phone@example.com,Phone,no digits,,,\n"  # line 8
    "status@example.com,Status,,maybe,,\n"  # line 9
    "account@example.com,Account,,,perhaps,\n"  # line 10
    "date@example.com,Date,,,,yesterday\n"  # line 11
    "last@example.com,Last,,,,\n"  # line 12
)


def test_good_rows_import_and_each_bad_row_is_reported_with_its_line_and_reason(workspace):
    job = run_import(workspace, BAD_ROWS)

    assert job.status == "completed"
    assert (job.total, job.created, job.errors_total) == (9, 3, 6)
    assert job.created + job.updated + job.skipped + job.errors_total == job.total
    errors = [(error.line, error.email, error.reason) for error in job.row_errors.all()]
    assert errors == [
        (3, "", "No e-mail address."),
        (4, "not-an-address", "“not-an-address” is not a valid e-mail address."),
        (8, "phone@example.com", "“no digits” is not a phone number."),
        (9, "status@example.com", "“maybe” is not a known e-mail subscription status."),
        (10, "account@example.com", "“perhaps” is neither yes nor no."),
        (
            11,
            "date@example.com",
            "“yesterday” is not a date (write 2026-11-23 or 2026-11-23T14:30:00+01:00).",
        ),
    ]
    assert contact(workspace, "multi@example.com").first_name == "Two lines"
    assert {c.email for c in scoped(Contact, workspace)} == {
        "good@example.com",
        "multi@example.com",
        "last@example.com",
    }


def test_a_dry_run_counts_what_a_real_run_would_do_and_writes_nothing(workspace, owner):
    existing = make_contact(workspace, "known@example.com", first_name="")
    content = (
        "Email,First name,Tags,Email subscription status\n"
        "known@example.com,Known,VIP,subscribed\n"
        'new@example.com,New,"VIP, Fidèle",unsubscribed\n'
        "new@example.com,Again,,\n"
        "broken,,,\n"
    )
    before = directory_state(workspace)

    dry = run_import(workspace, content, actor=owner, consent_confirmed=True, dry_run=True)

    assert directory_state(workspace) == before
    assert (dry.status, dry.dry_run) == ("completed", True)
    real = run_import(workspace, content, actor=owner, consent_confirmed=True)
    counts = ("total", "created", "updated", "skipped", "errors_total")
    assert [getattr(dry, name) for name in counts] == [getattr(real, name) for name in counts]
    assert (real.created, real.updated, real.skipped, real.errors_total) == (1, 1, 1, 1)
    existing.refresh_from_db()
    assert existing.first_name == "Known"


def test_duplicates_inside_the_file_make_one_contact_first_row_wins_tags_merge(workspace):
    content = (
        "Email,First name,Last name,Tags\n"
        "Zoe@Example.com,Zoé,,VIP\n"
        "zoe@example.com,Zoe,Lefèvre,Fidèle\n"
        "ZOE@EXAMPLE.COM,Z,,vip\n"
    )
    job = run_import(workspace, content)

    assert (job.created, job.skipped, job.errors_total) == (1, 2, 0)
    zoe = contact(workspace, "zoe@example.com")
    assert (zoe.email, zoe.first_name, zoe.last_name) == ("Zoe@example.com", "Zoé", "")
    assert tag_names(zoe) == ["Fidèle", "VIP"]


def test_an_existing_contact_gets_its_empty_details_filled_and_tags_added_never_overwritten(
    workspace, owner
):
    camille = make_contact(
        workspace, "camille@example.com", first_name="Camille", phone="", tags=["Old"]
    )
    content = (
        "Email,First name,Last name,Phone,Tags\n"
        "CAMILLE@example.com,Kamille,Martin,06 12 34 56 78,New\n"
    )
    job = run_import(workspace, content, actor=owner)

    assert (job.created, job.updated, job.skipped) == (0, 1, 0)
    camille.refresh_from_db()
    assert (camille.email, camille.first_name, camille.last_name) == (
        "camille@example.com",
        "Camille",
        "Martin",
    )
    assert camille.phone == "+33612345678"
    assert "martin" in camille.search_text and "0612345678" in camille.search_text
    assert camille.name_key == "camille martin"
    assert tag_names(camille) == ["New", "Old"]
    edited = events_of(camille, ContactKind.EDITED)[-1]
    assert edited.data == {"changes": {"last_name": ["", "Martin"], "phone": ["", "+33612345678"]}}
    assert edited.actor == owner
    assert events_of(camille, ContactKind.TAG_ADDED)[-1].data == {"tag": "New"}


def test_a_locked_contact_keeps_its_details_but_gets_the_tags(workspace, owner):
    locked = make_contact(workspace, "locked@example.com")
    contact_update(contact=locked, actor=owner, first_name="Édith")  # a manual edit locks
    content = "Email,First name,Last name,Tags\nlocked@example.com,Other,Piaf,Chanteuse\n"

    run_import(workspace, content)

    locked.refresh_from_db()
    assert (locked.first_name, locked.last_name, locked.locked) == ("Édith", "", True)
    assert tag_names(locked) == ["Chanteuse"]


def test_reimporting_the_same_file_changes_nothing_and_counts_skipped(workspace):
    content = "Email,First name,Tags\nsame@example.com,Same,VIP\n"
    run_import(workspace, content)
    before = directory_state(workspace)

    again = run_import(workspace, content)

    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
    assert directory_state(workspace) == before


def test_without_the_importers_confirmation_nobody_is_subscribed(workspace, owner):
    content = "Email,Accepts Email Marketing\na@example.com,yes\nb@example.com,yes\n"
    job = run_import(workspace, content, actor=owner, consent_confirmed=False)

    assert job.created == 2
    assert {c.consent for c in scoped(Contact, workspace)} == {Consent.NOT_SUBSCRIBED}
    assert not scoped(ConsentEvent, workspace).exists()


def test_an_erased_or_bounced_address_is_never_resubscribed_by_an_import(workspace, owner):
    suppression_add(
        workspace=workspace, email="erased@example.com", reason="erased", keep_address=False
    )
    suppression_add(workspace=workspace, email="bounced@example.com", reason="bounce")
    content = (
        "Email,Email subscription status\n"
        "erased@example.com,subscribed\n"
        "bounced@example.com,subscribed\n"
    )

    run_import(workspace, content, actor=owner, consent_confirmed=True)

    assert contact(workspace, "erased@example.com").consent == Consent.NOT_SUBSCRIBED
    assert contact(workspace, "bounced@example.com").consent == Consent.NOT_SUBSCRIBED
    assert not scoped(ConsentEvent, workspace).filter(status="subscribed").exists()
    assert scoped(Suppression, workspace).count() == 2  # never lifted


def test_an_unsubscribed_row_unsubscribes_a_subscribed_contact(workspace, owner):
    fan = make_contact(workspace, "fan@example.com")
    consent_subscribe(contact=fan, source="dashboard", explicit_consent_confirmed=True, actor=owner)
    content = "Email,Email subscription status\nfan@example.com,unsubscribed\n"

    job = run_import(workspace, content, actor=owner, consent_confirmed=True)

    fan.refresh_from_db()
    assert (fan.consent, job.updated) == (Consent.UNSUBSCRIBED, 1)
    latest = scoped(ConsentEvent, workspace).filter(contact=fan).last()
    assert (latest.status, latest.source) == ("unsubscribed", "import")


def test_a_contact_who_unsubscribed_here_is_not_resubscribed_by_a_file(workspace, owner):
    left = make_contact(workspace, "left@example.com")
    consent_subscribe(
        contact=left, source="dashboard", explicit_consent_confirmed=True, actor=owner
    )
    consent_withdraw(contact=left, source="unsubscribe_link")
    content = "Email,Email subscription status\nleft@example.com,subscribed\n"

    job = run_import(workspace, content, actor=owner, consent_confirmed=True)

    left.refresh_from_db()
    assert (left.consent, job.skipped) == (Consent.UNSUBSCRIBED, 1)


def test_the_strongest_consent_of_an_address_in_the_file_wins(workspace, owner):
    content = (
        "Email,Email subscription status\n"
        "twice@example.com,subscribed\n"
        "twice@example.com,unsubscribed\n"
    )
    job = run_import(workspace, content, actor=owner, consent_confirmed=True)
    assert contact(workspace, "twice@example.com").consent == Consent.UNSUBSCRIBED
    # The second row is what happened to the contact, not an ignored row.
    assert (job.created, job.unsubscribed_by_later_row, job.skipped) == (1, 1, 0)


def test_a_later_row_that_unsubscribes_a_known_contact_is_counted_as_such(workspace, owner):
    fan = make_contact(workspace, "fan@example.com")
    consent_subscribe(contact=fan, source="dashboard", explicit_consent_confirmed=True)
    gone = make_contact(workspace, "gone@example.com")
    consent_withdraw(contact=gone, source="unsubscribe_link")
    content = (
        "Email,First name,Email subscription status\n"
        "fan@example.com,Fan,\n"
        "gone@example.com,Gone,\n"
        "new@example.com,New,unsubscribed\n"
        "fan@example.com,,Unsubscribed\n"  # unsubscribes fan: counted
        "gone@example.com,,unsubscribed\n"  # gone was out already: nothing happened
        "new@example.com,,unsubscribed\n"  # the first row of new said so already
        "fan@example.com,,unsubscribed\n"  # a second time: nothing more happened
    )

    job = run_import(workspace, content, actor=owner)

    fan.refresh_from_db()
    assert fan.consent == Consent.UNSUBSCRIBED
    assert (job.created, job.updated, job.unsubscribed_by_later_row) == (1, 2, 1)
    assert job.skipped == 3
    assert job.created + job.updated + job.skipped + job.unsubscribed_by_later_row == job.total


def test_a_dry_run_counts_the_later_rows_that_would_unsubscribe(workspace, owner):
    content = "Email,Email subscription status\nx@example.com,\nx@example.com,unsubscribed\n"
    job = run_import(workspace, content, actor=owner, dry_run=True)
    assert (job.created, job.unsubscribed_by_later_row, job.skipped) == (1, 1, 0)
    assert not scoped(Contact, workspace).exists()


def test_a_file_with_too_many_new_tags_fails_and_writes_nothing(workspace):
    rows = "".join(f"t{n}@example.com,tag {n}\n" for n in range(Tag.MAX_PER_WORKSPACE + 1))
    before = directory_state(workspace)

    job = run_import(workspace, "Email,Tags\n" + rows)

    assert job.status == "failed"
    assert "at most 250 tags" in job.failure_message
    assert directory_state(workspace) == before


def test_the_timeline_of_an_imported_contact_says_where_it_came_from(workspace, owner):
    content = "Email,Tags,Email subscription status\nnew@example.com,VIP,subscribed\n"
    run_import(workspace, content, actor=owner, consent_confirmed=True)

    new = contact(workspace, "new@example.com")
    kinds = [(event.kind, event.data) for event in events_of(new)]
    # One entry for the new contact, with the tags and the consent it came with...
    assert kinds == [
        (
            "created",
            {
                "source": "import",
                "tags": ["VIP"],
                "consent": {"status": "subscribed", "source": "import"},
            },
        ),
    ]
    assert {event.actor for event in events_of(new)} == {owner}
    # ... and the consent's proof in the ledger, as for any subscription.
    ledger = scoped(ConsentEvent, workspace).filter(contact=new)
    assert [(e.status, e.source, e.actor) for e in ledger] == [("subscribed", "import", owner)]


def test_an_address_added_by_someone_else_during_the_merge_is_updated_not_duplicated(
    workspace, owner, monkeypatch
):
    # Given someone adds an address of the file by hand while the import is merging
    from comptoir.transfer.import_merge import Merge

    ensure_tags = Merge._ensure_tags

    def meanwhile(merge):
        ensure_tags(merge)
        contact_create(workspace=workspace, actor=owner, email="late@example.com")

    monkeypatch.setattr(Merge, "_ensure_tags", meanwhile)

    # When the import ends
    job = run_import(
        workspace, "Email,First name\nlate@example.com,Zoé\nnew@example.com,Karim\n", actor=owner
    )

    # Then that address is one contact, its empty name filled from the file like any
    # existing contact's, and the counts say so
    assert scoped(Contact, workspace).filter(email_key="late@example.com").count() == 1
    assert contact(workspace, "late@example.com").first_name == "Zoé"
    assert (job.created, job.updated, job.errors_total) == (1, 1, 0)


def test_a_large_import_leaves_fresh_planner_statistics_and_a_dry_run_none(
    workspace, owner, monkeypatch
):
    # Given imports count as large from two contacts on
    from comptoir.transfer import import_merge

    monkeypatch.setattr(import_merge, "ANALYZE_AFTER", 2)
    content = "Email\na@example.com\nb@example.com\n"

    # When one is imported for real and one as a dry run
    real = run_import(workspace, content, actor=owner)
    dry = run_import(make_workspace("Other", owner), content, actor=owner, dry_run=True)

    # Then only the real one refreshed the statistics (PostgreSQL's; SQLite has no ANALYZE
    # worth it at this size)
    assert ("analyze" in real.timings) == (connection.vendor == "postgresql")
    assert "analyze" not in dry.timings
