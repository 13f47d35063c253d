"""What a published original tells of its photographer: nothing, unless the site says so.

A phone photo carries where it was taken (EXIF's GPS, XMP, a motion photo's video), the
camera's serial number, the owner's name. Figures link to the original and it is the widest
`srcset` choice, so on a military news site that is a leak. The originals are published
without those, and otherwise byte for byte as they were: the metadata segments and chunks are
rewritten, the pixels never decoded or encoded again. Only the Orientation tag (browsers turn
the photo by it) and the colour profile stay.
"""

from __future__ import annotations

import struct
import zlib
from typing import NamedTuple

ORIENTATION = 0x0112
GPS_IFD = 0x8825
GPS_POSITION = (2, 4)
"""GPSLatitude and GPSLongitude: a GPS IFD without them (a version only) locates nothing."""
XMP_LOCATION = (b"GPSLatitude", b"GPSLongitude")
MP4_LOCATION = b"\xa9xyz"
"""The QuickTime location atom of the video a motion photo appends to its JPEG."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_TEXT_KEPT = {b"Title", b"Description", b"Copyright", b"Creation Time", b"Software"}
"""PNG text keywords that name nobody and no place; the others (Author, Comment, XMP,
ImageMagick's raw EXIF profiles...) are dropped."""
WEBP_EXIF_FLAG = 0x08
WEBP_XMP_FLAG = 0x04
TEXT_LIMIT = 1 << 24
"""The most a compressed PNG text chunk is inflated to, to look for a location."""


class Cleaned(NamedTuple):
    data: bytes
    located: bool
    """Whether the file carried the place it was taken."""


def without_private_metadata(data: bytes) -> Cleaned:
    """A JPEG, PNG or WebP file without its private metadata; other files as they are."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    return Cleaned(data, False)


def carries_location(data: bytes) -> bool:
    """Whether a file tells where it was taken (for a warning when it is kept as it is)."""
    return without_private_metadata(data).located


# EXIF


def _exif_facts(tiff: bytes) -> tuple[int, bool]:
    """(Orientation, whether it has a GPS position) of an EXIF block."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(tiff)
        orientation = exif.get(ORIENTATION, 1)
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001 - a broken block is dropped; its GPS pointer says enough
        return 1, struct.pack(">H", GPS_IFD) in tiff or struct.pack("<H", GPS_IFD) in tiff
    located = any(tag in gps for tag in GPS_POSITION)
    return (orientation if orientation in range(1, 9) else 1), located


def _orientation_only(orientation: int) -> bytes:
    """A TIFF-format EXIF block holding the Orientation tag alone."""
    entry = struct.pack(">HHIHH", ORIENTATION, 3, 1, orientation, 0)
    return b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)


def _exif_kept(tiff: bytes) -> tuple[bytes | None, bool]:
    """What an EXIF block becomes (Orientation alone, or None when upright), and whether it
    located the photo."""
    orientation, located = _exif_facts(tiff)
    return (_orientation_only(orientation) if orientation != 1 else None), located


# JPEG

EXIF_HEADER = b"Exif\x00\x00"
XMP_HEADERS = (b"http://ns.adobe.com/xap/1.0/\x00", b"http://ns.adobe.com/xmp/extension/\x00")
MPF_HEADER = b"MPF\x00"
APP1, APP2, APP13, SOS, EOI = 0xE1, 0xE2, 0xED, 0xDA, 0xD9


def _jpeg(data: bytes) -> Cleaned:
    """Rewrites the APP segments before the first scan; drops what follows the image (a
    motion photo's video, a depth map: pictures of their own, with their own metadata)."""
    kept, position, located = [data[:2]], 2, False
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == SOS:
            break
        if marker == 0xFF:  # a fill byte
            kept.append(b"\xff")
            position += 1
            continue
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        segment, located_here = _jpeg_segment(marker, data[position:end])
        kept.append(segment)
        located = located or located_here
        position = end
    image_end = _end_of_image(data, position)
    trailing = data[image_end:]
    located = located or _trailing_located(trailing)
    cleaned = b"".join(kept) + data[position:image_end]
    return Cleaned(data if cleaned == data else cleaned, located)


def _jpeg_segment(marker: int, segment: bytes) -> tuple[bytes, bool]:
    """A metadata segment as published (b"" when dropped), and whether it located."""
    payload = segment[4:]
    if marker == APP1 and payload.startswith(EXIF_HEADER):
        tiff, located = _exif_kept(payload[len(EXIF_HEADER) :])
        if tiff is None:
            return b"", located
        body = EXIF_HEADER + tiff
        return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body, located
    if marker == APP1 and payload.startswith(XMP_HEADERS):
        return b"", any(word in payload for word in XMP_LOCATION)
    if marker == APP13 or (marker == APP2 and payload.startswith(MPF_HEADER)):
        return b"", False  # IPTC (by-line, city); the index of the pictures dropped after
    return segment, False


def _end_of_image(data: bytes, position: int) -> int:
    """Where the first image ends (just after its EOI), from its first SOS; the file's end
    when it has none."""
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker == EOI:
            return position + 2
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 1 if marker == 0xFF else 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == SOS:
            position = _after_scan(data, position)
    if data[position : position + 2] == b"\xff\xd9":
        return position + 2
    return len(data)


