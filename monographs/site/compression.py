"""A stored page's gzip encoding: compressed once at publish, finished per reader in microseconds.

A stored page holds the site's address as a placeholder that each response replaces with the
scheme and host the reader asked at (rendering.ORIGIN), so its gzip encoding cannot simply be
stored: compressing 120 KB for every reader costs more than serving it. Instead the text
between placeholders is compressed at publish, each piece on its own (raw deflate, ended by a
sync flush on a byte boundary, referring to nothing before it), and a response splices the
reader's address between the pieces as stored (uncompressed) deflate blocks. What the gzip
trailer needs, the CRC-32 of the whole text, is combined from each piece's stored CRC: CRC-32
is affine over GF(2), so running it over a piece from any starting value equals the piece's
CRC from zero, xor the starting value carried over as many zero bytes (crc32_extended).
"""

import json
import zlib
from dataclasses import dataclass
from functools import lru_cache

from monographs.publishing.cache import content_codings

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
FINAL_EMPTY_BLOCK = b"\x03\x00"  # a final, empty block with fixed Huffman codes
STORED_BLOCK_LIMIT = 0xFFFF


@dataclass(frozen=True)
class DeflatedPieces:
    """The text between placeholders, compressed: `data` holds the pieces one after another;
    `pieces` is (compressed length, text length, CRC-32 of the text) for each."""

    data: bytes
    pieces: tuple[tuple[int, int, int], ...]

    def index(self) -> str:
        return json.dumps(self.pieces, separators=(",", ":"))


def deflate_around(body: bytes, placeholder: bytes) -> DeflatedPieces:
    """Compress the text of `body` between occurrences of `placeholder`, piece by piece."""
    data = []
    pieces = []
    for text in body.split(placeholder):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated = compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)
        data.append(deflated)
        pieces.append((len(deflated), len(text), zlib.crc32(text)))
    return DeflatedPieces(data=b"".join(data), pieces=tuple(pieces))


def crc32_extended(crc: int, *, piece_crc: int, length: int) -> int:
    """The CRC-32 of (text so far + piece), from the CRC of the text so far and the piece's own."""
    zeros = bytes(length)
    return piece_crc ^ zlib.crc32(zeros, crc) ^ zlib.crc32(zeros)


def _stored_block(data: bytes) -> bytes:
    length = len(data)
    return b"\x00" + length.to_bytes(2, "little") + (length ^ 0xFFFF).to_bytes(2, "little") + data


@lru_cache(maxsize=4096)
def _frame(index: str, replacement: bytes) -> tuple[tuple[int, ...], bytes]:
    """The pieces' compressed lengths and the gzip trailer (CRC-32 and length of the whole
    text) for a stored page and a reader's address: the same for every reader at that
    address, so worked out once per page and address rather than on every request."""
    pieces = json.loads(index)
    crc = 0
    size = 0
    for number, (_, length, piece_crc) in enumerate(pieces):
        if number:
            crc = zlib.crc32(replacement, crc)
            size += len(replacement)
        crc = crc32_extended(crc, piece_crc=piece_crc, length=length)
        size += length
    trailer = crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")
    return tuple(deflated_length for deflated_length, _, _ in pieces), trailer


def gzip_with(data: bytes, index: str, replacement: bytes) -> bytes | None:
    """The gzip encoding of the stored text with `replacement` at each placeholder; None for a
    replacement too long for one stored block (never a real scheme and host)."""
    if len(replacement) > STORED_BLOCK_LIMIT:
        return None
    lengths, trailer = _frame(index, replacement)
    between = _stored_block(replacement)
    parts = [GZIP_HEADER]
    start = 0
    for number, deflated_length in enumerate(lengths):
        if number:
            parts.append(between)
        parts.append(data[start : start + deflated_length])
        start += deflated_length
    parts.append(FINAL_EMPTY_BLOCK)
    parts.append(trailer)
    return b"".join(parts)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip: named (or x-gzip, or *) with q above 0.
    Read as the response cache's key reads it (content_codings)."""
    named = dict(content_codings(accept_encoding))
    for name in ("gzip", "x-gzip"):
        if name in named:
            return named[name]
    return named.get("*", False)
