"""Signing and sending platform webhooks in tests, as Shopify and WooCommerce do."""

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path

from django.test import Client

from comptoir.commerce.services import store_connection_create

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECRET = "shpss_0123456789abcdef0123456789abcdef"  # noqa: S105 - a test secret


def fixture(name: str) -> dict:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def connect(workspace, platform: str, secret: str = SECRET):
    return store_connection_create(
        workspace=workspace, platform=platform, secret=secret, actor=None
    )


def post(connection, body: bytes, headers: dict, content_type: str = "application/json"):
    return Client().post(
        connection.webhook_path, data=body, content_type=content_type, headers=headers
    )


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
