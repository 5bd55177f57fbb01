"""XMP: read, merge and write the fields other photo tools read, keeping everything else.

What Reviewer owns in a packet (and nothing more):

* ``xmp:Rating``: ``-1`` for a rejected photo (what Lightroom, darktable and RawTherapee read
  as rejected), else the stars, 0-5;
* ``xmp:Label``: the colour label, spelled as Lightroom does (Red, Yellow, Green, Blue, Purple);
* ``reviewer:Score``, ``reviewer:Threshold``, ``reviewer:Scorer``, ``reviewer:Verdict`` in
  Reviewer's namespace ``http://ns.reviewer-app.org/1.0/``, so any XMP-aware tool can sort by
  sharpness.

Every other element, attribute and namespace of an existing packet (keywords, titles, darktable
history, Camera Raw settings, ...) is kept as it was; namespace prefixes are kept too.

Sidecars are untrusted input: they are parsed with defusedxml (no DTD, no entity expansion, no
external references), with a size and nesting limit. Whatever is wrong with one is raised as
`XmpError`, the only error this module's parsers raise.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import struct
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

NS_X = "adobe:ns:meta/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_REVIEWER = "http://ns.reviewer-app.org/1.0/"
NS_XML = "http://www.w3.org/XML/1998/namespace"

# The prefixes a new packet uses, and that win when a document has none for these namespaces.
DEFAULT_PREFIXES: dict[str, str] = {
    NS_X: "x",
    NS_RDF: "rdf",
    NS_XMP: "xmp",
    NS_REVIEWER: "reviewer",
}

LABELS: tuple[str, ...] = ("Red", "Yellow", "Green", "Blue", "Purple")
REJECTED_RATING = -1
MAX_STARS = 5

# A sidecar bigger than this is not a sidecar (darktable histories reach a few hundred KB).
MAX_XMP_BYTES = 16 * 1024 * 1024
# Deeper element nesting than this is refused (real packets are under 20 deep).
MAX_DEPTH = 256

_XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_END = '\n<?xpacket end="w"?>\n'
_XMP_APP1_ID = b"http://ns.adobe.com/xap/1.0/\x00"

_RATING = f"{{{NS_XMP}}}Rating"
_LABEL = f"{{{NS_XMP}}}Label"
_DESCRIPTION = f"{{{NS_RDF}}}Description"
_RDF = f"{{{NS_RDF}}}RDF"
_XMPMETA = f"{{{NS_X}}}xmpmeta"
_ABOUT = f"{{{NS_RDF}}}about"
_REVIEWER_TAGS = ("Score", "Threshold", "Scorer", "Verdict")
# Characters XML 1.0 cannot carry at all (not even escaped).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class XmpError(ValueError):
    """A packet that cannot be used: not XML, hostile (DTD, entities), too big, or not XMP."""


@dataclass(frozen=True, slots=True)
class XmpMarks:
    """A photographer's marks as XMP carries them."""

    rating: int = 0  # stars, 0-5 (0: none)
    label: str | None = None  # "Red", "Yellow", ... (or another tool's own label text)
    rejected: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.rating <= MAX_STARS:
            raise ValueError(f"a rating is 0 to {MAX_STARS} stars, not {self.rating}")
        if self.label is not None:
            if not self.label.strip() or _NOT_XML.search(self.label):
                raise ValueError(f"not a label: {self.label!r}")
            object.__setattr__(self, "label", canonical_label(self.label))


@dataclass(frozen=True, slots=True)
class ReviewerFields:
    """Reviewer's own measurement of a photo, in its namespace."""

    score: float | None = None
    scorer: str | None = None  # the scoring method, e.g. "focus"
    verdict: str | None = None  # "sharp", "blurry", "unsure"
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class XmpData:
    """What a packet says, as far as Reviewer reads it."""

    marks: XmpMarks
    reviewer: ReviewerFields | None = None  # None when the packet has none of Reviewer's fields
    has_rating: bool = False  # the packet carries an xmp:Rating at all

    @property
    def has_marks(self) -> bool:
        """The packet says something about rating, reject or label."""
        return self.has_rating or self.marks.label is not None


