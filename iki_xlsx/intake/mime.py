"""E-mails read as a stream, within bounds: the attachments a collect wants, nothing else.

Python's `email` parser holds a whole message as text, then its lines, then each payload, so a
95 MB saved e-mail peaked at 891 MB. Here a message is scanned in chunks for its MIME
boundaries (a C-speed search, never line by line in Python); only the parts whose file name
a collect wants are decoded (base64, quoted-printable or as they are), each up to its own
limit, and everything else is passed over without being kept. Headers are parsed by the
standard library, one header block at a time (each at most `MAX_HEADER_BYTES`); multipart
parts nest at most `MAX_PARTS_DEPTH` deep and a message has at most `MAX_PARTS` parts.

`read_mail(stream, wanted)` gives the message's `Envelope` (who sent it, when, whether it was
sent by a machine: an auto-reply, a bounce or a list) and its `Attachment`s.
"""

from __future__ import annotations

import binascii
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import parseaddr, parsedate_to_datetime
from typing import BinaryIO, Protocol


class Readable(Protocol):
    """Where a message's bytes come from: a file, an mbox slice, bytes in memory."""

    def read(self, size: int = -1, /) -> bytes: ...

CHUNK = 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024  # one header block (a message's, or a part's)
MAX_PARTS_DEPTH = 8  # multipart inside multipart
MAX_PARTS = 1000  # every part of one message

_PARSER = BytesHeaderParser(policy=email.policy.default)
_NOT_BASE64 = bytes(set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            b"0123456789+/="))
_BLANK = re.compile(rb"\r?\n\r?\n")
_AUTOMATIC_PRECEDENCE = {"bulk", "list", "junk", "auto_reply", "auto-reply"}
_MACHINES = ("mailer-daemon", "postmaster")


@dataclass(frozen=True)
class Envelope:
    """What a message says about itself: sender, subject, Date, Message-ID, and whether a
    machine sent it (`automatic`: an auto-reply, a delivery report or a list's copy), which
    is never answered."""

    sender: str | None
    subject: str | None
    received_at: str | None  # the sender-written Date, ISO (the sender's word only)
    message_id: str | None
    automatic: str | None  # why it is a machine's message (None: a person's)


@dataclass
class Attachment:
    """A part with a file name; `data` only when it was wanted and within its limit."""

    name: str
    data: bytes | None = None
    size: int = 0  # bytes decoded (a part over its limit stops counting just past it)
    over: bool = False  # larger than the limit it was wanted with
    broken: bool = False  # its encoding could not be decoded


@dataclass
class Mail:
    envelope: Envelope
    attachments: list[Attachment] = field(default_factory=list)
    truncated: bool = False  # more parts, or deeper nesting, than the bounds: the rest unread


Wanted = Callable[[str], int | None]  # a file name -> the most bytes to keep (None: not kept)


def read_mail(stream: Readable, wanted: Wanted) -> Mail:
    """The envelope and attachments of the message in `stream`, read once from its start."""
    scanner = _Scanner(stream)
    head = _PARSER.parsebytes(scanner.headers())
    assert isinstance(head, EmailMessage)
    mail = Mail(envelope(head))
    _Walk(scanner, wanted, mail).entity(head, [], 0)
    return mail


def envelope(head: EmailMessage) -> Envelope:
    """Who sent the message and how, from its headers."""
    sender = parseaddr(_header(head, "From"))[1] or None
    received_at = None
    if head.get("Date"):
        try:
            received_at = parsedate_to_datetime(_header(head, "Date")).isoformat()
        except (TypeError, ValueError, IndexError):
            received_at = None
    return Envelope(sender, _header(head, "Subject") or None, received_at,
                    _header(head, "Message-ID").strip() or None, automatic(head, sender))


def automatic(head: EmailMessage, sender: str | None) -> str | None:
    """Why the message was sent by a machine (RFC 3834 Auto-Submitted, Precedence, Microsoft's
    X-Auto-Response-Suppress and X-Autoreply, a list's List-Id, an empty Return-Path or a
    delivery report), or None for a person's message."""
    submitted = _header(head, "Auto-Submitted").strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    precedence = _header(head, "Precedence").strip().lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "List-Id",
                 "List-Unsubscribe"):
        if head.get(name) is not None:
            return name
    if head.get("Return-Path") is not None and _header(head, "Return-Path").strip() in ("<>",
                                                                                         ""):
        return "Return-Path: <>"
    kind = head.get_content_type()
    if kind == "multipart/report" or kind.startswith("message/delivery-status"):
        return "laporan pengiriman (DSN)"
    if sender and sender.partition("@")[0].lower() in _MACHINES:
        return sender
    return None


