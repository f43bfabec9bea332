from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from comptoir.api.app import api
from comptoir.collect import views as collect_views
from comptoir.consent import views as consent_views
from comptoir.mail import views as mail_views
from comptoir.mail import webhooks as esp_webhooks
from comptoir.web import views
from comptoir.web.login import LoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers and feed readers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", RedirectView.as_view(url=static("comptoir/favicon.png"), permanent=True)),
    path("api/v1/", api.urls),
    path("webhooks/", include("comptoir.commerce.urls")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("w/<slug:slug>/", include("comptoir.web.urls")),
    path("u/<str:token>/", consent_views.unsubscribe, name="unsubscribe"),
    path("s/<str:token>/", include("comptoir.collect.urls")),
    path("c/<str:token>/", collect_views.confirm, name="signup_confirm"),
    path("t/o/<str:token>.gif", mail_views.track_open, name="track_open"),
    path("t/c/<str:token>/", mail_views.track_click, name="track_click"),
    path("webhooks/esp/<str:esp>/tracking/", esp_webhooks.esp_tracking, name="esp_tracking"),
    re_path(r"^media/(?P<path>.*)$", views.media, name="media"),
]

handler403 = "comptoir.web.views.forbidden"
handler404 = "comptoir.web.views.not_found"
