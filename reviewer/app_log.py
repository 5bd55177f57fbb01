"""The app's log file: rotating, in the user's log directory, so a crash leaves a trace to send.

Qt-free (the CLI and the window share it). `REVIEWER_LOG_DIR` overrides the directory (tests).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

LOG_NAME = "reviewer.log"
MAX_BYTES = 1_000_000
BACKUPS = 3  # reviewer.log.1 .. .3: a few sessions' worth, never more than ~4 MB


def log_dir() -> Path:
    if env := os.environ.get("REVIEWER_LOG_DIR"):
        return Path(env)
    return Path(platformdirs.user_log_dir("reviewer", appauthor=False))


def start_log_file() -> Path | None:
    """Send the `reviewer` loggers to the rotating log file; return its path.

    Returns None when the directory cannot be written (a read-only home): the app runs on
    without a log rather than failing to start.
    """
    path = log_dir() / LOG_NAME
    root = logging.getLogger("reviewer")
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path
