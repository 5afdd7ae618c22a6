from __future__ import annotations

import gzip

import pytest

from crawler.storage.archive import Archive


def test_bodies_are_stored_once_compressed_and_read_back(tmp_path):
    archive = Archive(tmp_path)
    data = "东营市人民政府2019年政府信息公开工作年度报告".encode() * 100
    sha, rel = archive.put(data)
    assert archive.put(data) == (sha, rel)
    stored = (tmp_path / rel).read_bytes()
    assert len(stored) < len(data)  # compressed
    assert gzip.decompress(stored) == data
    assert archive.get(sha) == data
    assert len(list(tmp_path.rglob("*.gz"))) == 1


def test_a_corrupt_entry_is_refused(tmp_path):
    archive = Archive(tmp_path)
    sha, rel = archive.put(b"original")
    (tmp_path / rel).write_bytes(gzip.compress(b"tampered"))
    with pytest.raises(ValueError, match="corrupt"):
        archive.get(sha)
