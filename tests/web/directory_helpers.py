"""Reading the directory pages as a person would: which contacts a list shows, in which order."""

import html as html_lib
import re

from comptoir.core.models import Workspace

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en"}
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}


def url(workspace: Workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/contacts/{path}"


def listed(page: str) -> list[str]:
    """The names in the rows of the contacts table, top to bottom."""
    names = re.findall(r'<th scope="row"><a href="[^"]*/contacts/\d+/">([^<]*)</a></th>', page)
    return [html_lib.unescape(name) for name in names]


def link(page: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}"[^>]*href="([^"]*)"', page)
    return html_lib.unescape(found.group(1)) if found else None


def text(page: str) -> str:
    """The page's text without tags, entities decoded, white space collapsed."""
    stripped = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html_lib.unescape(stripped).split())
