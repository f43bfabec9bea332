"""Turning a subject and a Markdown body into the e-mail one person receives (E1, W2).

One layout for every e-mail Comptoir sends, to contacts and to staff alike: the business's
logo and colours, the content, and a footer with the business's name and postal address;
marketing e-mails add the unsubscribe link. CSS is inlined because Gmail and Outlook ignore
<style> blocks in many places; only the phone-width rules stay in one.
"""

import html
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urljoin

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.commerce.models import Product
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.mail import blocks, templating
from comptoir.mail.plaintext import render_text

__all__ = [
    "Brand",
    "Rendered",
    "language_of",
    "markdown_escape",
    "placeholder_values",
    "render_message",
    "render_preview",
    "render_staff_message",
    "template_errors",
]

_markdown = blocks.markdown()
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
# Mail clients show the first words of the body after the preheader unless it is padded.
_PREHEADER_PADDING = "&#8199;&#847;" * 60
_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


@dataclass
class Rendered:
    subject: str
    html: str
    text: str
    links: list[str]


@dataclass(frozen=True)
class Brand:
    """Who an e-mail comes from, as its header and footer show it (W2)."""

    name: str
    postal_address: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    brand_color: str = "#1f4e79"
    accent_color: str = "#e07a1f"
    logo_url: str | None = None
    currency: str = "EUR"

    @classmethod
    def of(cls, workspace: Workspace | None) -> "Brand":
        if workspace is None:
            return cls(name="Comptoir")
        return cls(
            name=workspace.name,
            postal_address=workspace.postal_address,
            contact_email=workspace.contact_email,
            contact_phone=workspace.contact_phone,
            brand_color=workspace.brand_color,
            accent_color=workspace.accent_color,
            logo_url=logo_url(workspace),
            currency=workspace.currency,
        )


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


def logo_url(workspace: Workspace) -> str | None:
    if not workspace.logo:
        return None
    return urljoin(settings.COMPTOIR_BASE_URL + "/", workspace.logo.url.lstrip("/"))


class _Marked:
    """A body whose tags are replaced by markers Markdown leaves alone (letters and digits),
    so that a first name like `*Zoé*` is never read as Markdown, and is escaped for where
    it lands: HTML text, or a link's address."""

    def __init__(self, body_markdown: str, values: dict[str, str]):
        nonce = secrets.token_hex(4)
        self.marker = re.compile(rf"Q{nonce}T(\d+)E")
        self.values: list[str] = []
        self.sources: list[str] = []
        pieces = []
        for part in templating.parse(body_markdown)[0]:
            if isinstance(part, str):
                pieces.append(part)
            else:
                pieces.append(f"Q{nonce}T{len(self.values)}E")
                self.values.append(part.value(values))
                self.sources.append(part.source)
        self.source = "".join(pieces)

    def fill(self, text: str, *, escape=None) -> str:
        escape = escape or (lambda value: value)
        return self.marker.sub(lambda m: escape(self.values[int(m.group(1))]), text)

    def restore(self, text: str) -> str:
        """`text` with its tags as the merchant wrote them."""
        return self.marker.sub(lambda m: self.sources[int(m.group(1))], text)

    def fill_url(self, url: str) -> str:
        return self.fill(url, escape=lambda value: quote(value, safe=""))

    def fill_html(self, page: str) -> str:
        page = _ATTRIBUTE.sub(
            lambda m: f'{m.group(1)}="{self.fill(m.group(2), escape=_attribute_value)}"', page
        )
        return self.fill(page, escape=html.escape)


def _attribute_value(value: str) -> str:
    return html.escape(quote(value, safe=""), quote=True)


def _track(content: str, track_link) -> tuple[str, list[str]]:
    """The web links of `content` in order, and `content` with each one rewritten by
    `track_link` (click tracking), buttons and products included."""
    links: list[str] = []

    def rewrite(match: re.Match) -> str:
        if match.group(1) != "href":
            return match.group(0)
        url = html.unescape(match.group(2))
        if not blocks.web_address(url):
            return match.group(0)
        if url not in links:
            links.append(url)
        if track_link is None:
            return match.group(0)
        return f'href="{html.escape(track_link(url), quote=True)}"'

    return _ATTRIBUTE.sub(rewrite, content), links


def _products(workspace: Workspace | None, tokens) -> dict[str, Product]:
    wanted = {b.product_id for b in blocks.blocks_of(tokens) if b.kind == "product"}
    if not wanted or workspace is None:
        return {}
    found = scoped(Product, workspace).filter(external_id__in=wanted)
    return {product.external_id: product for product in found}


