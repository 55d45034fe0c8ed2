#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the PNG fixtures with an encoder independent of libpng (zlib + struct),
so tests/test-png.c checks Salient's reader against files it did not write.

Pixel values follow formulas that the test recomputes:
  raw sample (x, y, c) = (x * 7 + y * 13 + c * 29) mod 2^depth        depth <= 8
                       = (x * 7919 + y * 104729 + c * 31337) mod 65536  depth 16
  palette index (x, y) = (x * 3 + y * 5) mod n_entries
  palette entry i      = (i * 37 mod 256, i * 91 mod 256, 255 - i), alpha 255 - i * 11 (tRNS)
Usage: make-png-fixtures.py OUT_DIR MALFORMED_DIR
"""
import os
import struct
import sys
import zlib

W, H = 13, 7


def chunk(kind, data, crc=None):
    c = zlib.crc32(kind + data) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", c)


def raw(x, y, c, depth):
    if depth == 16:
        return (x * 7919 + y * 104729 + c * 31337) % 65536
    return (x * 7 + y * 13 + c * 29) % (1 << depth)


def pack_row(values, depth):
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    if depth == 8:
        return bytes(values)
    out, acc, nbits = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | v
        nbits += depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


def row_values(xs, y, channels, depth, palette_n):
    vals = []
    for x in xs:
        if palette_n:
            vals.append((x * 3 + y * 5) % palette_n)
        else:
            vals.extend(raw(x, y, c, depth) for c in range(channels))
    return vals


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def image_data(w, h, channels, depth, palette_n, interlace):
    out = bytearray()
    if not interlace:
        passes = [(0, 0, 1, 1)]
    else:
        passes = ADAM7
    for x0, y0, dx, dy in passes:
        xs = list(range(x0, w, dx))
        if not xs:
            continue
        for y in range(y0, h, dy):
            out.append(0)  # filter type None
            out += pack_row(row_values(xs, y, channels, depth, palette_n), depth)
    return bytes(out)


def png(w, h, color, depth, channels, palette_n=0, interlace=0, trns=None, extra=b""):
    sig = b"\x89PNG\r\n\x1a\n"
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace)
    body = chunk(b"IHDR", ihdr)
    body += chunk(b"gAMA", struct.pack(">I", 45455))
    body += chunk(b"tEXt", b"Comment\x00made by make-png-fixtures.py")
    body += extra
    if palette_n:
        plte = b"".join(bytes([i * 37 % 256, i * 91 % 256, 255 - i]) for i in range(palette_n))
        body += chunk(b"PLTE", plte)
    if trns is not None:
        body += chunk(b"tRNS", trns)
    idat = zlib.compress(image_data(w, h, channels, depth, palette_n, interlace), 9)
    body += chunk(b"IDAT", idat[: len(idat) // 2]) + chunk(b"IDAT", idat[len(idat) // 2:])
    body += chunk(b"IEND", b"")
    return sig + body


def main():
    out, bad = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    os.makedirs(bad, exist_ok=True)
    files = {}
    for d in (1, 2, 4, 8, 16):
        files["grey%d.png" % d] = png(W, H, 0, d, 1)
    for d in (8, 16):
        files["greyalpha%d.png" % d] = png(W, H, 4, d, 2)
        files["rgb%d.png" % d] = png(W, H, 2, d, 3)
        files["rgba%d.png" % d] = png(W, H, 6, d, 4)
    for d in (1, 2, 4, 8):
        n = min(1 << d, 200)
        files["palette%d.png" % d] = png(W, H, 3, d, 1, palette_n=n)
    files["palette8-trns.png"] = png(W, H, 3, 8, 1, palette_n=200,
                                     trns=bytes((255 - i * 11) % 256 for i in range(20)))
    # Grey 8 with a transparent key (value 20) and RGB 8 with key (1, 2, 3)
    files["grey8-trns.png"] = png(W, H, 0, 8, 1, trns=struct.pack(">H", 20))
    files["rgb8-trns.png"] = png(W, H, 2, 8, 3, trns=struct.pack(">HHH", 7, 36, 65))
    files["rgb8-interlaced.png"] = png(W, H, 2, 8, 3, interlace=1)
    files["grey16-interlaced.png"] = png(W, H, 0, 16, 1, interlace=1)
    files["grey2-interlaced.png"] = png(W, H, 0, 2, 1, interlace=1)
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    good = files["rgb8.png"]
    ihdr_end = 8 + 8 + 13 + 4
    malformed = {}
    malformed["png-empty.png"] = b""
    malformed["png-not-png.png"] = b"GIF89a" + b"\x00" * 40
    malformed["png-truncated-header.png"] = good[:20]
    malformed["png-truncated-idat.png"] = good[: len(good) - 30]
    malformed["png-no-iend.png"] = good[: len(good) - 12]
    malformed["png-bad-ihdr-crc.png"] = good[: ihdr_end - 4] + b"\xde\xad\xbe\xef" + good[ihdr_end:]
    # flip a byte inside the IDAT payload, keep the stored CRC → CRC mismatch
    i = good.index(b"IDAT") + 6
    malformed["png-bad-idat-crc.png"] = good[:i] + bytes([good[i] ^ 0x55]) + good[i + 1:]
    # an ancillary chunk (tEXt) with a wrong CRC
    i = good.index(b"tEXt") + 8
    malformed["png-bad-text-crc.png"] = good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1:]
    # huge declared dimensions with a correct CRC
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    malformed["png-huge-dimensions.png"] = good[:8] + chunk(b"IHDR", ihdr) + good[ihdr_end:]
    ihdr = struct.pack(">IIBBBBB", 0x7FFFFFFF, 1, 8, 2, 0, 0, 0)
    malformed["png-huge-width.png"] = good[:8] + chunk(b"IHDR", ihdr) + good[ihdr_end:]
    ihdr = struct.pack(">IIBBBBB", 0, 7, 8, 2, 0, 0, 0)
    malformed["png-zero-width.png"] = good[:8] + chunk(b"IHDR", ihdr) + good[ihdr_end:]
    ihdr = struct.pack(">IIBBBBB", W, H, 3, 2, 0, 0, 0)   # RGB at 3 bits: invalid
    malformed["png-bad-depth.png"] = good[:8] + chunk(b"IHDR", ihdr) + good[ihdr_end:]
    # a chunk declaring 2 GiB of data
    i = good.index(b"IDAT") - 4
    malformed["png-huge-chunk-length.png"] = good[:i] + struct.pack(">I", 0x7FFFFFF0) + good[i + 4:]
    # IDAT holding garbage instead of zlib data (CRC correct)
    body = good[:good.index(b"IDAT") - 4]
    malformed["png-bad-zlib.png"] = body + chunk(b"IDAT", b"\x12\x34" * 50) + chunk(b"IEND", b"")
    # too little image data (zlib fine, rows missing)
    short = zlib.compress(image_data(W, 3, 3, 8, 0, 0))
    malformed["png-short-idat.png"] = body + chunk(b"IDAT", short) + chunk(b"IEND", b"")
    # palette image without a PLTE chunk
    p = files["palette8.png"]
    i = p.index(b"PLTE") - 4
    j = i + 12 + 200 * 3
    malformed["png-missing-plte.png"] = p[:i] + p[j:]
    for name, data in malformed.items():
        with open(os.path.join(bad, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
