"""Turning a subject and a Markdown body into the e-mail one person receives (E1, W2).

One layout for every e-mail Comptoir sends, to contacts and to staff alike: the business's
logo and colours, the content, and a footer with the business's name and postal address;
marketing e-mails add the unsubscribe link. CSS is inlined because Gmail and Outlook ignore
<style> blocks in many places; only the phone-width rules stay in one.
"""

import html
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote, urljoin

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


class _Markers:
    """Placeholders that Markdown, Django templates and the CSS inliner all leave alone
    (letters and digits), put where a contact's details, the links, the unsubscribe link
    and the open pixel go. A layout is built once for many contacts, then each message only
    fills its markers in, escaped for where they land: HTML text, or a link's address (a
    first name like `*Zoé*` is never read as Markdown)."""

    def __init__(self):
        self.nonce = secrets.token_hex(4)
        # T: a tag as text; V: a tag inside an address; L: a link; U: unsubscribe; P: pixel;
        # H: the underline of a heading in the text part, as long as the heading once filled.
        self.pattern = re.compile(rf"Q{self.nonce}([TVLUPH])(\d+)E")
        self.tags: list[templating.Tag] = []
        self.links: list[str] = []  # as written, with V markers where tags go
        self.headings: list[tuple[str, str]] = []  # (heading, underline character)

    def marker(self, kind: str, index: int | str = 0) -> str:
        return f"Q{self.nonce}{kind}{index}E"

    def mark(self, text: str) -> str:
        """`text` with each valid tag replaced by a marker; broken tags stay as written."""
        pieces = []
        for part in templating.parse(text)[0]:
            if isinstance(part, str):
                pieces.append(part)
            else:
                pieces.append(self.marker("T", len(self.tags)))
                self.tags.append(part)
        return "".join(pieces)

    def in_url(self, url: str) -> str:
        def swap(match: re.Match) -> str:
            kind = "V" if match.group(1) == "T" else match.group(1)
            return self.marker(kind, match.group(2))

        return self.pattern.sub(swap, url)

    def underline(self, heading: str, character: str) -> str:
        self.headings.append((heading, character))
        return self.marker("H", len(self.headings) - 1)

    def restore(self, text: str) -> str:
        """`text` with its tags as the merchant wrote them."""
        return self.pattern.sub(lambda m: self.tags[int(m.group(2))].source, text)

    def mark_links(self, content: str) -> str:
        """Each web link of `content` (buttons and products included) becomes a marker, for
        click tracking; tags inside any address become address markers."""

        def rewrite(match: re.Match) -> str:
            value = self.in_url(match.group(2))
            url = html.unescape(value)
            if match.group(1) == "href" and blocks.web_address(url):
                self.links.append(url)
                return f'href="{self.marker("L", len(self.links) - 1)}"'
            return f'{match.group(1)}="{value}"'

        return _ATTRIBUTE.sub(rewrite, content)


@dataclass(frozen=True)
class _Layout:
    """A message built for no one in particular: its HTML and text with markers in."""

    markers: _Markers
    html: str
    text: str


_layouts: OrderedDict = OrderedDict()
_LAYOUTS_KEPT = 32


def _products(workspace: Workspace | None, wanted) -> dict[str, Product]:
    if not wanted or workspace is None or workspace.pk is None:
        return {}
    found = scoped(Product, workspace).filter(external_id__in=set(wanted))
    return {product.external_id: product for product in found}


def _product_versions(workspace: Workspace | None, body: str) -> tuple:
    """What the products a body may show looked like last, so that a layout kept for a
    campaign is built again when one of them changes."""
    if "[[" not in body or workspace is None or workspace.pk is None:
        return ()
    wanted = {b.product_id for b in blocks.product_lines(body)}
    found = scoped(Product, workspace).filter(external_id__in=wanted)
    return tuple(sorted(found.values_list("external_id", "updated_at")))


