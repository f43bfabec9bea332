"""Content-Security-Policy on every HTML page: the dashboard and the public pages.

Scripts come only from our own static files; the one inline block we write (the brand
colours) carries this response's nonce. Should a value ever escape into a page unescaped,
the browser still runs no script of it, posts no form elsewhere and loads no frame of it.
"""

import secrets

POLICY = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' {styles}; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
HEADER = "Content-Security-Policy"


def policy(*, nonce: str | None = None, inline_styles: bool = False) -> str:
    # A nonce switches 'unsafe-inline' off in browsers, so a page takes one or the other.
    return POLICY.format(styles="'unsafe-inline'" if inline_styles else f"'nonce-{nonce}'")


def allow_inline_styles(response):
    """For a page that shows an e-mail, whose styles are inline by design (css-inline)."""
    response[HEADER] = policy(inline_styles=True)
    return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and HEADER not in response:
            response[HEADER] = policy(nonce=request.csp_nonce)
        return response
