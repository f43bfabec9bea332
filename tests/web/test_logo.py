"""W2: the logo upload accepts real images only, within a size limit."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import login
from tests.web.test_access import settings_post, url


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(size=(120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#2f5d50").save(buffer, "PNG")
    return buffer.getvalue()


def upload(owner, workspace, name, content, content_type):
    data = settings_post(workspace)
    data["logo"] = SimpleUploadedFile(name, content, content_type=content_type)
    return login(owner).post(url(workspace, "settings"), data)


def test_a_png_logo_is_stored_and_shown(owner, workspace, tmp_path):
    response = upload(owner, workspace, "logo.png", png(), "image/png")
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.logo.name.startswith("logos/")
    assert (tmp_path / workspace.logo.name).read_bytes() == png()
    page = login(owner).get(url(workspace, "settings")).content.decode()
    assert f'src="{workspace.logo.url}"' in page
    assert login(owner).get(workspace.logo.url).status_code == 200


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "Upload a valid image",
        ),
        ("logo.png", b"not an image at all", "Upload a valid image"),
    ],
)
def test_files_that_are_not_images_are_refused(owner, workspace, name, content, message):
    response = upload(owner, workspace, name, content, "image/png")
    assert response.status_code == 200
    assert message in response.content.decode()
    workspace.refresh_from_db()
    assert not workspace.logo


def test_a_logo_over_2_mb_is_refused(owner, workspace):
    # Random pixels do not compress: a 1000×1000 PNG of noise weighs about 3 MB.
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, "PNG")
    assert buffer.tell() > 2 * 1024 * 1024
    response = upload(owner, workspace, "logo.png", buffer.getvalue(), "image/png")
    assert response.status_code == 200
    assert "2 MB or smaller" in response.content.decode()
    workspace.refresh_from_db()
    assert not workspace.logo


def test_a_bitmap_format_outside_the_list_is_refused(owner, workspace):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")
    response = upload(owner, workspace, "logo.bmp", buffer.getvalue(), "image/bmp")
    assert "PNG, JPEG, GIF or WebP" in response.content.decode()
    workspace.refresh_from_db()
    assert not workspace.logo
