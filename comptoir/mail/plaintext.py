"""The plain-text part of an e-mail, from the same Markdown tokens as its HTML part.

It should read like a letter in a text-only mail client: no asterisks or brackets, links
written out after their text, buttons as "Label: URL", products as a few lines.
"""

from comptoir.mail.blocks import block_text


def _inline(children, env) -> str:
    out: list[str] = []
    href_stack: list[tuple[str, int]] = []
    for token in children or ():
        kind = token.type
        if kind in ("text", "code_inline"):
            out.append(token.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "image":
            alt = token.content.strip()
            if alt:
                out.append(f"[{alt}]")
        elif kind == "link_open":
            href_stack.append((env["url"](token.attrGet("href") or ""), len(out)))
        elif kind == "link_close" and href_stack:
            href, start = href_stack.pop()
            label = "".join(out[start:]).strip()
            if href and href != label and not href.startswith("mailto:"):
                out.append(f" ({href})" if label else href)
    return "".join(out)


def render_text(tokens, env) -> str:
    """Paragraphs separated by a blank line; list items, quotes and headings kept readable."""
    out: list[str] = []
    prefixes: list[str] = []  # "> " for each open quote
    lists: list[list] = []  # [ordered, next number, an item written] per open list
    item_marker: str | None = None
    heading: str | None = None
    for token in tokens:
        kind = token.type
        if kind == "blockquote_open":
            prefixes.append("> ")
        elif kind == "blockquote_close":
            prefixes.pop()
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1), False])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            ordered, number, _written = lists[-1]
            item_marker = f"{number}. " if ordered else "- "
            lists[-1][1] += 1
        elif kind == "list_item_close":
            item_marker = None  # an empty item writes nothing
        elif kind == "heading_open":
            heading = token.tag
        elif kind in ("inline", "fence", "code_block", "comptoir_block", "hr"):
            if kind == "inline":
                text = _inline(token.children, env).strip()
            elif kind == "comptoir_block":
                text = block_text(token.meta["block"], env).strip()
            elif kind == "hr":
                text = "----"
            else:
                text = token.content.rstrip("\n")
            if heading:
                text = f"{text}\n{env['underline'](text, '=' if heading == 'h1' else '-')}"
                heading = None
            if not text:
                continue
            indent = "   " * max(0, len(lists) - 1)
            lines = text.split("\n")
            separator = "\n\n"
            if item_marker is not None:
                lines = [item_marker + lines[0]] + ["   " + line for line in lines[1:]]
                item_marker = None
                # The items of a list sit on consecutive lines.
                if lists[-1][2]:
                    separator = "\n"
                lists[-1][2] = True
            prefix = "".join(prefixes) + indent
            if out:
                out.append(separator)
            out.append("\n".join(prefix + line for line in lines))
    return "".join(out)
