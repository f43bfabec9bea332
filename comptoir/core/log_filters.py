"""Logging filters: what an operator's log should and should not hold."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Django logs a refused permission with the exception's traceback, as if it were a bug.
    A 403 is an answer, not a failure: keep the one line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
