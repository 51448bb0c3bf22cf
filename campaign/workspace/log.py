"""The workspace log: one line per action, no surname, no secret."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from schedules.secrets import redact

LOGGER = "campaign"


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class _WorkspaceLog(logging.Handler):
    """campaign.log, written through a WatchedFileHandler made at the first line: `gdpr erase` replaces
    the file (without the person's lines), and a running daemon then reopens it instead of writing on
    into the replaced one. Made then, not at start: logging.handlers (with socket and pickle, ~5 ms)
    is not imported by a command that writes no line, such as a render."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.baseFilename = os.path.abspath(path)
        open(self.baseFilename, "a", encoding="utf-8").close()  # there from the start, as before
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:  # under this handler's lock (Handler.handle)
            import logging.handlers

            self._file = logging.handlers.WatchedFileHandler(self.baseFilename, encoding="utf-8")
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def setup_logging(log_path: Path) -> logging.Logger:
    """Send the `campaign` loggers (and `schedules`, `portraits`) to the workspace log file."""
    handler = _WorkspaceLog(log_path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                           "%Y-%m-%dT%H:%M:%S%z"))
    handler.addFilter(_RedactFilter())
    for name in (LOGGER, "schedules", "portraits"):
        logger = logging.getLogger(name)
        if not any(getattr(h, "baseFilename", None) == handler.baseFilename for h in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logging.getLogger(LOGGER)
