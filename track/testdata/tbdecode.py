#!/usr/bin/env python3
"""Independent decoder for TensorBoard event files (stdlib only), used by track's Go tests.

Usage: tbdecode.py FILE...   -> prints a JSON list of events to stdout, exits 1 on any defect.

It parses TFRecord framing (uint64 length, masked CRC32C of the length, data, masked CRC32C of
the data), verifies both CRCs with its own CRC32C, and decodes the tensorflow.Event protobuf fields
wall_time (1, double), step (2, int64), file_version (3, string) and summary (5) ->
Summary.value (1) -> Value{tag (1, string), simple_value (2, float)}. Unknown fields are an error
so that the Go encoder cannot write anything this script does not understand.
"""
import json
import struct
import sys


def _crc32c_table():
    poly = 0x82F63B78  # reversed Castagnoli polynomial
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, i):
    shift = result = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf):
    """Yield (field, wiretype, value) for a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 1:
            v = buf[i:i + 8]
            i += 8
        elif wire == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            if len(v) != n:
                raise ValueError("truncated length-delimited field %d" % field)
            i += n
        elif wire == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield field, wire, v


def decode_value(buf):
    out = {}
    for f, w, v in fields(buf):
        if f == 1 and w == 2:
            out["tag"] = v.decode("utf-8")
        elif f == 2 and w == 5:
            out["simple_value"] = struct.unpack("<f", v)[0]
        else:
            raise ValueError("unexpected Summary.Value field %d/%d" % (f, w))
    return out


def decode_event(buf):
    ev = {}
    for f, w, v in fields(buf):
        if f == 1 and w == 1:
            ev["wall_time"] = struct.unpack("<d", v)[0]
        elif f == 2 and w == 0:
            ev["step"] = v - (1 << 64) if v >= 1 << 63 else v
        elif f == 3 and w == 2:
            ev["file_version"] = v.decode("utf-8")
        elif f == 5 and w == 2:
            vals = []
            for sf, sw, sv in fields(v):
                if sf != 1 or sw != 2:
                    raise ValueError("unexpected Summary field %d/%d" % (sf, sw))
                vals.append(decode_value(sv))
            ev["summary"] = vals
        else:
            raise ValueError("unexpected Event field %d/%d" % (f, w))
    return ev


def decode_file(path):
    data = open(path, "rb").read()
    events, i = [], 0
    while i < len(data):
        if len(data) - i < 12:
            raise ValueError("%s: %d trailing bytes at offset %d" % (path, len(data) - i, i))
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[i + 8:i + 12])
        if hcrc != masked(header):
            raise ValueError("%s: bad length CRC at offset %d" % (path, i))
        body = data[i + 12:i + 12 + length]
        if len(body) != length or i + 16 + length > len(data):
            raise ValueError("%s: truncated record at offset %d" % (path, i))
        (dcrc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        if dcrc != masked(body):
            raise ValueError("%s: bad data CRC at offset %d" % (path, i))
        events.append(decode_event(body))
        i += 16 + length
    return events


def main():
    if crc32c(b"123456789") != 0xE3069283:  # the CRC-32C check value
        raise ValueError("crc32c self-check failed")
    out = []
    for p in sys.argv[1:]:
        out.append({"file": p, "events": decode_file(p)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any defect is a test failure
        print("tbdecode: %s" % e, file=sys.stderr)
        sys.exit(1)
