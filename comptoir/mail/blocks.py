"""Campaign Markdown: the blocks a merchant writes on a line of their own, and images.

    [[button "Voir la boutique" https://shop.example/]]
    [[product COMTE-24]]                               a product of the catalogue, by its id
    [[product COMTE-24 https://shop.example/comte]]    … with a button to its page

Buttons are "bulletproof" tables (a coloured cell around the link), which every mail client
draws, Outlook included; CSS-only buttons lose their background there. Images take the
width of the column and shrink with it on a phone.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML

# The content column of the layout: 600 px less its side padding.
COLUMN_WIDTH = 544

_BLOCK_LINE = re.compile(r"\[\[(.*)\]\]")
_BUTTON = re.compile(r"button\s+(?:\"([^\"]*)\"|'([^']*)')\s+(\S+)")
_PRODUCT = re.compile(r"product\s+(?:\"([^\"]+)\"|([^\s\"']+))(?:\s+(\S+))?")
_KIND = re.compile(r"\s*(\w*)")


def web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@dataclass(frozen=True)
class Block:
    source: str  # the whole line, [[ ]] included
    kind: str  # "button" or "product"; "" when the line is not a block we know
    label: str = ""
    url: str = ""
    product_id: str = ""
    error: str = ""


def read_block(source: str, inner: str) -> Block:
    inner = inner.strip()
    kind = _KIND.match(inner).group(1)
    if kind == "button":
        found = _BUTTON.fullmatch(inner)
        if not found:
            return Block(source, "", error=_button_syntax(source))
        label = (found.group(1) or found.group(2) or "").strip()
        url = found.group(3)
        if not label:
            return Block(source, "", error=_button_syntax(source))
        if not web_address(url):
            return Block(source, "", error=_address_error(source))
        return Block(source, "button", label=label, url=url)
    if kind == "product":
        found = _PRODUCT.fullmatch(inner)
        if not found:
            return Block(
                source,
                "",
                error=_(
                    "A product is written [[product PRODUCT-ID]], or [[product PRODUCT-ID "
                    "https://…]] with a button to its page: %(block)s"
                )
                % {"block": source},
            )
        url = found.group(3) or ""
        if url and not web_address(url):
            return Block(source, "", error=_address_error(source))
        return Block(source, "product", product_id=found.group(1) or found.group(2), url=url)
    return Block(
        source,
        "",
        error=_(
            'Unknown block %(block)s. The blocks are [[button "Label" https://…]] and '
            "[[product PRODUCT-ID]]."
        )
        % {"block": source},
    )


def _button_syntax(source: str) -> str:
    return _('A button is written [[button "Label" https://…]]: %(block)s') % {"block": source}


def _address_error(source: str) -> str:
    return _("The address in %(block)s must be a full web address starting with https://.") % {
        "block": source
    }


def _block_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:  # an indented code block
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[begin : state.eMarks[start_line]].rstrip()
    found = _BLOCK_LINE.fullmatch(line)
    if not found:
        return False
    if silent:
        return True
    token = state.push("comptoir_block", "", 0)
    token.map = [start_line, start_line + 1]
    token.meta = {"block": read_block(line, found.group(1))}
    state.line = start_line + 1
    return True


def readable_on(colour: str) -> str:
    """Black or white text, whichever reads better on a background of `colour` (#rrggbb)."""
    try:
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#ffffff"

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # Contrast with white is (1.05)/(L+0.05), with black (L+0.05)/0.05: pick the larger.
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#1d1d1f"


def _button_context(env: dict, label: str, url: str) -> dict:
    colour = env["workspace"].brand_color
    return {
        "label": label,
        "url": env["url"](url),
        "colour": colour,
        "text_colour": readable_on(colour),
    }


def block_html(block: Block, env: dict) -> str:
    if block.kind == "button":
        return render_to_string(
            "mail/blocks/button.html", _button_context(env, block.label, block.url)
        )
    if block.kind == "product":
        product = env["products"].get(block.product_id)
        if product is None:  # deleted since the campaign was saved: leave it out
            return ""
        return render_to_string("mail/blocks/product.html", _product_context(env, product, block))
    return f"<p>{escape(block.source)}</p>\n"


def button_text(label: str, url: str) -> str:
    """A button in the text part: its label, then its address."""
    return _("%(label)s: %(url)s") % {"label": label, "url": url}


def block_text(block: Block, env: dict) -> str:
    if block.kind == "button":
        return button_text(block.label, env["url"](block.url))
    if block.kind == "product":
        product = env["products"].get(block.product_id)
        if product is None:
            return ""
        return render_to_string("mail/blocks/product.txt", _product_context(env, product, block))
    return block.source


def _product_context(env: dict, product, block: Block) -> dict:
    return {
        "product": product,
        "image_url": product.image_url if web_address(product.image_url) else "",
        "currency": env["workspace"].currency,
        "width": COLUMN_WIDTH - 2 * 16,
        "button": _button_context(env, _("See the product"), block.url) if block.url else None,
        "button_text": button_text(_("See the product"), env["url"](block.url)),
    }


def _render_block(self, tokens, idx, options, env) -> str:
    return block_html(tokens[idx].meta["block"], env)


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    token.attrSet("width", str(COLUMN_WIDTH))
    token.attrSet("style", "display:block;width:100%;max-width:100%;height:auto;border:0")
    return RendererHTML.image(self, tokens, idx, options, env)


def markdown() -> MarkdownIt:
    """The parser of campaign and one-off bodies. Raw HTML is shown as text, never
    interpreted: staff write Markdown. A single line break stays a line break, as it does
    in the text the merchant typed."""
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True})
    parser.block.ruler.before(
        "paragraph", "comptoir_block", _block_rule, {"alt": ["paragraph", "blockquote"]}
    )
    parser.add_render_rule("comptoir_block", _render_block)
    parser.add_render_rule("image", _render_image)
    return parser


def product_lines(text: str) -> list[Block]:
    """The product blocks of a body, read line by line without parsing the Markdown: a
    quick look, to know which products a message may show."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        match = _BLOCK_LINE.fullmatch(line)
        if match and "product" in line:
            block = read_block(line, match.group(1))
            if block.kind == "product":
                found.append(block)
    return found


def blocks_of(tokens) -> list[Block]:
    return [t.meta["block"] for t in tokens if t.type == "comptoir_block"]


def image_sources(tokens) -> list[str]:
    found = []
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                found.append(child.attrGet("src") or "")
    return found
