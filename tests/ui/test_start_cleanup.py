"""The app's start removes temporary export files a killed server left behind."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import User

from tests.ui.conftest import log_in


@pytest.fixture
def left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Files in a temporary directory of their own, as a killed server would leave them."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    files = {
        "stale export": tmp_path / "fintrack-export-abc123",
        "stale restore": tmp_path / "fintrack-restore-def456.json",
        "export in progress": tmp_path / "fintrack-export-ghi789",
        "someone else's": tmp_path / "other-app-export",
    }
    two_hours_ago = time.time() - 7200
    for name, path in files.items():
        path.write_text("date,account\n")
        if name != "export in progress":
            os.utime(path, (two_hours_ago, two_hours_ago))
    yield files


async def test_stale_export_files_are_removed_at_start(
    left_behind: dict[str, Path], user: User
) -> None:
    await log_in(user)
    remaining = {name for name, path in left_behind.items() if path.exists()}
    assert remaining == {"export in progress", "someone else's"}