def _header(head: EmailMessage, name: str) -> str:
    """A header's text; a header the policy cannot parse is taken as it came."""
    try:
        value = head.get(name)
    except (ValueError, TypeError, IndexError):  # a malformed header the policy refuses
        raw = next((v for k, v in head.raw_items() if k.lower() == name.lower()), "")
        return str(raw)
    return "" if value is None else str(value)


class _Scanner:
    """A message's bytes, read in chunks: header blocks, and bodies up to a boundary."""

    def __init__(self, stream: Readable) -> None:
        self.stream = stream
        self.buffer = b""
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def headers(self) -> bytes:
        """The header block at the current place (up to the blank line, which is consumed);
        a block over `MAX_HEADER_BYTES` is cut there."""
        while True:
            if self.buffer.startswith((b"\r\n", b"\n")):  # no headers at all
                self.buffer = self.buffer[2 if self.buffer[:1] == b"\r" else 1:]
                return b""
            found = _BLANK.search(self.buffer, 0, MAX_HEADER_BYTES + 4)
            if found:
                block, self.buffer = self.buffer[:found.start()], self.buffer[found.end():]
                return block + b"\n"
            if len(self.buffer) > MAX_HEADER_BYTES or not self._more():
                block = self.buffer[:MAX_HEADER_BYTES]
                self.buffer = self.buffer[MAX_HEADER_BYTES:]
                return block + b"\n"

    def body(self, boundaries: list[bytes], sink: Callable[[bytes], None],
             first: bool = False) -> tuple[bytes, bool] | None:
        """Feed the body up to the next delimiter line of any of `boundaries` to `sink`; the
        boundary found and whether it closes its multipart, or None at the end of the
        message. `first`: the body starts a multipart, whose first delimiter may open it."""
        markers = [b"\n--" + b for b in boundaries]
        longest = max((len(m) for m in markers), default=0)
        if first:
            self.buffer = b"\n" + self.buffer
        while True:
            hit = self._find(markers)
            if hit is not None:
                at, index = hit
                end = at + len(markers[index])
                while len(self.buffer) < end + 2 and self._more():
                    pass
                after = self.buffer[end:end + 2]
                if after and after[:1] not in (b"-", b"\r", b"\n", b" ", b"\t"):
                    sink(self.buffer[:end])  # "--boundaryX": not a delimiter
                    self.buffer = self.buffer[end:]
                    continue
                body = self.buffer[:at]
                sink(body[:-1] if body.endswith(b"\r") else body)
                self.buffer = self.buffer[end:]
                self._rest_of_line()
                return boundaries[index], after == b"--"
            keep = longest + 1
            if len(self.buffer) > keep:
                sink(self.buffer[:-keep])
                self.buffer = self.buffer[-keep:]
            if not self._more():
                sink(self.buffer)
                self.buffer = b""
                return None

    def _find(self, markers: list[bytes]) -> tuple[int, int] | None:
        found = [(self.buffer.find(m), i) for i, m in enumerate(markers)]
        hits = [(at, i) for at, i in found if at >= 0]
        return min(hits) if hits else None

    def _rest_of_line(self) -> None:
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                self.buffer = self.buffer[newline + 1:]
                return
            if len(self.buffer) > MAX_HEADER_BYTES or not self._more():
                self.buffer = b""
                return


class _Walk:
    """The MIME tree of one message, walked as the scanner meets it."""

    def __init__(self, scanner: _Scanner, wanted: Wanted, mail: Mail) -> None:
        self.scanner, self.wanted, self.mail = scanner, wanted, mail
        self.parts = 0

    def entity(self, head: EmailMessage, outer: list[bytes],
               depth: int) -> tuple[bytes, bool] | None:
        """Read one entity whose headers are `head`; the delimiter that ends it (of the
        enclosing multiparts `outer`) or None at the end of the message."""
        self.parts += 1
        boundary = _boundary(head)
        if boundary is not None and depth < MAX_PARTS_DEPTH and self.parts <= MAX_PARTS:
            return self._multipart(boundary, outer, depth)
        if boundary is not None:
            self.mail.truncated = True
        sink = self._sink(head)
        hit = self.scanner.body(outer, sink)
        if isinstance(sink, _Decoder):
            sink.finish()
        return hit

    def _multipart(self, boundary: bytes, outer: list[bytes],
                   depth: int) -> tuple[bytes, bool] | None:
        active = [*outer, boundary]
        hit = self.scanner.body(active, _discard, first=True)  # the preamble
        while hit is not None:
            found, closing = hit
            if found != boundary:
                return hit  # an enclosing delimiter: this multipart ended without closing
            if closing:
                return self.scanner.body(outer, _discard)  # the epilogue
            if self.parts >= MAX_PARTS:
                self.mail.truncated = True
                return self.scanner.body(outer, _discard)
            part = _PARSER.parsebytes(self.scanner.headers())
            assert isinstance(part, EmailMessage)
            hit = self.entity(part, active, depth + 1)
        return None

    def _sink(self, head: EmailMessage) -> Callable[[bytes], None]:
        name = _filename(head)
        if name is None:
            return _discard
        attachment = Attachment(name)
        self.mail.attachments.append(attachment)
        limit = self.wanted(name)
        encoding = _header(head, "Content-Transfer-Encoding").strip().lower()
        return _Decoder(attachment, limit, encoding)


