"""What the merchant pastes into their own site: the widget and the contact form (S3, S4)."""

from django.template.loader import render_to_string

from comptoir.collect.forms import ContactForm, signup_form
from comptoir.collect.models import SignupSettings
from comptoir.collect.selectors import public_urls


def widget_snippet(settings: SignupSettings) -> str:
    """A script that writes the form and sends it in place; the same form in <noscript>
    for a browser without JavaScript, posting to the same address."""
    urls = public_urls(settings)
    form_html = render_to_string(
        "collect/widget_form.html",
        {"form": signup_form(settings), "action": urls["url"] + "widget/"},
    )
    return render_to_string(
        "collect/widget_snippet.html",
        {"form_html": form_html, "script_url": urls["url"] + "widget.js"},
    )


def contact_snippet(settings: SignupSettings) -> str:
    return render_to_string(
        "collect/contact_snippet.html",
        {"form": ContactForm(), "action": public_urls(settings)["url"] + "contact/"},
    )
