"""XMP packets: the field mapping, merging without loss, hostile input, embedded JPEG XMP."""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.core.cull.xmp import (
    NS_REVIEWER,
    NS_XMP,
    ReviewerFields,
    XmpError,
    XmpMarks,
    atomic_write,
    jpeg_xmp_packet,
    merge_xmp,
    parse_xmp,
    read_jpeg_xmp,
    read_xmp,
)

DARKTABLE_SIDECAR = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   xmp:Rating="2"
   crs:Exposure2012="+0.35"
   darktable:xmp_version="5">
   <darktable:history>
    <rdf:Seq>
     <rdf:li darktable:operation="exposure" darktable:enabled="1" darktable:params="0000ff"/>
    </rdf:Seq>
   </darktable:history>
   <dc:subject><rdf:Bag><rdf:li>bird</rdf:li><rdf:li>a &amp; b</rdf:li></rdf:Bag></dc:subject>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Morning</rdf:li></rdf:Alt></dc:title>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def _canonical(elem: ET.Element) -> object:
    """A tree as nested tuples, ignoring whitespace-only text: what a reader sees."""
    text = (elem.text or "").strip()
    return (elem.tag, sorted(elem.attrib.items()), text, [_canonical(c) for c in elem])


def _strip_ours(elem: ET.Element) -> None:
    for key in list(elem.attrib):
        if key.startswith((f"{{{NS_REVIEWER}}}", f"{{{NS_XMP}}}Rating", f"{{{NS_XMP}}}Label")):
            del elem.attrib[key]
    for child in elem:
        _strip_ours(child)


def test_new_packet_maps_every_field() -> None:
    data = merge_xmp(
        None,
        marks=XmpMarks(4, "green"),
        reviewer=ReviewerFields(score=61.234, scorer="focus", verdict="sharp", threshold=25),
    )
    root = ET.fromstring(data)
    desc = root.find(".//{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
    assert desc is not None
    assert desc.get(f"{{{NS_XMP}}}Rating") == "4"
    assert desc.get(f"{{{NS_XMP}}}Label") == "Green"
    assert desc.get(f"{{{NS_REVIEWER}}}Score") == "61.23"
    assert desc.get(f"{{{NS_REVIEWER}}}Scorer") == "focus"
    assert desc.get(f"{{{NS_REVIEWER}}}Verdict") == "sharp"
    assert b'xmlns:reviewer="http://ns.reviewer-app.org/1.0/"' in data
    assert data.startswith(b"<?xpacket begin=")
    got = read_xmp(data)
    assert got.marks == XmpMarks(4, "Green")
    assert got.reviewer == ReviewerFields(61.23, "focus", "sharp", 25.0)


def test_reject_is_rating_minus_one() -> None:
    data = merge_xmp(None, marks=XmpMarks(rejected=True))
    assert b'xmp:Rating="-1"' in data
    assert read_xmp(data).marks.rejected


def test_merge_keeps_everything_it_does_not_own() -> None:
    merged = merge_xmp(
        DARKTABLE_SIDECAR,
        marks=XmpMarks(0, "Red", rejected=True),
        reviewer=ReviewerFields(3.5, "focus", "blurry", 25.0),
    )
    got = read_xmp(merged)
    assert got.marks == XmpMarks(0, "Red", rejected=True)
    assert got.reviewer is not None and got.reviewer.verdict == "blurry"
    before, after = ET.fromstring(DARKTABLE_SIDECAR), ET.fromstring(merged)
    _strip_ours(before)
    _strip_ours(after)
    assert _canonical(after) == _canonical(before)
    # the author's prefixes are kept
    for prefix in (b"xmlns:darktable=", b"xmlns:crs=", b"xmlns:dc=", b"xml:lang="):
        assert prefix in merged


def test_marks_none_leaves_rating_and_label_alone() -> None:
    merged = merge_xmp(DARKTABLE_SIDECAR, reviewer=ReviewerFields(80.0, "focus", "sharp"))
    assert read_xmp(merged).marks == XmpMarks(2)


def test_rating_written_as_element_is_replaced_not_duplicated() -> None:
    packet = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
      xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
        <xmp:Rating>5</xmp:Rating><xmp:Label>Blue</xmp:Label></rdf:Description>
      <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <dc:format>image/x-canon-cr2</dc:format></rdf:Description>
    </rdf:RDF></x:xmpmeta>"""
    assert read_xmp(packet).marks == XmpMarks(5, "Blue")
    merged = merge_xmp(packet, marks=XmpMarks(1, None))
    assert merged.count(b"Rating") == 1 and b"Label" not in merged
    assert read_xmp(merged).marks == XmpMarks(1)
    assert b"image/x-canon-cr2" in merged


def test_packet_without_xmpmeta_wrapper_and_other_tools_labels() -> None:
    packet = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3.0"
        xmp:Label="To Do"/></rdf:RDF>"""
    assert read_xmp(packet).marks == XmpMarks(3, "To Do")
    assert read_xmp(merge_xmp(packet, marks=XmpMarks(3, "To Do"))).marks.label == "To Do"


@pytest.mark.parametrize(
    ("rating", "expected"),
    [("-1", XmpMarks(rejected=True)), ("0", XmpMarks()), ("7", XmpMarks()), ("x", XmpMarks())],
)
def test_odd_ratings(rating: str, expected: XmpMarks) -> None:
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="{rating}"/></rdf:RDF></x:xmpmeta>'
    )
    assert read_xmp(packet.encode()).marks == expected