def _discard(_: bytes) -> None:
    return None


def _boundary(head: EmailMessage) -> bytes | None:
    if head.get_content_maintype() != "multipart":
        return None
    try:
        boundary = head.get_boundary()
    except (ValueError, TypeError, IndexError):
        return None
    if not boundary or len(boundary) > 200:
        return None
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        return None


def _filename(head: EmailMessage) -> str | None:
    """The part's file name (Content-Disposition, else Content-Type's name), None without."""
    try:
        name = head.get_filename()
    except (ValueError, TypeError, IndexError):
        return None
    return None if name is None else str(name)


class _Decoder:
    """One attachment's body decoded chunk by chunk into its `Attachment` (kept only when
    wanted, and only up to its limit)."""

    def __init__(self, attachment: Attachment, limit: int | None, encoding: str) -> None:
        self.attachment, self.limit, self.encoding = attachment, limit, encoding
        self.pending = b""
        self.parts: list[bytes] = []
        self.done = limit is None

    def __call__(self, data: bytes) -> None:
        if self.done:
            return
        if self.encoding == "base64":
            text = self.pending + data.translate(None, _NOT_BASE64)
            usable = len(text) - len(text) % 4
            self.pending = text[usable:]
            self._decoded(text[:usable], binascii.a2b_base64)
        elif self.encoding == "quoted-printable":
            text = self.pending + data
            cut = text.rfind(b"\n") + 1
            self.pending = text[cut:]
            self._decoded(text[:cut], binascii.a2b_qp)
        else:
            self._take(data)

    def _decoded(self, text: bytes, decode: Callable[[bytes], bytes]) -> None:
        if not text:
            return
        try:
            self._take(decode(text))
        except (binascii.Error, ValueError):
            self.attachment.broken, self.done = True, True
            self.parts = []

    def _take(self, data: bytes) -> None:
        assert self.limit is not None
        self.attachment.size += len(data)
        if self.attachment.size > self.limit:
            self.attachment.over, self.done = True, True
            self.parts = []
            return
        self.parts.append(data)

    def finish(self) -> None:
        """The body ended: decode what is left and keep the whole."""
        tail, self.pending = self.pending, b""
        if tail and not self.done:
            if self.encoding == "base64":
                self._decoded(tail + b"=" * (-len(tail) % 4), binascii.a2b_base64)
            else:
                self._decoded(tail, binascii.a2b_qp)
        if not self.done:
            self.attachment.data = b"".join(self.parts)
        self.parts = []


# --- mbox: message by message -------------------------------------------------------------


@dataclass(frozen=True)
class MboxMessage:
    """One message of an mbox file: where it stands (its 'From ' line included) and its size."""

    number: int
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


def mbox_messages(handle: BinaryIO) -> list[MboxMessage]:
    """Where each message of an mbox file starts and ends: every line starting 'From ', found
    chunk by chunk (nothing of a message is kept)."""
    marker = b"\nFrom "
    starts: list[int] = []
    handle.seek(0)
    first = handle.read(len(marker) - 1)
    if first.startswith(b"From "):
        starts.append(0)
    handle.seek(0)
    offset, tail = 0, b""
    while True:
        chunk = handle.read(CHUNK)
        if not chunk:
            break
        data = tail + chunk
        base = offset - len(tail)
        at = data.find(marker)
        while at >= 0:
            starts.append(base + at + 1)
            at = data.find(marker, at + 1)
        tail = data[-(len(marker) - 1):]
        offset += len(chunk)
    ends = [*starts[1:], offset]
    return [MboxMessage(i + 1, start, end)
            for i, (start, end) in enumerate(zip(starts, ends, strict=True))]


class MboxSlice:
    """One message of an mbox file as a stream, without its 'From ' line."""

    def __init__(self, handle: BinaryIO, message: MboxMessage) -> None:
        self.handle = handle
        self.position = message.start
        self.end = message.end
        handle.seek(message.start)
        line = handle.readline(MAX_HEADER_BYTES)  # the 'From sender date' line
        self.position += len(line)

    def read(self, size: int = -1, /) -> bytes:
        left = self.end - self.position
        if left <= 0:
            return b""
        self.handle.seek(self.position)
        data = self.handle.read(left if size < 0 else min(size, left))
        self.position += len(data)
        return data
