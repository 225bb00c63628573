"""Pages and components reach the database only through components/core.py."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEAM = ROOT / "components" / "core.py"
BLOCKING = re.compile(r"\bdb\.session\(|\brun\.io_bound\(|\bdb\.engine\(\)\.connect")


def test_no_page_or_component_opens_a_session_or_a_thread_of_its_own() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("pages", "components")
        for path in sorted((ROOT / folder).glob("*.py"))
        if path != SEAM
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BLOCKING.search(line)
    ]
    assert offenders == []