def _build(
    *,
    workspace: Workspace | None,
    brand: Brand,
    language: str,
    subject: str,
    body_markdown: str,
    preheader: str,
    marketing: bool,
    pixel: bool,
    subject_tags: bool,
) -> _Layout:
    markers = _Markers()
    with translation.override(language):
        env = {"workspace": brand, "url": markers.in_url, "underline": markers.underline}
        tokens = _markdown.parse(markers.mark(body_markdown), env)
        wanted = [b.product_id for b in blocks.blocks_of(tokens) if b.kind == "product"]
        env["products"] = _products(workspace, wanted)
        content = markers.mark_links(_markdown.renderer.render(tokens, _markdown.options, env))
        context = {
            "brand": brand,
            "header_text_colour": blocks.readable_on(brand.brand_color),
            "subject": markers.mark(subject) if subject_tags else subject,
            "preheader": markers.mark(preheader),
            "preheader_padding": _PREHEADER_PADDING,
            "content": content,
            "unsubscribe_url": markers.marker("U") if marketing else None,
            "open_pixel_url": markers.marker("P") if pixel else None,
            "text_body": render_text(tokens, env).strip(),
        }
        page = render_to_string("mail/message.html", context)
        text = render_to_string("mail/message.txt", context)
    return _Layout(markers=markers, html=_inliner.inline(page), text=text.strip() + "\n")


def _layout(*, workspace: Workspace | None, **parts) -> _Layout:
    brand = Brand.of(workspace)
    key = (
        workspace.pk if workspace else None,
        brand,
        _product_versions(workspace, parts["body_markdown"]),
        tuple(sorted(parts.items())),
    )
    layout = _layouts.get(key)
    if layout is None:
        layout = _build(workspace=workspace, brand=brand, **parts)
        _layouts[key] = layout
        while len(_layouts) > _LAYOUTS_KEPT:
            _layouts.popitem(last=False)
    return layout


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
    layout = _layout(
        workspace=workspace,
        language=language,
        subject=subject,
        body_markdown=body_markdown,
        preheader=preheader,
        marketing=unsubscribe_url is not None,
        pixel=open_pixel_url is not None,
        subject_tags=subject_tags,
    )
    markers = layout.markers
    tag_values = [tag.value(values) for tag in markers.tags]
    in_urls = [quote(value, safe="") for value in tag_values]

    def address(url: str) -> str:
        return markers.pattern.sub(lambda m: in_urls[int(m.group(2))], url)

    links = [address(url) for url in markers.links]
    hrefs = [track_link(url) for url in links] if track_link is not None else links
    filled = {"U": [unsubscribe_url or ""], "P": [open_pixel_url or ""], "L": hrefs}
    filled.update(T=tag_values, V=in_urls)

    def fill(text: str, escape) -> str:
        return markers.pattern.sub(lambda m: escape(filled[m.group(1)][int(m.group(2))]), text)

    filled["H"] = [
        character * min(len(fill(heading, str)), 60) for heading, character in markers.headings
    ]

    subject = templating.personalise(subject, values) if subject_tags else subject
    return Rendered(
        # A line break from a contact's details would make the header invalid (or inject one).
        subject=" ".join(subject.split()),
        html=fill(layout.html, html.escape),
        text=fill(layout.text, str),
        links=list(dict.fromkeys(links)),
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
    elif contact.workspace_id != workspace.pk:
        raise ValueError("a preview shows a contact of the workspace only")
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


# A page of a thousand errors helps nobody: the first ones, and how many more there are.
ERRORS_SHOWN = 20


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
    marked = _Markers()
    tokens = _markdown.parse(marked.mark(body), {})
    blocks_found = blocks.blocks_of(tokens)
    found = _products(workspace, [b.product_id for b in blocks_found if b.kind == "product"])
    for block in blocks_found:
        if block.error:
            errors.append(_("Body: %(error)s") % {"error": marked.restore(block.error)})
        elif block.kind == "product" and block.product_id not in found:
            errors.append(
                _("Body: no product with the id “%(id)s” in your catalogue (%(block)s).")
                % {"id": block.product_id, "block": marked.restore(block.source)}
            )
    for source in blocks.image_sources(tokens):
        if not blocks.web_address(source):
            errors.append(
                _("Body: the image “%(src)s” needs a full web address starting with https://.")
                % {"src": marked.restore(source)}
            )
    if len(errors) > ERRORS_SHOWN:
        more = len(errors) - ERRORS_SHOWN
        errors = errors[:ERRORS_SHOWN] + [
            ngettext("… and %(n)s more problem.", "… and %(n)s more problems.", more) % {"n": more}
        ]
    return errors


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~\"'&])")


def markdown_escape(text: str) -> str:
    """`text` shown as written when put into a Markdown body (a shop or person's name)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
