"""Files deleted, renamed or replaced between the folder listing and their turn to be scored
(a card pulled, another program renaming): each still gets one row, and the scan completes."""

from __future__ import annotations

import os
from pathlib import Path

import cv2

from reviewer.core.batch import ScoringJob
from reviewer.core.discovery import find_photos
from tests.imagegen import dead_leaves


def test_files_changed_after_the_listing_each_get_a_row(tmp_path: Path) -> None:
    for i in range(6):
        cv2.imwrite(str(tmp_path / f"IMG_{i}.jpg"), dead_leaves(320, 240, seed=i))
    listed = find_photos([tmp_path], recursive=False).photos
    assert len(listed) == 6
    (tmp_path / "IMG_1.jpg").unlink()  # deleted
    (tmp_path / "IMG_2.jpg").rename(tmp_path / "renamed.jpg")  # renamed by another program
    (tmp_path / "IMG_3.jpg").write_bytes(b"\xff\xd8\xff\xe0 half-written")  # replaced
    (tmp_path / "IMG_4.jpg").unlink()
    os.mkfifo(tmp_path / "IMG_4.jpg")  # replaced by a FIFO: must not hang
    rows = {r.path.name: r for r in ScoringJob(listed, jobs=2).results()}
    assert sorted(rows) == [f"IMG_{i}.jpg" for i in range(6)]
    assert rows["IMG_1.jpg"].error and "not found" in rows["IMG_1.jpg"].error
    assert rows["IMG_2.jpg"].error and "not found" in rows["IMG_2.jpg"].error
    assert rows["IMG_3.jpg"].error
    assert rows["IMG_4.jpg"].error and "FIFO" in rows["IMG_4.jpg"].error
    assert rows["IMG_0.jpg"].score is not None and rows["IMG_5.jpg"].score is not None
