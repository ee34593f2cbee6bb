"""A stored page's gzip encoding, spliced per reader: always a valid gzip of the very bytes the
identity response carries, whatever the reader's address and wherever the placeholders fall."""

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monographs.site.compression import accepts_gzip, deflate_around, gzip_with

PLACEHOLDER = b"http://stored-page.invalid"


@given(
    pieces=st.lists(st.binary(max_size=3000), min_size=1, max_size=6),
    address=st.text(min_size=0, max_size=80).map(str.encode),
)
def test_the_spliced_gzip_is_the_body_with_the_address_in_place(pieces, address):
    body = PLACEHOLDER.join(pieces)
    deflated = deflate_around(body, PLACEHOLDER)

    encoded = gzip_with(deflated.data, deflated.index(), address)

    assert gzip.decompress(encoded) == body.replace(PLACEHOLDER, address)  # checks CRC and size


def test_a_page_compresses_to_a_fraction_of_its_size():
    """Pages name the site's address a dozen times, in the head and structured data; their
    links are relative. Each piece between two addresses is compressed on its own."""
    head = b'<link rel="canonical" href="http://stored-page.invalid/drugs/x/">\n' * 14
    row = b'<tr><td><a href="/trials/nct0900%04d/">Trial</a></td><td>Phase 3</td></tr>\n'
    body = head + b"".join(row.replace(b"%04d", b"%04d" % n) for n in range(2000))
    deflated = deflate_around(body, PLACEHOLDER)

    encoded = gzip_with(deflated.data, deflated.index(), b"https://oncology.example.org")

    assert len(encoded) < len(body) / 5


def test_an_address_longer_than_a_stored_block_is_not_spliced():
    deflated = deflate_around(PLACEHOLDER, PLACEHOLDER)

    assert gzip_with(deflated.data, deflated.index(), b"x" * 70_000) is None


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br, zstd", True),
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1.0, *;q=0.1", True),
        ("", False),
        ("identity", False),
        ("br", False),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_gzip_is_sent_only_when_the_reader_accepts_it(header, accepted):
    assert accepts_gzip(header) is accepted
