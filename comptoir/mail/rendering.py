"""Turning a subject and a Markdown body into the e-mail one contact receives (E1, W2).

One layout for every e-mail: the business's logo and colours, the content, and a footer
with the business's name and postal address; marketing e-mails add the unsubscribe link.
CSS is inlined because Gmail and Outlook ignore <style> blocks in many places.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from markdown_it import MarkdownIt

from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace

# {{ first_name }} or {{ first_name | there }}: the text after the bar is the fallback.
PLACEHOLDER = re.compile(
    r"\{\{\s*(first_name|last_name|full_name|email|company|business_name)\s*"
    r"(?:\|\s*([^}]*?))?\s*\}\}"
)
# Raw HTML in the body is shown as text, never interpreted: staff write Markdown.
_markdown = MarkdownIt("commonmark", {"html": False})


@dataclass
class Rendered:
    subject: str
    html: str
    text: str
    links: list[str]


def language_of(contact: Contact) -> str:
    code = (contact.language or "")[:2].lower()
    return code if code in ("fr", "en") else contact.workspace.language


def placeholder_values(contact: Contact) -> dict[str, str]:
    full_name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "full_name": full_name,
        "email": contact.email,
        "company": contact.company,
        "business_name": contact.workspace.name,
    }


def personalise(text: str, values: dict[str, str], *, escape: bool) -> str:
    def value(match: re.Match) -> str:
        found = values.get(match.group(1)) or (match.group(2) or "").strip().strip("\"'")
        return html.escape(found) if escape else found

    return PLACEHOLDER.sub(value, text)


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith(("http://", "https://")) and href not in self.links:
            self.links.append(href)


def http_links(fragment: str) -> list[str]:
    collector = _LinkCollector()
    collector.feed(fragment)
    return collector.links


def logo_url(workspace: Workspace) -> str | None:
    if not workspace.logo:
        return None
    return urljoin(settings.COMPTOIR_BASE_URL + "/", workspace.logo.url.lstrip("/"))


def render_message(
    *,
    contact: Contact,
    subject: str,
    body_markdown: str,
    preheader: str = "",
    unsubscribe_url: str | None = None,
    track_link=None,
    open_pixel_url: str | None = None,
) -> Rendered:
    """The subject, HTML and text of one e-mail to `contact`.

    `unsubscribe_url` marks a marketing e-mail. `track_link(url) -> url` rewrites the
    content's links for click tracking; the links returned are the original ones.
    """
    workspace = contact.workspace
    values = placeholder_values(contact)
    with translation.override(language_of(contact)):
        content = personalise(_markdown.render(body_markdown), values, escape=True)
        links = http_links(content)
        if track_link is not None:
            for link in links:
                quoted = html.escape(link, quote=True)
                content = content.replace(
                    f'href="{quoted}"', f'href="{html.escape(track_link(link), quote=True)}"'
                )
        context = {
            "business": workspace,
            "logo_url": logo_url(workspace),
            "subject": personalise(subject, values, escape=False),
            "preheader": personalise(preheader, values, escape=False),
            "content": content,
            "unsubscribe_url": unsubscribe_url,
            "open_pixel_url": open_pixel_url,
            "text_body": personalise(body_markdown, values, escape=False).strip(),
        }
        page = render_to_string("mail/message.html", context)
        text = render_to_string("mail/message.txt", context)
    return Rendered(
        subject=context["subject"],
        html=css_inline.inline(page),
        text=text.strip() + "\n",
        links=links,
    )
