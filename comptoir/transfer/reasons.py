"""Why an import refused a row or a file, kept untranslated and put into words when shown.

Imports run in the worker, which speaks no merchant's language: a reason translated there
would reach a French dashboard in English. So a reason is stored as its English message
id and its values (JSON in the text column), and `in_words` translates it for whoever
reads it — the dashboard, the API or the error report — in their language.
"""

import json

from django.utils.translation import gettext

from comptoir.core.services import ServiceError

_MARK = '{"reason":'


class Reason:
    """A message id (marked with gettext_noop where it is written) and its values.

    A value named `field` is a contact field's name, shown as that field's label.
    """

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        return _words(self.msgid, self.params)

    def stored(self, max_length: int | None = None) -> str:
        """The reason as kept in the database, in at most `max_length` characters: the
        longest values are cut until it fits."""
        params = dict(self.params)
        while True:
            text = json.dumps({"reason": self.msgid, "params": params}, ensure_ascii=False)
            if max_length is None or len(text) <= max_length:
                return text
            longest = max((k for k, v in params.items() if isinstance(v, str)), default=None)
            if longest is None or not params[longest]:
                return json.dumps({"reason": self.msgid, "params": {}})
            params[longest] = params[longest][: len(params[longest]) // 2]


def _words(msgid: str, params: dict) -> str:
    if "field" in params:
        from comptoir.contacts.models import Contact

        try:
            label = Contact._meta.get_field(params["field"]).verbose_name
        except Exception:  # noqa: BLE001 - a renamed field still shows its stored name
            label = params["field"]
        params = {**params, "field": str(label).capitalize()}
    text = gettext(msgid)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return msgid % params if params else msgid


def in_words(stored: str) -> str:
    """A stored reason in the current language; text stored before reasons were kept
    untranslated (or written by hand) is shown as it is."""
    if not stored.startswith(_MARK):
        return stored
    try:
        data = json.loads(stored)
        return _words(str(data["reason"]), dict(data.get("params") or {}))
    except (ValueError, KeyError, TypeError):
        return stored


class RefusedImport(ServiceError):
    """A ServiceError of the worker whose reason is stored untranslated."""

    def __init__(self, reason: Reason, *, code: str):
        super().__init__(str(reason), code=code)
        self.reason = reason
