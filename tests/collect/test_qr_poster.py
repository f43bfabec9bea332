"""S2: the QR code and the printable poster, read back as a person's phone would."""

import io
import re
import subprocess

import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from comptoir.collect.selectors import public_urls, qr_target
from comptoir.collect.services import signup_settings_get, signup_settings_update
from comptoir.core.services import workspace_update
from tests.collect.helpers import page_path

pytestmark = pytest.mark.django_db


def decoded(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_qr_code_png_and_svg_encode_the_sign_up_page(workspace):
    settings = signup_settings_get(workspace=workspace)
    urls = public_urls(settings)
    path = page_path(workspace)

    png = Client().get(path + "qr.png")
    svg = Client().get(path + "qr.svg")

    assert png["Content-Type"] == "image/png"
    assert decoded(Image.open(io.BytesIO(png.content))) == [urls["url"] + "?via=qr"]
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<svg")


def logo_file() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (120, 60), "#7a1f4e").save(out, "PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_the_poster_shows_slogan_discount_and_a_qr_code_of_the_page(
    workspace, size, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    workspace_update(workspace=workspace, logo=logo_file(), brand_color="#7a1f4e")
    signup_settings_update(
        workspace=workspace,
        slogan="Le fromage du mois, dans votre boîte",
        discount_offer="−10 % sur votre prochaine visite",
    )
    response = Client().get(page_path(workspace) + f"poster.pdf?size={size}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    flat = " ".join(text.decode().split())
    assert "Le fromage du mois, dans votre boîte" in flat
    assert "−10 % sur votre prochaine visite" in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    expected = {"a4": "595.276 x 841.89 pts", "a5": "419.528 x 595.276 pts"}[size]
    assert expected in info
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)

    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, check=True)
    assert " 120    60 " in images.stdout.decode()  # the logo, as uploaded

    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(tmp_path / "page")], check=True)
    (page,) = tmp_path.glob("page*.png")
    image = Image.open(page)
    assert decoded(image) == [qr_target(signup_settings_get(workspace=workspace))]
    # The brand colour is printed (the band at the top of the page).
    assert image.convert("RGB").getpixel((image.width // 2, 5)) == (0x7A, 0x1F, 0x4E)


def test_the_poster_of_a_retired_url_is_gone(workspace):
    from comptoir.collect.services import signup_url_redraw

    old = page_path(workspace)
    signup_url_redraw(workspace=workspace)

    assert Client().get(old + "poster.pdf").status_code == 404


def test_an_unknown_poster_size_is_a_404(workspace):
    assert Client().get(page_path(workspace) + "poster.pdf?size=a0").status_code == 404


def test_printing_posters_is_rate_limited_per_ip(workspace, monkeypatch):
    from comptoir.collect import guards

    monkeypatch.setattr(guards, "POSTER_LIMIT", 1)
    path = page_path(workspace) + "poster.pdf"

    assert Client().get(path).status_code == 200
    refused = Client().get(path)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
