"""LibreOffice for the tests that need it (.doc conversion, tests/test_office_documents.py): the
path of `soffice`, or the test is skipped when it is not installed — except under CI (env CI
set), where a missing LibreOffice is an error, as for PostgreSQL (tests/pg.py): `make
system-deps` installs it (Debian package libreoffice-writer-nogui)."""

from __future__ import annotations

import os

import pytest

from crawler.parsing.documents import libreoffice


def needs_libreoffice() -> str:
    soffice = libreoffice()
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs LibreOffice for the .doc tests: no soffice found (make system-deps installs it)")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-writer-nogui)")
    return soffice
