#!/usr/bin/env python3
"""Writes the seed corpus of the VPD/INQUIRY fuzz target (native/fuzz/corpus/vpd/).

The pages are constructed to look like what Linux's LIO target (and
scsi_debug) return; the same bytes are the known answers of
native/test/vpd_tests.cc. Re-run after changing them: python3 make_corpus.py
"""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'vpd')
SERIAL = b'7f0c1f4c-6b7e-4a3b-9f6a-0123456789ab'


def pad(text: bytes, n: int) -> bytes:
    return text.ljust(n, b' ')[:n]


def standard_lio() -> bytes:
    body = bytearray(96)
    body[0] = 0x00            # PQ 0, disk
    body[1] = 0x00
    body[2] = 0x06            # SPC-4
    body[3] = 0x12            # HiSup, RDF 2
    body[4] = len(body) - 5   # additional length 91
    body[5] = 0x10 | 0x08     # TPGS implicit ALUA, 3PC
    body[6] = 0x00
    body[7] = 0x02            # CMDQUE
    body[8:16] = pad(b'LIO-ORG', 8)
    body[16:32] = pad(b'demo_ram', 16)
    body[32:36] = pad(b'4.0', 4)
    struct.pack_into('>HHH', body, 58, 0x0460, 0x0600, 0x04c0)  # SPC-4, SBC-3, ...
    return bytes(body)


def standard_tape_short() -> bytes:
    # A 36-byte answer of a removable tape drive, SPC-3, additional length 31.
    body = bytearray(36)
    body[0] = 0x01
    body[1] = 0x80
    body[2] = 0x05
    body[3] = 0x02
    body[4] = 31
    body[8:16] = pad(b'Linux', 8)
    body[16:32] = pad(b'scsi_debug', 16)
    body[32:36] = pad(b'0191', 4)
    return bytes(body)


def vpd(page: int, payload: bytes, pdt: int = 0) -> bytes:
    return bytes([pdt, page]) + struct.pack('>H', len(payload)) + payload


def designator(code_set: int, assoc: int, dtype: int, ident: bytes, proto: int = 0, piv: bool = False) -> bytes:
    return bytes([(proto << 4) | code_set, (0x80 if piv else 0) | (assoc << 4) | dtype, 0, len(ident)]) + ident


def page83() -> bytes:
    naa = bytes.fromhex('6001405f7f0c1f4c6b7e4a3b9f6a0123')
    t10 = pad(b'LIO-ORG', 8) + SERIAL
    rtp = struct.pack('>HH', 0, 1)
    tpg = struct.pack('>HH', 0, 0x100)
    name = b'naa.5001405abcdef012,t,0x0001\x00\x00\x00'   # NUL padded to a multiple of 4
    eui = bytes.fromhex('0123456789abcdef')
    return vpd(0x83, b''.join([
        designator(1, 0, 3, naa),
        designator(2, 0, 1, t10),
        designator(1, 1, 4, rtp, proto=5, piv=True),   # SAS protocol, relative target port 1
        designator(1, 1, 5, tpg, proto=5, piv=True),
        designator(3, 1, 8, name, proto=5, piv=True),
        designator(1, 0, 2, eui),
        designator(1, 0, 0xb, b'\xde\xad'),             # reserved type 0xb
    ]))


def main() -> None:
    os.makedirs(HERE, exist_ok=True)
    files = {
        'std_lio.bin': standard_lio(),
        'std_tape36.bin': standard_tape_short(),
        'vpd00.bin': vpd(0x00, bytes([0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2])),
        'vpd80.bin': vpd(0x80, SERIAL),
        'vpd83.bin': page83(),
        'vpd83_truncated.bin': page83()[:40],
    }
    for name, data in files.items():
        with open(os.path.join(HERE, name), 'wb') as f:
            f.write(data)
        print(f'{name}: {len(data)} bytes')


if __name__ == '__main__':
    main()
