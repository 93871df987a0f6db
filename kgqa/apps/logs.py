"""Log formats: ``text`` (the default: uvicorn's coloured lines, ``LEVEL name: message`` on the CLI) or
``json`` (``KGQA_LOG_FORMAT=json``): one JSON object per line, for log shippers.

>>> import logging
>>> record = logging.makeLogRecord({"name": "kgqa.access", "levelname": "INFO", "msg": "%s done",
...                                 "args": ("ask",), "created": 0.0, "msecs": 0.0, "status": 200})
>>> print(JsonFormatter().format(record))
{"time": "1970-01-01T00:00:00.000Z", "level": "INFO", "logger": "kgqa.access", "message": "ask done", "status": 200}
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

# the attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# uvicorn's copy of its message with terminal colours: noise in a log file
_DROPPED = frozenset({"color_message"})


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra fields, "exception"?}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        entry: dict[str, Any] = {
            "time": f"{stamp}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _DROPPED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
