"""Mail on a laptop: every message on the console, and each one also kept as its own .eml file.

The console is where a developer looks while `make run` is serving; the file is what stays
when the terminal has scrolled away, what a mail client opens, and what a browser test reads
to follow a reset link. A real mailer (SES, SMTP) takes this one's place through DJANGO_EMAIL
(settings.py).
"""

import email
import uuid
from datetime import UTC, datetime
from email import policy
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
        data = message.message().as_bytes()
        self.stream.write(readable(data))
        self.stream.write("\n" + "-" * 79 + "\n")
        # One file per message, named to sort by time: `ls var/mail | tail -1` is the latest.
        self.file_path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        (self.file_path / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(data)


def readable(data: bytes) -> str:
    """Headers and the plain-text body, decoded: the wire form wraps a long line (a reset link
    on a long host name) with quoted-printable soft breaks that no terminal can click."""
    parsed = email.message_from_bytes(data, policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    if body is None:
        return data.decode("utf-8", errors="replace")
    headers = "".join(f"{name}: {value}\n" for name, value in parsed.items())
    return f"{headers}\n{body.get_content()}"
