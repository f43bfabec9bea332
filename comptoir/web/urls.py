from django.urls import path

from comptoir.web import views

urlpatterns = [
    path("contacts/", views.contacts, name="contacts"),
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
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.settings_token_revoke,
        name="settings_token_revoke",
    ),
]
