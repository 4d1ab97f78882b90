"""A real SMTP server (aiosmtpd) on a free port of 127.0.0.1 that keeps what it accepted.

    with SmtpSink(delay=0.01, refuse_first=1) as sink:
        ... sink.port ...; sink.messages

`delay` makes every DATA take a while (so senders in other processes overlap);
`refuse_first` answers the first n DATA commands with a temporary error (451).
"""
from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any, Self


class SmtpSink:
    def __init__(self, delay: float = 0.0, refuse_first: int = 0) -> None:
        self.delay = delay
        self.refuse_first = refuse_first
        self.messages: list[Message] = []
        self.refused: list[Message] = []
        self._lock = threading.Lock()
        self._controller: Any = None
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        msg = message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            if len(self.refused) < self.refuse_first:
                self.refused.append(msg)
                return "451 4.3.0 Bitte spaeter erneut versuchen"
            self.messages.append(msg)
        return "250 OK"

    def __enter__(self) -> Self:
        from aiosmtpd.controller import Controller

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