def test_marks_are_validated() -> None:
    with pytest.raises(ValueError, match="0 to 5"):
        XmpMarks(6)
    with pytest.raises(ValueError, match="label"):
        XmpMarks(label="\x00")
    assert XmpMarks(label="purple").label == "Purple"


HOSTILE = [
    b"",
    b"not xml",
    b"<a>",
    b"<a/>",  # XML but not XMP
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
    b'<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><x/>',
    b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>',
    (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>"
    ),
    b'<?xml version="1.0" encoding="no-such-encoding"?><x/>',
    b"<a>" * 1000 + b"</a>" * 1000,
    b"\xff\xfe<\x00a\x00",
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_input_raises_only_xmp_error(data: bytes) -> None:
    with pytest.raises(XmpError):
        read_xmp(data)
    with pytest.raises(XmpError):
        merge_xmp(data, marks=XmpMarks(rejected=True))


def test_dtd_even_harmless_is_refused() -> None:
    with pytest.raises(XmpError, match="refused"):
        parse_xmp(b"<!DOCTYPE x><x:xmpmeta xmlns:x='adobe:ns:meta/'/>")


def test_oversized_input_refused() -> None:
    with pytest.raises(XmpError, match="too large"):
        parse_xmp(b" " * (16 * 1024 * 1024 + 1))


_XML_BITS = st.sampled_from(
    [
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'>",
        "</x:xmpmeta>",
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>",
        "</rdf:RDF>",
        "<rdf:Description xmlns:xmp='http://ns.adobe.com/xap/1.0/' xmp:Rating='",
        "'/>",
        "<xmp:Label>",
        "</xmp:Label>",
        "<!DOCTYPE x [<!ENTITY e 'v'>]>",
        "&e;",
        "&amp;",
        "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>",
        "<!-- c -->",
        "<![CDATA[x]]>",
        "-1",
        "5",
        "Red",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_XML_BITS | st.text(max_size=8), max_size=14))
def test_fuzz_structured_only_xmp_error_escapes(parts: list[str]) -> None:
    data = "".join(parts).encode("utf-8", "surrogatepass")
    try:
        got = read_xmp(data)
    except XmpError:
        return
    assert -1 <= (got.marks.rating if not got.marks.rejected else -1) <= 5
    merged = merge_xmp(data, marks=XmpMarks(rejected=True))
    assert read_xmp(merged).marks.rejected


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_only_xmp_error_escapes(data: bytes) -> None:
    with contextlib.suppress(XmpError):
        read_xmp(data)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 5),
    st.one_of(st.none(), st.sampled_from(["Red", "Yellow", "Green", "Blue", "Purple"])),
    st.booleans(),
    st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""),
)
def test_round_trip_any_marks(rating: int, label: str | None, rejected: bool, scorer: str) -> None:
    fields = ReviewerFields(12.5, scorer, "sharp")
    data = merge_xmp(DARKTABLE_SIDECAR, marks=XmpMarks(rating, label, rejected), reviewer=fields)
    got = read_xmp(data)
    assert got.marks == XmpMarks(0 if rejected else rating, label, rejected)
    assert got.reviewer is not None and got.reviewer.score == 12.5


