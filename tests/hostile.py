"""Hostile documents for tests/test_bounds.py, generated at test time (none is committed): each
is small on the wire and enormous once read, as in issue 14's table.

- `zip_bomb_docx`: a real DOCX (python-docx) plus a member of zeros deflated ~1000:1, 4 MB of
  zip holding ~4 GB; `lying=True` makes the zip's headers declare 1,000 bytes for it.
- `many_pages_pdf`: a valid PDF of N pages, each with a few lines of text (hand-written objects).
- `span_bomb_page`: a ~400 KB report page whose table cells all carry rowspan/colspan 1000.
- `nested_page`: a report page whose statistics sit inside 100,000 nested tags.
- `run_measured`: a command run to its end with its peak memory (its own or its waited-for
  children's, e.g. parse workers), from the kernel's rusage (getrusage RUSAGE_CHILDREN).
"""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


# -- zip bomb --------------------------------------------------------------------------------------


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, declared uncompressed size, crc) members, written by
    hand so that a member's data and declared size can be anything."""
    out = io.BytesIO()
    central = []
    for name, data, size, crc in members:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return co.compress(data) + co.flush()


def zip_bomb_docx(title: str, compressed: int = 4 * MIB, lying: bool = False) -> bytes:
    """A DOCX whose extra member `word/media/zeros.bin` inflates ~1030-fold."""
    import docx

    document = docx.Document()
    document.add_paragraph(title)
    buffer = io.BytesIO()
    document.save(buffer)
    import zipfile

    members = []
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as real:
        for info in real.infolist():
            data = real.read(info)
            members.append((info.filename, _deflate(data), len(data), zlib.crc32(data)))
    # 1 MiB of zeros from a fresh compressor, byte-aligned by a full flush: the same bytes
    # repeated are one valid deflate stream, closed by an empty final block
    co = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = co.compress(b"\0" * MIB) + co.flush(zlib.Z_FULL_FLUSH)
    repeats = max(1, compressed // len(piece))
    bomb = piece * repeats + b"\x03\x00"
    members.append(("word/media/zeros.bin", bomb, 1000 if lying else repeats * MIB, 0))
    return _zip(members)


# -- many-page PDF ---------------------------------------------------------------------------------


def many_pages_pdf(pages: int, lines: int = 30) -> bytes:
    """A PDF of `pages` pages, each `lines` lines of Helvetica text, sharing one content stream."""
    text = "".join(
        f"BT /F1 11 Tf 60 {800 - 24 * i} Td (Line {i + 1} of a page of many, 12345 67890) Tj ET\n" for i in range(lines)
    )
    content = text.encode()
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        (f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>").encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    objects += [page] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


# -- hostile pages ---------------------------------------------------------------------------------


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}_合成县人民政府</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
        '<div class="info">发布日期:2022-01-18 信息来源:合成县人民政府办公室</div>\n'
        f'<div class="TRS_Editor">\n<p>【合成测试数据】本页由边界测试合成。</p>\n{body}\n</div>\n</body>\n</html>\n'
    ).encode()


def span_bomb_page(title: str, size: int = 400_000) -> bytes:
    """A page whose one table has ~`size` bytes of cells, each rowspan=1000 colspan=1000."""
    cell = '<td rowspan="1000" colspan="1000">7</td>'
    per_row = 50
    rows = max(2, size // (len(cell) * per_row))
    table = "<table>" + "".join("<tr>" + cell * per_row + "</tr>" for _ in range(rows)) + "</table>"
    return _page(title, "<p>本机关共收到政府信息公开申请22件。</p>\n" + table)


def nested_page(title: str, depth: int = 100_000) -> bytes:
    """A page whose statistics sentence sits inside `depth` nested <div>s."""
    inner = "<p>2021年,本机关共收到政府信息公开申请22件。</p>"
    return _page(title, "<div>" * depth + inner + "</div>" * depth)


# -- running a command with its peak memory ------------------------------------------------------


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_mib: float  # peak resident set of the command, or of its largest waited-for descendant
    seconds: float


# The command runs as the child of this small interpreter, which reports the kernel's peak RSS
# of its children (RUSAGE_CHILDREN: the command and every process it waited for, e.g. its parse
# workers). Run straight from the test process, the count would start at the test process's own
# size: a forked child's memory before exec counts towards its peak.
_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_measured(cmd: list[str], *, cwd: Path, env: dict[str, str], out_dir: Path, timeout: float = 300) -> Measured:
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout_path, stderr_path, peak_path = out_dir / "stdout", out_dir / "stderr", out_dir / "peak"
    started = time.monotonic()
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, str(peak_path), *cmd],
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, killed whole on a timeout
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    peak = int(peak_path.read_text()) / 1024 if peak_path.exists() else float("inf")  # KiB on Linux
    return Measured(
        process.returncode,
        stdout_path.read_text("utf-8", "replace"),
        stderr_path.read_text("utf-8", "replace"),
        peak,
        time.monotonic() - started,
    )
