from urllib.parse import urlsplit

from django.test import Client

from comptoir.collect.selectors import public_urls
from comptoir.collect.services import signup_settings_get, signup_settings_update

UA = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


def page_path(workspace, **changes) -> str:
    settings = (
        signup_settings_update(workspace=workspace, **changes)
        if changes
        else signup_settings_get(workspace=workspace)
    )
    return urlsplit(public_urls(settings)["url"]).path


def submit(path, data, *, client=None, ip="203.0.113.7", **headers):
    client = client or Client()
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    fields = {"email": "zoe@example.com", "first_name": "Zoé", "phone": "", "consent": "on"}
    fields.update(data)
    fields = {key: value for key, value in fields.items() if value is not None}
    return client.post(path, fields, REMOTE_ADDR=ip, HTTP_USER_AGENT=UA, **headers)