def _jpeg_with_xmp(packet: bytes | None) -> bytes:
    out = io.BytesIO()
    out.write(b"\xff\xd8")
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    out.write(b"\xff\xe0" + (len(app0) + 2).to_bytes(2, "big") + app0)
    exif = b"Exif\x00\x00" + b"\x00" * 20
    out.write(b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif)
    if packet is not None:
        body = b"http://ns.adobe.com/xap/1.0/\x00" + packet
        out.write(b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body)
    out.write(b"\xff\xda\x00\x02" + b"\x00" * 64 + b"\xff\xd9")
    return out.getvalue()


def test_embedded_jpeg_xmp_is_read(tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(_jpeg_with_xmp(merge_xmp(None, marks=XmpMarks(5, "Yellow"))))
    before = photo.read_bytes()
    got = read_jpeg_xmp(photo)
    assert got is not None and got.marks == XmpMarks(5, "Yellow")
    assert photo.read_bytes() == before
    plain = tmp_path / "b.jpg"
    plain.write_bytes(_jpeg_with_xmp(None))
    assert read_jpeg_xmp(plain) is None


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xd8", b"\xff\xd8\xff\xe1\x00", b"\x89PNG", b"\xff\xd8\x00"]
)
def test_embedded_jpeg_xmp_broken_headers(data: bytes) -> None:
    with pytest.raises(XmpError):
        jpeg_xmp_packet(io.BytesIO(data))


def test_atomic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.xmp"
    target.write_bytes(b"old")
    target.chmod(0o640)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.xmp"]


_NAMES = st.text("abcdefgh", min_size=1, max_size=4)


@st.composite
def _foreign_packets(draw: st.DrawFn) -> bytes:
    """A packet whose description holds random foreign properties in random namespaces."""
    spaces = draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    decls = "".join(f' xmlns:p{p}="http://example.com/{p}/"' for p in spaces)
    values = st.sampled_from(["1", "a&amp;b", "x y"])
    attrs = "".join(
        f' p{draw(st.sampled_from(spaces))}:{name}="{draw(values)}"'
        for name in draw(st.lists(_NAMES, max_size=4, unique=True))
    )
    children = "".join(
        f"<p{ns}:{name}>{draw(st.sampled_from(['', 'text', '&lt;tag&gt;']))}</p{ns}:{name}>"
        for ns, name in draw(st.lists(st.tuples(st.sampled_from(spaces), _NAMES), max_size=4))
    )
    rating = draw(st.sampled_from(["", ' xmp:Rating="3"', ' xmp:Rating="-1"']))
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"{decls}'
        f"{attrs}{rating}>{children}</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


@settings(max_examples=150, deadline=None)
@given(_foreign_packets(), st.booleans())
def test_fuzz_merge_keeps_foreign_properties(packet: bytes, rejected: bool) -> None:
    merged = merge_xmp(packet, marks=XmpMarks(2, "Blue", rejected), reviewer=ReviewerFields(1.0))
    before, after = ET.fromstring(packet), ET.fromstring(merged)
    _strip_ours(before)
    _strip_ours(after)
    assert _canonical(after) == _canonical(before)
    assert read_xmp(merged).marks == XmpMarks(2 if not rejected else 0, "Blue", rejected)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_jpeg_headers_only_xmp_error_escapes(tail: bytes) -> None:
    for data in (b"\xff\xd8" + tail, b"\xff\xd8\xff\xe1" + tail):
        try:
            packet = jpeg_xmp_packet(io.BytesIO(data))
        except XmpError:
            continue
        if packet is not None:
            with contextlib.suppress(XmpError):
                read_xmp(packet)
