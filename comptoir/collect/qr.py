"""The QR code of the sign-up page (S2), as SVG and PNG."""

import io

import segno


def _code(url: str) -> segno.QRCode:
    # Error correction "M" survives a poster scuffed by the till or half in shadow.
    return segno.make_qr(url, error="m")


def qr_svg(url: str, *, scale: int = 8, dark: str = "#000") -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=scale, dark=dark, xmldecl=False, border=2)
    return out.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
