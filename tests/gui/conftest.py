"""Fixtures for the window tests: isolated settings, generated photo folders, a window."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from reviewer.gui.main_window import MainWindow
from reviewer.gui.settings import AppSettings

MakeFolder = Callable[..., Path]


REPO = Path(__file__).resolve().parents[2]
_SOURCE: list[np.ndarray] = []


def sharp_image(seed: int, size: tuple[int, int] = (240, 180)) -> np.ndarray:
    """A crop of a real sharp photo (the bundled coffee.png, CC0) at a seed-chosen place."""
    if not _SOURCE:
        _SOURCE.append(np.asarray(Image.open(REPO / "resources/demo/coffee.png").convert("RGB")))
    src = _SOURCE[0]
    rng = np.random.default_rng(seed)
    w, h = size
    if w > src.shape[1] or h > src.shape[0]:
        src = cv2.resize(
            src, (max(w, src.shape[1]), max(h, src.shape[0])), interpolation=cv2.INTER_AREA
        )
    y = int(rng.integers(0, src.shape[0] - h + 1))
    x = int(rng.integers(0, src.shape[1] - w + 1))
    crop = src[y : y + h, x : x + w]
    return np.ascontiguousarray(crop[:, ::-1] if seed % 2 else crop)


def blurred(img: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def write_jpeg(path: Path, rgb: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, "JPEG", quality=92)
    return path


def make_photo_folder(
    folder: Path, n: int, *, blurry_every: int = 3, size: tuple[int, int] = (240, 180)
) -> Path:
    """n photos IMG_0000.jpg...; every `blurry_every`-th one (0, 3, 6, ...) is blurred."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        img = sharp_image(i, size)
        if blurry_every and i % blurry_every == 0:
            img = blurred(img)
        write_jpeg(folder / f"IMG_{i:04d}.jpg", img)
    return folder


@pytest.fixture
def photo_folder(tmp_path: Path) -> MakeFolder:
    def make(n: int = 9, name: str = "shoot", **kw: object) -> Path:
        return make_photo_folder(tmp_path / name, n, **kw)  # type: ignore[arg-type]

    return make


@pytest.fixture
def window(qtbot: QtBot, settings: AppSettings) -> MainWindow:
    """The main window, shown, with two scoring workers."""
    w = MainWindow(settings, jobs=2)
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture(autouse=True)
def _private_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's catalog (and move journal) in its own temp dir, never the user's."""
    data = tmp_path / "reviewer-data"
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(data))
    return data


@pytest.fixture(autouse=True)
def _no_stray_workers() -> Iterator[None]:
    """Every GUI test must end with its scoring threads and worker processes gone."""
    import multiprocessing

    yield
    scoring = [t for t in threading.enumerate() if t.name == "reviewer-scoring" and t.is_alive()]
    assert scoring == [], f"scoring threads left running: {scoring}"
    assert multiprocessing.active_children() == []


# Qt's offscreen platform plugin warns that it cannot pass a window's minimum/maximum size to a
# window system (there is none). That is a limit of the test platform, not of the app.
OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _unfreeze_gc() -> Iterator[None]:
    """The window freezes the heap when it opens a folder (gc.freeze); the app process ends
    with it, a test process should not keep every earlier test's objects frozen."""
    import gc

    yield
    gc.unfreeze()