@dataclass(slots=True)
class XmpPacket:
    """A parsed packet: the x:xmpmeta tree, its rdf:RDF, and the prefixes its author chose."""

    root: ET.Element
    rdf: ET.Element
    prefixes: dict[str, str]  # namespace URI -> prefix, as first declared in the document


def canonical_label(text: str | None) -> str | None:
    """'red' -> 'Red'; another tool's own label text is kept as it is; blank -> None."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    for name in LABELS:
        if stripped.casefold() == name.casefold():
            return name
    return stripped


# ---------------------------------------------------------------- parsing


def parse_xmp(data: bytes) -> XmpPacket:
    """Parse a packet (a sidecar, or XMP embedded in a photo). Raises XmpError only."""
    if len(data) > MAX_XMP_BYTES:
        raise XmpError(f"too large for a sidecar ({len(data)} bytes)")
    prefixes: dict[str, str] = {}
    depth = 0
    try:
        parser = iterparse(
            io.BytesIO(data),
            events=("start", "end", "start-ns"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        for event, item in parser:
            if event == "start-ns":
                prefix, uri = item
                if prefix and uri not in prefixes:
                    prefixes[str(uri)] = str(prefix)
            elif event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise XmpError(f"elements nested more than {MAX_DEPTH} deep")
            else:
                depth -= 1
        root = parser.root
    except XmpError:
        raise
    except DefusedXmlException as exc:
        kind = type(exc).__name__
        raise XmpError(f"refused: {kind} (DTDs and entities are not allowed)") from None
    except ET.ParseError as exc:
        raise XmpError(f"not well-formed XML: {exc}") from None
    except (ValueError, LookupError, UnicodeError, RecursionError) as exc:
        raise XmpError(f"not readable XML: {exc}") from None
    if root is None:
        raise XmpError("empty document")
    if root.tag == _XMPMETA:
        rdf = root.find(_RDF)
    elif root.tag == _RDF:  # an old packet without the x:xmpmeta wrapper
        rdf = root
        meta = ET.Element(_XMPMETA)
        meta.text, rdf.tail = "\n ", "\n"
        meta.append(rdf)
        root = meta
    else:
        # XMP may sit inside another document (an SVG's metadata, ...): take its first rdf:RDF.
        rdf = root.find(f".//{_RDF}")
        if rdf is not None:
            meta = ET.Element(_XMPMETA)
            meta.append(rdf)
            root = meta
    if rdf is None:
        raise XmpError("not an XMP packet (no rdf:RDF)")
    return XmpPacket(root, rdf, prefixes)


def _descriptions(packet: XmpPacket) -> list[ET.Element]:
    return [d for d in packet.rdf if d.tag == _DESCRIPTION]


def _simple_value(packet: XmpPacket, tag: str) -> str | None:
    """A simple property's value, written as an attribute or as an element, in any
    top-level rdf:Description (XMP allows either form and any number of descriptions)."""
    for desc in _descriptions(packet):
        value = desc.get(tag)
        if value is not None:
            return value
        child = desc.find(tag)
        if child is not None:
            if len(child) == 0:
                return child.text or ""
            # a language alternative (rdf:Alt / rdf:li) or similar: its first item's text
            li = child.find(f".//{{{NS_RDF}}}li")
            if li is not None:
                return li.text or ""
    return None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_packet(packet: XmpPacket) -> XmpData:
    rating_text = _simple_value(packet, _RATING)
    rating_value = _float(rating_text)
    rejected = False
    stars = 0
    if rating_value is not None:
        rounded = round(rating_value)
        if rounded < 0:
            rejected = True  # -1 is the convention; any negative rating means rejected
        elif rounded <= MAX_STARS:
            stars = int(rounded)
    label = canonical_label(_simple_value(packet, _LABEL))
    if label is not None and _NOT_XML.search(label):  # pragma: no cover - XML cannot carry it
        label = None
    fields = {name: _simple_value(packet, f"{{{NS_REVIEWER}}}{name}") for name in _REVIEWER_TAGS}
    reviewer = None
    if any(v is not None for v in fields.values()):
        reviewer = ReviewerFields(
            score=_float(fields["Score"]),
            scorer=(fields["Scorer"] or "").strip() or None,
            verdict=(fields["Verdict"] or "").strip() or None,
            threshold=_float(fields["Threshold"]),
        )
    return XmpData(XmpMarks(stars, label, rejected), reviewer, rating_value is not None)


def read_xmp(data: bytes) -> XmpData:
    """The marks and Reviewer fields of a packet. Raises XmpError only."""
    return read_packet(parse_xmp(data))


# ---------------------------------------------------------------- merging and writing


def _set_property(packet: XmpPacket, tag: str, value: str | None) -> None:
    """Set (or, with None, remove) a simple property, wherever and however it was written."""
    descs = _descriptions(packet)
    for desc in descs:
        desc.attrib.pop(tag, None)
        for child in desc.findall(tag):
            desc.remove(child)
    if value is None:
        return
    if not descs:
        desc = ET.Element(_DESCRIPTION, {_ABOUT: ""})
        desc.tail = "\n "
        packet.rdf.insert(0, desc)
        descs = [desc]
    descs[0].set(tag, value)


def _format_number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else ""


def _rating_text(marks: XmpMarks) -> str:
    return str(REJECTED_RATING if marks.rejected else marks.rating)


def merge_packet(
    packet: XmpPacket,
    *,
    marks: XmpMarks | None = None,
    reviewer: ReviewerFields | None = None,
) -> None:
    """Put marks and/or Reviewer's fields into a parsed packet (None: leave those alone)."""
    if marks is not None:
        _set_property(packet, _RATING, _rating_text(marks))
        _set_property(packet, _LABEL, marks.label)
    if reviewer is not None:
        values = {
            "Score": _format_number(reviewer.score) if reviewer.score is not None else None,
            "Threshold": (
                _format_number(reviewer.threshold) if reviewer.threshold is not None else None
            ),
            "Scorer": reviewer.scorer,
            "Verdict": reviewer.verdict,
        }
        for name, text in values.items():
            if text is not None and (not text or _NOT_XML.search(text)):
                text = None
            _set_property(packet, f"{{{NS_REVIEWER}}}{name}", text)


