"""Mail on a laptop: every message on the console, and each one also kept as its own .eml file.

The console is where a developer looks while `make run` is serving; the file is what stays
when the terminal has scrolled away, and what a browser test opens to follow a reset link.
A real mailer (SES, SMTP) takes this backend's place through DJANGO_EMAIL (settings.py).
"""

import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.core.mail import InvalidMailer
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend


class ConsoleAndFilesBackend(ConsoleEmailBackend):
    """Console backend that also writes `<file_path>/<UTC time>-<random>.eml` per message."""

    def __init__(self, *, file_path=None, **kwargs):
        super().__init__(**kwargs)
        if not file_path:
            raise InvalidMailer("OPTIONS must define 'file_path'.", alias=self.alias)
        self.file_path = Path(file_path).resolve()

    def write_message(self, message):
        super().write_message(message)
        # One file per message, named to sort by time: `ls var/mail | tail -1` is the latest.
        self.file_path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        path = self.file_path / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(message.message().as_bytes())
