from django.urls import path

from comptoir.web import (
    consent_pages,
    contact_pages,
    directory,
    export_pages,
    outbox_pages,
    segment_pages,
    suppression_pages,
    tag_manager,
    views,
)

contact = "contacts/<int:contact_id>/"

urlpatterns = [
    path("contacts/", directory.contact_list, name="contacts"),
    path("contacts/bulk/", directory.contact_bulk, name="contacts_bulk"),
    path("contacts/export/", export_pages.contact_export, name="contacts_export"),
    path("contacts/new/", contact_pages.contact_new, name="contact_new"),
    path("contacts/tags/", tag_manager.tag_list, name="tags"),
    path("contacts/tags/<int:tag_id>/rename/", tag_manager.tag_rename, name="tag_rename"),
    path("contacts/tags/<int:tag_id>/delete/", tag_manager.tag_delete, name="tag_delete"),
    path("contacts/segments/", segment_pages.segment_list, name="segments"),
    path("contacts/segments/new/", segment_pages.segment_new, name="segment_new"),
    path(
        "contacts/segments/<int:segment_id>/delete/",
        segment_pages.segment_delete,
        name="segment_delete",
    ),
    path("contacts/suppressions/", suppression_pages.suppression_list, name="suppressions"),
    path(
        "contacts/suppressions/export/",
        export_pages.suppression_export,
        name="suppressions_export",
    ),
    path(contact, contact_pages.contact_detail, name="contact_detail"),
    path(f"{contact}edit/", contact_pages.contact_edit, name="contact_edit"),
    path(f"{contact}delete/", contact_pages.contact_delete, name="contact_delete"),
    path(f"{contact}unlock/", contact_pages.contact_unlock, name="contact_unlock"),
    path(f"{contact}tags/", contact_pages.contact_tags_add, name="contact_tags_add"),
    path(f"{contact}tags/remove/", contact_pages.contact_tag_remove, name="contact_tag_remove"),
    path(f"{contact}notes/", contact_pages.note_add, name="note_add"),
    path(f"{contact}notes/<int:note_id>/edit/", contact_pages.note_edit, name="note_edit"),
    path(f"{contact}notes/<int:note_id>/delete/", contact_pages.note_delete, name="note_delete"),
    path(f"{contact}consent/subscribe/", consent_pages.consent_subscribe, name="consent_subscribe"),
    path(
        f"{contact}consent/unsubscribe/",
        consent_pages.consent_unsubscribe,
        name="consent_unsubscribe",
    ),
    path(f"{contact}email/", consent_pages.contact_email, name="contact_email"),
    path(f"{contact}export/", consent_pages.contact_data_export, name="contact_data_export"),
    path(f"{contact}erase/", consent_pages.contact_data_erase, name="contact_data_erase"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("automations/", views.automations, name="automations"),
    path("signups/", views.signups, name="signups"),
    path("settings/", views.settings_workspace, name="settings"),
    path("settings/staff/", views.settings_staff, name="settings_staff"),
    path(
        "settings/staff/<int:membership_id>/role/",
        views.settings_staff_role,
        name="settings_staff_role",
    ),
    path(
        "settings/staff/<int:membership_id>/remove/",
        views.settings_staff_remove,
        name="settings_staff_remove",
    ),
    path("settings/tokens/", views.settings_tokens, name="settings_tokens"),
    path("settings/outbox/", outbox_pages.outbox_list, name="settings_outbox"),
    path(
        "settings/outbox/<int:message_id>/",
        outbox_pages.outbox_detail,
        name="settings_outbox_message",
    ),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.settings_token_revoke,
        name="settings_token_revoke",
    ),
]