def new_packet(toolkit: str = "Reviewer") -> XmpPacket:
    root = ET.Element(_XMPMETA, {f"{{{NS_X}}}xmptk": toolkit})
    root.text = "\n "
    rdf = ET.SubElement(root, _RDF)
    rdf.text = "\n  "
    rdf.tail = "\n"
    desc = ET.SubElement(rdf, _DESCRIPTION, {_ABOUT: ""})
    desc.tail = "\n "
    return XmpPacket(root, rdf, dict(DEFAULT_PREFIXES))


def merge_xmp(
    existing: bytes | None,
    *,
    marks: XmpMarks | None = None,
    reviewer: ReviewerFields | None = None,
) -> bytes:
    """The bytes of `existing` (None: a new packet) with marks and Reviewer's fields set.

    Raises XmpError when `existing` cannot be parsed: a broken sidecar is never overwritten."""
    packet = new_packet() if existing is None else parse_xmp(existing)
    merge_packet(packet, marks=marks, reviewer=reviewer)
    return serialize_packet(packet)


def _escape(text: str, attribute: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


def _split(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        uri, _, local = name[1:].partition("}")
        return uri, local
    return None, name


def _prefix_map(packet: XmpPacket) -> dict[str, str]:
    """A prefix for every namespace used in the tree: the document's own, else ours, else nsN."""
    used: list[str] = []
    seen: set[str] = set()
    for elem in packet.root.iter():
        names = [elem.tag] if isinstance(elem.tag, str) else []
        names.extend(elem.attrib)
        for name in names:
            uri, _ = _split(name)
            if uri is not None and uri != NS_XML and uri not in seen:
                seen.add(uri)
                used.append(uri)
    out: dict[str, str] = {}
    taken = {"xml", "xmlns"}
    for uri in used:
        for candidate in (packet.prefixes.get(uri), DEFAULT_PREFIXES.get(uri)):
            if candidate and candidate not in taken and not candidate.lower().startswith("xml"):
                out[uri] = candidate
                break
        else:
            n = 1
            while f"ns{n}" in taken:
                n += 1
            out[uri] = f"ns{n}"
        taken.add(out[uri])
    return out


def serialize_packet(packet: XmpPacket) -> bytes:
    """The packet as a UTF-8 sidecar, wrapped in xpacket processing instructions."""
    prefixes = _prefix_map(packet)

    def qname(name: str) -> str:
        uri, local = _split(name)
        if uri is None:
            return local
        if uri == NS_XML:
            return f"xml:{local}"
        return f"{prefixes[uri]}:{local}"

    parts: list[str] = []

    def write(elem: ET.Element, declare: bool) -> None:
        if not isinstance(elem.tag, str):  # a comment or PI kept by a custom parser
            return
        parts.append(f"<{qname(elem.tag)}")
        if declare:
            for uri, prefix in prefixes.items():
                parts.append(f' xmlns:{prefix}="{_escape(uri, True)}"')
        for key, value in elem.attrib.items():
            parts.append(f' {qname(key)}="{_escape(value, True)}"')
        if len(elem) == 0 and not elem.text:
            parts.append("/>")
        else:
            parts.append(">")
            if elem.text:
                parts.append(_escape(elem.text, False))
            for child in elem:
                write(child, False)
                if child.tail:
                    parts.append(_escape(child.tail, False))
            parts.append(f"</{qname(elem.tag)}>")

    write(packet.root, True)
    return (_XPACKET_BEGIN + "".join(parts) + _XPACKET_END).encode("utf-8")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace (or create) `path` with `data`: a temporary file beside it, fsync'ed, renamed
    over it, then the folder fsync'ed. A crash leaves the old file or the new, never half."""
    folder = path.parent
    mode = 0o644
    with contextlib.suppress(OSError):
        mode = os.stat(path).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# ---------------------------------------------------------------- XMP embedded in a JPEG


def _read_exact(f: BinaryIO, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise XmpError("the JPEG ends inside a header segment")
    return data


def jpeg_xmp_packet(f: BinaryIO) -> bytes | None:
    """The XMP packet of a JPEG's APP1 segment (read-only), None if it has none.

    Reads only the header segments, up to the start of the image data. Raises XmpError for a
    file that is not a JPEG or whose headers are cut."""
    if f.read(2) != b"\xff\xd8":
        raise XmpError("not a JPEG")
    while True:
        byte = _read_exact(f, 1)
        if byte != b"\xff":
            raise XmpError("a JPEG header segment is damaged")
        marker = _read_exact(f, 1)[0]
        while marker == 0xFF:  # fill bytes
            marker = _read_exact(f, 1)[0]
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no more headers
            return None
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            continue
        (length,) = struct.unpack(">H", _read_exact(f, 2))
        if length < 2:
            raise XmpError("a JPEG header segment has a bad length")
        if marker == 0xE1 and length - 2 >= len(_XMP_APP1_ID):
            body = _read_exact(f, length - 2)
            if body.startswith(_XMP_APP1_ID):
                return body[len(_XMP_APP1_ID) :]
            continue
        f.seek(length - 2, os.SEEK_CUR)


def read_jpeg_xmp(path: Path) -> XmpData | None:
    """What the XMP embedded in a JPEG says; None if it has none. OSError if unreadable,
    XmpError if the JPEG or its packet is broken. The file is only ever read."""
    with open(path, "rb") as f:
        packet = jpeg_xmp_packet(f)
    if packet is None:
        return None
    # The packet's own trailing padding and xpacket PIs are fine for the parser.
    return read_xmp(packet.rstrip(b"\x00"))
