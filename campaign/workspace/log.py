"""The workspace log: one line per action, no surname, no secret."""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from schedules.secrets import redact

LOGGER = "campaign"


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def setup_logging(log_path: Path) -> logging.Logger:
    """Send the `campaign` loggers (and `schedules`, `portraits`) to the workspace log file."""
    # Watched: `gdpr erase` replaces the file (without the person's lines); a running daemon then
    # reopens it instead of writing on into the replaced one.
    handler = logging.handlers.WatchedFileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                           "%Y-%m-%dT%H:%M:%S%z"))
    handler.addFilter(_RedactFilter())
    for name in (LOGGER, "schedules", "portraits"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.FileHandler) and h.baseFilename == handler.baseFilename
                   for h in logger.handlers):
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logging.getLogger(LOGGER)