def _after_scan(data: bytes, position: int) -> int:
    """The next marker after a scan's entropy-coded data (where 0xFF is followed by 0x00, a
    restart marker or another 0xFF)."""
    while True:
        position = data.find(b"\xff", position)
        if position < 0 or position + 1 >= len(data):
            return len(data)
        following = data[position + 1]
        if following == 0xFF:
            position += 1
        elif following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        else:
            return position


def _trailing_located(trailing: bytes) -> bool:
    """Whether what follows the image (pictures, a video) says where it was taken."""
    if not trailing:
        return False
    if MP4_LOCATION in trailing or any(word in trailing for word in XMP_LOCATION):
        return True
    start = trailing.find(EXIF_HEADER)
    return start >= 0 and _exif_facts(trailing[start + len(EXIF_HEADER) :])[1]


# PNG


def _png(data: bytes) -> Cleaned:
    """Drops the text chunks that may name or place (XMP among them) and keeps of eXIf its
    Orientation; every other chunk, image data and animation alike, as it was."""
    kept, position, located = [data[:8]], 8, False
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        body = data[position + 8 : position + 8 + length]
        chunk, located_here = _png_chunk(kind, body, data[position:end])
        kept.append(chunk)
        located = located or located_here
        position = end
        if kind == b"IEND":
            break
    cleaned = b"".join(kept) + data[position:]
    return Cleaned(data if cleaned == data else cleaned, located)


def _png_chunk(kind: bytes, body: bytes, chunk: bytes) -> tuple[bytes, bool]:
    if kind == b"eXIf":
        tiff, located = _exif_kept(body)
        return (b"" if tiff is None else _png_chunk_of(b"eXIf", tiff)), located
    if kind in (b"tEXt", b"zTXt", b"iTXt"):
        keyword, text = _png_text(kind, body)
        if keyword in PNG_TEXT_KEPT:
            return chunk, False
        return b"", _text_located(keyword, text)
    return chunk, False


def _png_chunk_of(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png_text(kind: bytes, body: bytes) -> tuple[bytes, bytes]:
    """A text chunk's keyword and text (inflated when compressed, up to TEXT_LIMIT)."""
    keyword, _, rest = body.partition(b"\x00")
    compressed = kind == b"zTXt"
    if kind == b"iTXt":
        compressed = rest[:1] == b"\x01"
        rest = rest[2:].split(b"\x00", 2)[-1]  # after the language and translated keyword
    elif compressed:
        rest = rest[1:]
    if compressed:
        try:
            rest = zlib.decompressobj().decompress(rest, TEXT_LIMIT)
        except zlib.error:
            rest = b""
    return keyword, rest


def _text_located(keyword: bytes, text: bytes) -> bool:
    """XMP's GPS, or ImageMagick's hex-encoded EXIF ('Raw profile type exif')."""
    if any(word in text for word in XMP_LOCATION):
        return True
    if keyword.lower() in (b"raw profile type exif", b"raw profile type app1"):
        lines = text.strip().split(b"\n")[2:]  # the profile's name and length come first
        try:
            profile = bytes.fromhex(b"".join(lines).decode("ascii"))
        except ValueError:
            return False
        start = profile.find(EXIF_HEADER)
        return _exif_facts(profile[start + len(EXIF_HEADER) :] if start >= 0 else profile)[1]
    return False


# WebP


def _webp(data: bytes) -> Cleaned:
    """Drops the RIFF container's XMP chunk and keeps of its EXIF the Orientation, with the
    VP8X flags and the RIFF size to match; frames, alpha and ICC as they were."""
    chunks, position = [], 12
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while position + 8 <= end:
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        following = position + 8 + size + (size & 1)
        chunks.append((data[position : position + 4], data[position:following]))
        position = following
    if not any(kind in (b"EXIF", b"XMP ") for kind, _ in chunks):
        return Cleaned(data, False)
    kept, located, exif_kept = [], False, False
    for kind, chunk in chunks:
        if kind == b"XMP ":
            located = located or any(word in chunk for word in XMP_LOCATION)
        elif kind == b"EXIF":
            tiff, located_here = _exif_kept(chunk[8 : 8 + int.from_bytes(chunk[4:8], "little")])
            located = located or located_here
            if tiff is not None:
                kept.append(_riff_chunk(b"EXIF", tiff))
                exif_kept = True
        else:
            kept.append(chunk)
    kept = [_vp8x_flags(chunk, exif_kept) if chunk[:4] == b"VP8X" else chunk for chunk in kept]
    body = b"WEBP" + b"".join(kept)
    return Cleaned(b"RIFF" + struct.pack("<I", len(body)) + body + data[end:], located)


def _riff_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


def _vp8x_flags(chunk: bytes, exif: bool) -> bytes:
    flags = chunk[8] & ~WEBP_XMP_FLAG & ~WEBP_EXIF_FLAG | (WEBP_EXIF_FLAG if exif else 0)
    return chunk[:8] + bytes([flags]) + chunk[9:]