def _render(
    *,
    workspace: Workspace | None,
    language: str,
    values: dict[str, str],
    subject: str,
    body_markdown: str,
    preheader: str,
    unsubscribe_url: str | None,
    track_link,
    open_pixel_url: str | None,
    subject_tags: bool = True,
) -> Rendered:
    brand = Brand.of(workspace)
    marked = _Marked(body_markdown, values)
    with translation.override(language):
        env = {"workspace": brand, "url": marked.fill_url}
        tokens = _markdown.parse(marked.source, env)
        env["products"] = _products(workspace, tokens)
        content = marked.fill_html(_markdown.renderer.render(tokens, _markdown.options, env))
        content, links = _track(content, track_link)
        text_body = marked.fill(render_text(tokens, env)).strip()
        context = {
            "brand": brand,
            "header_text_colour": blocks.readable_on(brand.brand_color),
            "subject": templating.personalise(subject, values) if subject_tags else subject,
            "preheader": templating.personalise(preheader, values),
            "preheader_padding": _PREHEADER_PADDING,
            "content": content,
            "unsubscribe_url": unsubscribe_url,
            "open_pixel_url": open_pixel_url,
            "text_body": text_body,
        }
        page = render_to_string("mail/message.html", context)
        text = render_to_string("mail/message.txt", context)
    return Rendered(
        subject=context["subject"],
        html=_inliner.inline(page),
        text=text.strip() + "\n",
        links=links,
    )


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
    return _render(
        workspace=contact.workspace,
        language=language_of(contact),
        values=placeholder_values(contact),
        subject=subject,
        body_markdown=body_markdown,
        preheader=preheader,
        unsubscribe_url=unsubscribe_url,
        track_link=track_link,
        open_pixel_url=open_pixel_url,
    )


def sample_contact(workspace: Workspace) -> Contact:
    """The person a preview is addressed to when no real contact is chosen (never saved)."""
    return Contact(
        workspace=workspace,
        first_name=_("Camille"),
        last_name=_("Martin"),
        email="camille.martin@example.com",
        language=workspace.language,
    )


def render_preview(
    *,
    workspace: Workspace,
    contact: Contact | None = None,
    subject: str,
    preheader: str = "",
    body_markdown: str,
    marketing: bool = True,
) -> Rendered:
    """What the composer shows: the e-mail as `contact` (or a sample person) would get it,
    with no tracking, and an unsubscribe link that leads nowhere."""
    if contact is None:
        with translation.override(workspace.language):
            contact = sample_contact(workspace)
    return render_message(
        contact=contact,
        subject=subject,
        body_markdown=body_markdown,
        preheader=preheader,
        unsubscribe_url="#" if marketing else None,
    )


def render_staff_message(
    *, workspace: Workspace | None, language: str, subject: str, body_markdown: str
) -> Rendered:
    """An e-mail to a member of staff (an invitation, a password link), in the layout of
    the business it concerns, or Comptoir's own when there is none. No tags, no tracking."""
    return _render(
        workspace=workspace,
        language=language,
        values={},
        subject=subject,
        body_markdown=body_markdown,
        preheader="",
        unsubscribe_url=None,
        track_link=None,
        open_pixel_url=None,
        subject_tags=False,
    )


def template_errors(
    *, workspace: Workspace, subject: str, body_markdown: str, preheader: str = ""
) -> list[str]:
    """What is wrong with a campaign's texts, one sentence each; [] when it can be sent.

    Called when a campaign is saved: an unknown tag is an error in place, never a blank in
    ten thousand inboxes."""
    errors: list[str] = []
    for label, text in ((_("Subject"), subject), (_("Preheader"), preheader)):
        for error in templating.tag_errors(text or ""):
            errors.append(_("%(field)s: %(error)s") % {"field": label, "error": error.message})
    body = body_markdown or ""
    for error in templating.tag_errors(body):
        line = body.count("\n", 0, error.position) + 1
        errors.append(_("Body, line %(line)s: %(error)s") % {"line": line, "error": error.message})
    # Blocks are read with their tags set aside, as when rendering: a tag's quotes inside
    # a button's label are the tag's, not the label's.
    marked = _Marked(body, {})
    tokens = _markdown.parse(marked.source, {})
    found = _products(workspace, tokens)
    for block in blocks.blocks_of(tokens):
        if block.error:
            errors.append(_("Body: %(error)s") % {"error": marked.restore(block.error)})
        elif block.kind == "product" and block.product_id not in found:
            errors.append(
                _("Body: no product with the id “%(id)s” in your catalogue (%(block)s).")
                % {"id": block.product_id, "block": marked.restore(block.source)}
            )
    for source in blocks.image_sources(tokens):
        if not blocks.web_address(marked.fill_url(source)):
            errors.append(
                _("Body: the image “%(src)s” needs a full web address starting with https://.")
                % {"src": marked.restore(source)}
            )
    return errors


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~\"'&])")


def markdown_escape(text: str) -> str:
    """`text` shown as written when put into a Markdown body (a shop or person's name)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
