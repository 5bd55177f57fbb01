"""The review window: grid, threshold over a histogram, background scoring, culling, moves."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewer.core.cull.catalog_db import Catalog, Label
from reviewer.core.cull.score_cache import open_catalog
from reviewer.core.scoring import DEFAULT_METHOD, METHODS, get_scorer
from reviewer.core.trash import (
    Failure,
    MoveJournal,
    RestoreReport,
    display_path,
    startup_batches,
)
from reviewer.gui.bursts import BurstController
from reviewer.gui.compare import COMPARE_KEYS, MAX_FRAMES, MIN_FRAMES, CompareView
from reviewer.gui.cull_controller import LABEL_KEYS, CatalogState, CullController
from reviewer.gui.detail_controller import DetailController
from reviewer.gui.detail_view import DetailDialog
from reviewer.gui.export_view import (
    export_rows,
    write_rows,
)
from reviewer.gui.filter_bar import MarkFilterBar
from reviewer.gui.grid_follow import CurrentKeeper
from reviewer.gui.help import ShortcutSheet, show_about, view_rows
from reviewer.gui.histogram_slider import HistogramSlider
from reviewer.gui.history_dialog import HistoryDialog
from reviewer.gui.loupe import LOUPE_KEYS, Loupe
from reviewer.gui.move_actions import MoveActions, human_bytes
from reviewer.gui.photo_model import Decision, PhotoModel, PhotoRecord, Role
from reviewer.gui.preferences import (
    Preferences,
    PreferencesDialog,
    load_preferences,
    valid_rejects_folder,
)
from reviewer.gui.scoring_controller import ScoringController
from reviewer.gui.settings import MAX_THUMBNAIL_SIZE, MIN_THUMBNAIL_SIZE, AppSettings
from reviewer.gui.sidecar_sync import SidecarController, SidecarFindings, SidecarWriteReport
from reviewer.gui.sort_filter_proxy import (
    FILTER_MODES,
    SORT_KEYS,
    FilterMode,
    PhotoFilterProxy,
    SortKey,
)
from reviewer.gui.theme import THEMES, Theme, apply_theme, as_theme
from reviewer.gui.threshold_proposal import ask_to_apply, proposal_for
from reviewer.gui.thumbnail_delegate import ThumbnailDelegate
from reviewer.gui.thumbnails import ThumbnailCache, ThumbnailLoader
from reviewer.gui.toolbar import build_toolbar
from reviewer.gui.tooltips import apply_tooltips
from reviewer.gui.window_state import restore_window, save_window
from reviewer.gui.workers import (
    ScannedFolder,
    ScoringRun,
    TaskRunner,
    capture_info_task,
    prestart_worker_server,
    scan_task,
)

GRID_SPACING = 6
FIRST_SCREEN_TIMEOUT_MS = 1500  # start scoring even if the first screen is still decoding
REFRESH_MS = 100


def freeze_long_lived_objects() -> None:
    """Move every object alive now out of the garbage collector's reach (gc.freeze).

    Called when a folder opens and once its photos are listed: what is alive then (modules, Qt
    wrappers, the folder's records) lives at least as long as the folder is open. Otherwise the
    collector's full passes, which the allocations of the scan and of the scoring results set
    off every few seconds, walk all of it while holding the GIL: 20-75 ms in which the GUI
    thread handles no event. Frozen objects are still freed by reference counting when they go.
    """
    gc.freeze()


def human_duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}" if s >= 60 else f"{s} s"


class PhotoGridView(QListView):
    """Icon grid with the culling keys: Space opens the detail view, Enter the loupe, Ctrl+wheel
    zooms."""

    openRequested = Signal()
    loupeRequested = Signal()
    zoomRequested = Signal(int)
    viewportChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(2000)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setSpacing(0)
        self.setMouseTracking(False)
        self.doubleClicked.connect(lambda _: self.openRequested.emit())
        # the grid's own keys, as actions so that the shortcut sheet lists them
        self.detail_key = self._key("Why This &Score", ["Space"], self.openRequested.emit)
        self.loupe_key = self._key("&Loupe", ["Return", "Enter"], self.loupeRequested.emit)
        # The first viewport() makes PySide resolve the viewport's class, loading some forty
        # widget classes and their enums (~5 ms): here, at start-up, not in the grid's first
        # paint (visible_proxy_rows).
        self.viewport()

    def _key(self, text: str, keys: list[str], slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)
        return action

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = event.angleDelta().y()
            if delta:
                self.zoomRequested.emit(1 if delta > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self.viewportChanged.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.viewportChanged.emit()

    def visible_proxy_rows(self) -> range:
        """Rows of the cells on screen (plus a row of cells either side)."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return range(0)
        grid = self.gridSize()
        if grid.isEmpty():
            grid = QSize(200, 220)
        vp = self.viewport().rect()
        cols = max(1, vp.width() // max(grid.width(), 1))
        rows = vp.height() // max(grid.height(), 1) + 2
        first = self.indexAt(QPoint(grid.width() // 2, grid.height() // 2))
        if not first.isValid():
            first = self.indexAt(QPoint(grid.width() // 2, grid.height() + grid.height() // 2))
        start = max(0, (first.row() if first.isValid() else 0) - cols)
        return range(start, min(model.rowCount(), start + cols * (rows + 1)))


class MainWindow(QMainWindow):
    """The app. Signals below let tests and the screenshot mode follow the background work."""

    folderLoaded = Signal(int)  # number of shots
    scoringFinished = Signal(bool)  # completed?
    movesFinished = Signal(object)  # MoveBatch
    undoFinished = Signal(object)  # RestoreReport
    detailLoaded = Signal(object)  # Analysis
    detailFullResolution = Signal(object)  # FullResolution
    captureTimesLoaded = Signal()
    sidecarsRead = Signal(object)  # SidecarFindings: marks other tools recorded, shown
    sidecarsWritten = Signal(object)  # SidecarWriteReport
    keepersCopied = Signal(object)  # CopyReport

    def __init__(
        self,
        settings: AppSettings | None = None,
        *,
        method: str | None = None,
        jobs: int | None = None,
        thumbnail_threads: int = 2,
        journal: MoveJournal | None = None,
        home_trash: Path | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or AppSettings()
        self.jobs = jobs
        self.journal = journal or MoveJournal()
        self.home_trash = home_trash
        self.folder: Path | None = None
        self.recursive = self.settings.recursive()
        self._generation = 0
        self._scoring_wanted = False
        self._folder_reads: list[Callable[[], object]] = []  # once the first screen is in
        self._sort_chosen = False
        # after a crash the journal is reconciled; moves of earlier runs stay undoable
        self.recovered, batches = startup_batches(self.journal)
        self.loupe: Loupe | None = None
        self.compare: CompareView | None = None
        self.first_paint_at: float | None = None
        self.opened_at = 0.0

        chosen = method or self.settings.method() or DEFAULT_METHOD
        self.method = chosen if chosen in METHODS else DEFAULT_METHOD

        self.setWindowTitle("Reviewer")
        self.setAcceptDrops(True)

        # model / view
        self.model = PhotoModel(self)
        self.proxy = PhotoFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.cache = ThumbnailCache()
        self.loader = ThumbnailLoader(self.cache, threads=thumbnail_threads, parent=self)
        self.delegate = ThumbnailDelegate(self.loader, self)
        self.view = PhotoGridView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(self.delegate)
        self.tasks = TaskRunner(threads=2, parent=self)
        self.details = DetailController(self)
        self.details.loaded.connect(self.detailLoaded.emit)
        self.details.fullResolution.connect(self.detailFullResolution.emit)
        notice = None
        self._own_catalog = catalog is None
        if catalog is None:
            catalog, notice = open_catalog()
        self.catalog = catalog
        self.cull = CullController(self.model, catalog, self.journal, home_trash, self)
        self.sidecars = SidecarController(self.model, self.cull, self.settings, self)
        self.scoring = ScoringController(self.model, self.cull, jobs, self)
        self.bursts = BurstController(
            self.model, self.cull, lambda: self.scoring.run is not None, self
        )
        self.scoring.finished.connect(lambda _done: self.bursts.schedule())
        self.moves = MoveActions(self)
        prestart_worker_server()

        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self.toolbar = build_toolbar(self)
        self._connect()
        apply_tooltips(self)
        restore_window(self, self.settings, self.splitter)
        self.current_keeper = CurrentKeeper(self.view, self.proxy)
        self.set_thumbnail_size(self.settings.thumbnail_size())
        self._apply_method(self.method, rescore=False)
        self.cull.restore_journal(batches)
        self._refresh()
        if notice:
            self._catalog_notice(notice)

    # construction -------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(6)

        bar = QHBoxLayout()
        self.filter_combo = QComboBox()
        for key, text in FILTER_MODES.items():
            self.filter_combo.addItem(text, key)

        self.sort_combo = QComboBox()
        for key, text in SORT_KEYS.items():
            self.sort_combo.addItem(text, key)
        self.sort_combo.setCurrentIndex(self.sort_combo.findData("name"))
        self.reverse_sort_button = QToolButton()
        self.method_combo = QComboBox()
        for name in METHODS:
            self.method_combo.addItem(name, name)
            self.method_combo.setItemData(
                self.method_combo.count() - 1,
                get_scorer(name).description,
                Qt.ItemDataRole.ToolTipRole,
            )
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(MIN_THUMBNAIL_SIZE, MAX_THUMBNAIL_SIZE)
        self.size_slider.setMinimumWidth(70)
        self.size_slider.setMaximumWidth(140)
        self.size_slider.setToolTip("Thumbnail size (Ctrl+wheel over the grid)")
        for label, widget in (
            ("Show:", self.filter_combo),
            ("Sort:", self.sort_combo),
            ("", self.reverse_sort_button),
            ("Method:", self.method_combo),
            ("Size:", self.size_slider),
        ):
            if label:
                bar.addSpacing(8)
                bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long path is cut, not a reason for the window to outgrow the screen
        self.folder_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.folder_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addSpacing(8)
        bar.addWidget(self.folder_label, 1)
        layout.addLayout(bar)
        # the grid over the threshold panel; the user may give either more room (remembered)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.view)
        layout.addWidget(self.splitter, 1)

        # threshold panel
        panel = QHBoxLayout()
        self.histogram = HistogramSlider()
        thresh_box = QVBoxLayout()
        thresh_box.addWidget(QLabel("Threshold"))
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setDecimals(1)
        self.threshold_spin.setKeyboardTracking(False)
        thresh_box.addWidget(self.threshold_spin)
        self.below_label = QLabel()
        font = self.below_label.font()
        font.setBold(True)
        self.below_label.setFont(font)
        thresh_box.addWidget(self.below_label)
        thresh_box.addStretch(1)
        panel.addLayout(thresh_box)
        panel.addWidget(self.histogram, 1)
        buttons = QVBoxLayout()
        self.reject_below_button = QPushButton("Reject all below threshold")
        self.trash_button = QPushButton("Move rejected to Trash…")
        self.folder_button = QPushButton("Move rejected to folder…")
        for b in (self.reject_below_button, self.trash_button, self.folder_button):
            buttons.addWidget(b)
        panel.addLayout(buttons)
        panel_widget = QWidget()
        panel_widget.setLayout(panel)
        panel.setContentsMargins(0, 0, 0, 0)
        self.splitter.addWidget(panel_widget)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.setCentralWidget(central)

        # status bar
        self.status_label = QLabel()
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addWidget(self.status_label, 1)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(220)
        self.progress.setFormat("%v / %m scored")
        self.eta_label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop scoring (scores so far are kept)")
        for w in (self.progress, self.eta_label, self.cancel_button):
            self.statusBar().addPermanentWidget(w)
            w.setVisible(False)
        # the rating / colour-label filter, bottom right as Lightroom's filmstrip filter
        self.mark_filter = MarkFilterBar()
        self.mark_filter.setAutoRaise(True)
        self.statusBar().addPermanentWidget(self.mark_filter)

    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | str | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action(
            "&Open Folder…", self.choose_folder, QKeySequence.StandardKey.Open
        )
        self.recursive_action = self._action("Include &Subfolders", self._toggle_recursive)
        self.recursive_action.setCheckable(True)
        self.recursive_action.setChecked(self.recursive)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action("&Redo", self.redo, "Ctrl+Shift+Z")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.keep_action = self._action(
            "&Keep",
            lambda: self.decide("keep"),
            "P",
            "Keep the selected photos (overrides the threshold)",
        )
        self.reject_action = self._action("&Reject", lambda: self.decide("reject"), "X")
        self.clear_action = self._action("&Clear Decision", lambda: self.decide(None), "U")
        self.detail_action = self._action("Why This &Score…", self.open_detail)
        self.rating_actions = [
            self._action(
                f"{'★' * n if n else 'No'} Stars" if n != 1 else "★ Star",
                lambda _=False, n=n: self.rate(n),
                str(n),
            )
            for n in range(6)
        ]
        self.label_actions = [
            self._action(f"{name.title()} Label", lambda _=False, lb=name: self.set_label(lb), key)
            for key, name in zip("6789", LABEL_KEYS, strict=True)
        ]
        self.clear_marks_action = self._action(
            "Clear &All Marks", self.clear_all_marks, tip="Undecide every photo (Ctrl+Z undoes)"
        )
        self.history_action = self._action("&History…", self.show_history)
        self.write_sidecars_action = self._action(
            "&Write to Sidecars",
            self.write_sidecars,
            "Ctrl+S",
            "Write ratings, labels, rejects and scores to XMP sidecars other programs read",
        )
        self.reject_below_action = self._action(
            "Reject All &Below Threshold", self.reject_below_threshold
        )
        self.trash_action = self._action("Move Rejected to &Trash…", self.move_rejected_to_trash)
        self.move_rejected_action = self._action(
            "&Move Rejected…",
            self.move_rejected,
            "Ctrl+Delete",
            "Move the rejected photos to the Trash or the folder chosen in Preferences",
        )
        self.export_action = self._action(
            "&Export View…", self.export_view, tip="The photos shown, as CSV or JSON"
        )
        self.copy_keepers_action = self._action("&Copy Keepers To…", self.copy_keepers)
        self.move_keepers_action = self._action("Mo&ve Keepers To…", self.move_keepers)
        self.preferences_action = self._action(
            "&Preferences…", self.show_preferences, QKeySequence.StandardKey.Preferences
        )
        self.folder_action = self._action("Move Rejected to &Folder…", self.move_rejected_to_folder)
        self.rejects_name_action = self._action(
            "Rejects Folder &Name…", self.choose_rejects_folder_name
        )
        self.cancel_action = self._action("&Cancel Scoring", self.cancel_scoring)
        self.propose_action = self._action(
            "&Propose Threshold From My Marks…",
            self.propose_threshold,
            tip="A threshold for this shoot that agrees with the photos you kept and rejected",
        )
        self.loupe_action = self._action(
            "&Loupe", self.open_loupe, "F", "The current photo alone, full screen (F or Enter)"
        )
        self.compare_action = self._action(
            "&Compare", self.open_compare, "C", "2 to 4 selected photos side by side"
        )
        self.reverse_sort_action = self._action(
            "Re&verse Sort Order", self.set_sort_reversed, tip="Sharpest, newest or last first"
        )
        self.reverse_sort_action.setCheckable(True)
        self.collapse_action = self._action(
            "&Collapse Bursts",
            self.set_collapse_bursts,
            tip="Show each burst as its best frame; off: every frame",
        )
        self.collapse_action.setCheckable(True)
        self.collapse_action.setChecked(self.settings.collapse_bursts())
        self.proxy.set_collapse_bursts(self.settings.collapse_bursts())
        self.reverse_sort_action.setChecked(self.settings.sort_reversed())
        self.model.set_descending(self.settings.sort_reversed())
        self.reverse_sort_action.setIconText("⇅")
        self.reverse_sort_button.setDefaultAction(self.reverse_sort_action)
        self.bigger_action = self._action(
            "&Bigger Thumbnails", lambda: self.zoom_thumbnails(1), "Ctrl++"
        )
        self.smaller_action = self._action(
            "&Smaller Thumbnails", lambda: self.zoom_thumbnails(-1), "Ctrl+-"
        )
        self.shortcuts_action = self._action(
            "&Keyboard Shortcuts", self.show_shortcuts, "F1", "Every key of the window"
        )
        self.about_action = self._action("&About Reviewer", lambda: show_about(self))
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[Theme, QAction] = {}
        current_theme = as_theme(self.settings.theme())
        for theme, label in THEMES.items():
            t = QAction(label, self, checkable=True)
            t.setChecked(theme == current_theme)
            t.triggered.connect(lambda _=False, th=theme: self.set_theme(th))
            self.theme_group.addAction(t)
            self.theme_actions[theme] = t
        self.method_group = QActionGroup(self)
        self.method_actions: dict[str, QAction] = {}
        for name in METHODS:
            a = QAction(name, self, checkable=True)
            a.setStatusTip(get_scorer(name).description)
            a.triggered.connect(lambda _=False, n=name: self.set_method(n))
            self.method_group.addAction(a)
            self.method_actions[name] = a

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.recursive_action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.preferences_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = mb.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        edit.addAction(self.history_action)
        photo = mb.addMenu("&Photo")
        for a in (self.keep_action, self.reject_action, self.clear_action, self.detail_action):
            photo.addAction(a)
        rating_menu = photo.addMenu("&Rating")
        for a in self.rating_actions:
            rating_menu.addAction(a)
        label_menu = photo.addMenu("Colour &Label")
        for a in self.label_actions:
            label_menu.addAction(a)
        photo.addAction(self.clear_marks_action)
        photo.addAction(self.write_sidecars_action)
        photo.addSeparator()
        photo.addAction(self.copy_keepers_action)
        photo.addAction(self.move_keepers_action)
        photo.addSeparator()
        for a in (
            self.reject_below_action,
            self.move_rejected_action,
            self.trash_action,
            self.folder_action,
            self.rejects_name_action,
        ):
            photo.addAction(a)
        view = mb.addMenu("&View")
        view.addAction(self.loupe_action)
        view.addAction(self.compare_action)
        view.addSeparator()
        view.addAction(self.reverse_sort_action)
        view.addAction(self.collapse_action)
        view.addAction(self.bigger_action)
        view.addAction(self.smaller_action)
        theme_menu = view.addMenu("&Theme")
        for t in self.theme_actions.values():
            theme_menu.addAction(t)
        view.addMenu(self.mark_filter.menu_)
        scoring = mb.addMenu("&Scoring")
        for a in self.method_actions.values():
            scoring.addAction(a)
        scoring.addSeparator()
        scoring.addAction(self.cancel_action)
        scoring.addSeparator()
        scoring.addAction(self.propose_action)
        help_menu = mb.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

    def _connect(self) -> None:
        self.model.countsChanged.connect(self._schedule_refresh)
        self.cull.historyChanged.connect(self._on_history)
        self.cull.undoFinished.connect(self._on_move_undone)
        self.cull.filesReturned.connect(self._on_files_returned)
        self.cull.problem.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.cull.notice.connect(self._catalog_notice)
        self.moves.movesFinished.connect(self.movesFinished)
        self.moves.keepersCopied.connect(self.keepersCopied)
        self.moves.movingChanged.connect(lambda _: self._set_move_actions_enabled())
        self.sidecars.read.connect(self._on_sidecars_read)
        self.sidecars.written.connect(self._on_sidecars_written)
        self.loader.thumbnailReady.connect(self._on_thumbnail)
        self.loader.idle.connect(self._maybe_start_scoring)
        self.tasks.done.connect(self._on_task_done)
        self.view.openRequested.connect(self.open_detail)
        self.view.loupeRequested.connect(self.open_loupe)
        self.view.zoomRequested.connect(self.zoom_thumbnails)
        self.view.viewportChanged.connect(self._schedule_visible)
        self.proxy.layoutChanged.connect(self._schedule_visible)
        self.proxy.modelReset.connect(self._schedule_visible)
        self.proxy.rowsInserted.connect(self._schedule_visible)
        self.proxy.rowsRemoved.connect(self._schedule_visible)
        self.filter_combo.currentIndexChanged.connect(
            lambda _: self.set_filter_mode(self.filter_combo.currentData())
        )
        self.mark_filter.changed.connect(self.set_mark_filter)
        self.sort_combo.currentIndexChanged.connect(
            lambda _: self.set_sort_key(self.sort_combo.currentData(), by_user=True)
        )
        self.method_combo.currentIndexChanged.connect(
            lambda _: self.set_method(self.method_combo.currentData())
        )
        self.size_slider.valueChanged.connect(self.set_thumbnail_size)
        self.histogram.thresholdChanged.connect(self.set_threshold)
        self.threshold_spin.valueChanged.connect(self.set_threshold)
        self.reject_below_button.clicked.connect(self.reject_below_threshold)
        self.trash_button.clicked.connect(self.move_rejected_to_trash)
        self.folder_button.clicked.connect(self.move_rejected_to_folder)
        self.cancel_button.clicked.connect(self.cancel_scoring)

        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh)
        self.scoring.started.connect(self._on_scoring_started)
        self.scoring.progressed.connect(self.progress.setValue)
        self.scoring.finished.connect(self._on_scoring_finished)
        self._visible_timer = QTimer(self, singleShot=True, interval=30)
        self._visible_timer.timeout.connect(self._update_visible)
        self._first_screen_timer = QTimer(self, singleShot=True, interval=FIRST_SCREEN_TIMEOUT_MS)
        self._first_screen_timer.timeout.connect(lambda: self._maybe_start_scoring(force=True))
        self._first_paint_timer = QTimer(self, singleShot=True, interval=0)
        self._first_paint_timer.timeout.connect(self._maybe_start_scoring)

    # help and looks -----------------------------------------------------------------------
    def all_actions(self) -> list[QAction]:
        """Every action of the window, the menus' and the window's own, each once."""
        found: list[QAction] = []
        for action in self.actions() + self.view.actions():
            if action not in found:
                found.append(action)
        return found

    def show_shortcuts(self) -> None:
        more = view_rows("Loupe", LOUPE_KEYS) + view_rows("Compare", COMPARE_KEYS)
        sheet = ShortcutSheet(self.all_actions(), self, more)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.show()
        self.shortcut_sheet = sheet

    def set_theme(self, theme: Theme) -> None:
        self.settings.set_theme(theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.theme_actions[theme].setChecked(True)

    # folders ------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        start = str(self.folder or Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of photos", start)
        if folder:
            self.open_folder(Path(folder))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_folders()
        for folder in recent:
            a = self.recent_menu.addAction(str(folder))
            a.triggered.connect(lambda _=False, f=folder: self.open_folder(f))
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu").triggered.connect(
                self.settings.clear_recent_folders
            )

    def _toggle_recursive(self) -> None:
        self.recursive = self.recursive_action.isChecked()
        self.settings.set_recursive(self.recursive)
        if self.folder is not None:
            self.open_folder(self.folder)

    def open_folder(self, folder: Path, recursive: bool | None = None) -> None:
        """Show `folder`: cancel the old work, scan in a worker, then fill the grid."""
        if recursive is not None:
            self.recursive = recursive
            self.recursive_action.setChecked(recursive)
        self._stop_scoring()
        self._generation += 1
        self.folder = Path(folder)
        self.opened_at = time.perf_counter()
        self.first_paint_at = None
        self.loader.reset()
        self._folder_reads = []
        self.model.clear()
        freeze_long_lived_objects()  # before the scan: its allocations set off full collections
        self.folder_label.setText(str(self.folder))
        self.setWindowTitle(f"{self.folder.name} — Reviewer")
        self.status_label.setText(f"Reading {self.folder}…")
        self.tasks.submit(
            ("scan", self._generation),
            scan_task(
                self.folder,
                self.recursive,
                self.settings.rejects_folder(),
                self.cull.state_reader(self.method, self.model.threshold),
            ),
        )

    def _on_scanned(self, scanned: ScannedFolder | None, error: str | None) -> None:
        if scanned is None:
            self._report("Cannot open folder", f"{self.folder} could not be read: {error}")
            self.status_label.setText(f"Cannot read {self.folder}")
            return
        if self.folder is not None:
            self.settings.add_recent_folder(self.folder)
        # a sort the user chose holds for the next folder too; else name order until scored
        chosen = self.sort_combo.currentData() if self._sort_chosen else None
        scan = scanned.scan
        self.model.set_listing(scanned.listing)
        state = scanned.catalog if isinstance(scanned.catalog, CatalogState) else None
        cached = self.cull.load(self.method, self.model.threshold, state)
        if cached:
            self._update_histogram_range()
            self.bursts.schedule()
        # the folder's sidecars and capture times are read once its first screen is painted:
        # read now, their Python work took the GIL from that paint (bench/gui.py --profile)
        self._folder_reads = [lambda: self.sidecars.folder_opened(scan.shots)]
        self._sort_chosen = chosen not in (None, "name")
        self._set_sort_silently(chosen if self._sort_chosen else "name")
        freeze_long_lived_objects()  # the folder's records too
        self.delegate.painted_cells = 0
        if scan.shots:
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        if scan.problems:
            self.statusBar().showMessage(
                f"{len(scan.problems)} items could not be read, e.g. {scan.problems[0][0]}: "
                f"{scan.problems[0][1]}",
                10000,
            )
        self.folderLoaded.emit(len(scan.shots))
        if scan.shots:
            paths = [shot.display_path for shot in scan.shots]
            generation = self._generation
            self._folder_reads.append(
                lambda: self.tasks.submit(
                    ("capture", generation),
                    capture_info_task(paths, lambda: generation == self._generation),
                )
            )
        self._scoring_wanted = bool(scan.shots)
        self._first_screen_timer.start()
        self._first_paint_timer.start()
        self._refresh()

    # scoring ------------------------------------------------------------------------------
    def _maybe_start_scoring(self, force: bool = False) -> None:
        """Start scoring once the first screen of thumbnails is in (or after a timeout)."""
        if not self._scoring_wanted and not self._folder_reads:
            return
        if not force:
            shown = self.view.isVisible()
            if shown and (self.delegate.painted_cells == 0 or not self.loader.is_idle()):
                return
        reads, self._folder_reads = self._folder_reads, []
        for read in reads:
            read()
        if not self._scoring_wanted:
            return
        self._scoring_wanted = False
        self._first_screen_timer.stop()
        self.start_scoring()

    def start_scoring(self) -> None:
        self._stop_scoring()
        paths = [r.path for r in self.model.records if r.score is None and r.error is None]
        visible = set(self._visible_paths())
        paths.sort(key=lambda p: p not in visible)  # visible photos first
        self.scoring.start(paths, self.method, ScoringRun)

    @property
    def run(self) -> ScoringRun | None:
        return self.scoring.run

    def _on_scoring_started(self, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        for w in (self.progress, self.eta_label, self.cancel_button):
            w.setVisible(True)
        self.eta_label.setText("")

    def _on_scoring_finished(self, completed: bool) -> None:
        for w in (self.progress, self.eta_label, self.cancel_button):
            w.setVisible(False)
        if completed and not self._sort_chosen:
            self._set_sort_silently("sharpness")
        self._update_histogram_range()
        self._refresh()
        if not completed:
            self.statusBar().showMessage("Scoring cancelled; the scores so far are kept", 5000)
        self.scoringFinished.emit(completed)

    def cancel_scoring(self) -> None:
        self._scoring_wanted = False
        self.scoring.cancel()

    def _stop_scoring(self) -> None:
        """Cancel the current run without waiting (see ScoringController.stop)."""
        self._scoring_wanted = False
        self.scoring.stop()
        for w in (self.progress, self.eta_label, self.cancel_button):
            w.setVisible(False)

    @property
    def scoring_active(self) -> bool:
        return self.scoring.active

    def set_method(self, method: str) -> None:
        if method == self.method or method not in METHODS:
            self._sync_method_widgets()
            return
        self._apply_method(method, rescore=True)

    def _apply_method(self, method: str, rescore: bool) -> None:
        self._stop_scoring()
        self.cull.flush(wait=False)  # the last method's scores, before the next one's
        self.method = method
        self.settings.set_method(method)
        self._sync_method_widgets()
        scorer = get_scorer(method)
        remembered = self.settings.threshold(method)
        threshold = remembered if remembered is not None else scorer.default_threshold
        self.model.clear_scores()
        self._update_histogram_range()
        self._set_threshold_widgets(threshold)
        self.model.set_threshold(threshold)
        self.cull.set_threshold(threshold)
        if self.model.rowCount() > 0 and self.cull.load_cached(method, threshold):
            self._update_histogram_range()
            self.bursts.schedule()
        if rescore and self.model.rowCount() > 0:
            if not self._sort_chosen:
                self._set_sort_silently("name")
            self.start_scoring()

    def _sync_method_widgets(self) -> None:
        self.method_combo.blockSignals(True)
        self.method_combo.setCurrentIndex(self.method_combo.findData(self.method))
        self.method_combo.blockSignals(False)
        self.method_actions[self.method].setChecked(True)

    def _update_histogram_range(self) -> None:
        scorer = get_scorer(self.method)
        if self.method == "focus":
            lo, hi = 0.0, 100.0
        else:
            values = self.model.score_values()
            hi = 2.0 * scorer.default_threshold
            finite = values[values == values]
            if finite.size:
                hi = max(hi, float(sorted(finite)[int(0.98 * (finite.size - 1))]) * 1.1)
            lo = 0.0
        self.histogram.set_range(lo, hi)
        self.threshold_spin.blockSignals(True)
        self.threshold_spin.setRange(lo, hi)
        self.threshold_spin.setSingleStep(max((hi - lo) / 100, 0.1))
        self.threshold_spin.blockSignals(False)

    # threshold ----------------------------------------------------------------------------
    def propose_threshold(self) -> None:
        outcome = proposal_for(self.model.records)
        chosen = ask_to_apply(self, outcome, self.model.threshold)
        if chosen is not None:
            self.set_threshold(chosen)

    def set_threshold(self, value: float) -> None:
        value = float(value)
        self._set_threshold_widgets(value)
        self.model.set_threshold(value)
        self.cull.set_threshold(value)
        self.settings.set_threshold(self.method, value)
        self._refresh_threshold_label()
        self._schedule_refresh()

    def _set_threshold_widgets(self, value: float) -> None:
        self.histogram.set_threshold(value, notify=False)
        self.threshold_spin.blockSignals(True)
        self.threshold_spin.setValue(value)
        self.threshold_spin.blockSignals(False)

    def _refresh_threshold_label(self) -> None:
        counts = self.model.counts()
        self.below_label.setText(f"{counts.below} of {counts.photos} below")

    # decisions ----------------------------------------------------------------------------
    def selected_records(self) -> list[PhotoRecord]:
        rows = self.view.selectionModel().selectedIndexes()
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex()]
        return [rec for idx in rows if isinstance(rec := idx.data(Role.RECORD), PhotoRecord)]

    def current_record(self) -> PhotoRecord | None:
        rec = self.view.currentIndex().data(Role.RECORD)
        return rec if isinstance(rec, PhotoRecord) else None

    def decide(self, decision: Decision | None) -> None:
        """P / X / U: mark the selection, then advance to the next photo."""
        records = self.selected_records()
        if not records:
            return
        current = self.view.currentIndex()
        following = None
        if len(records) == 1 and current.isValid():
            nxt = self.proxy.index(current.row() + 1, 0)
            following = nxt.data(Role.RECORD) if nxt.isValid() else None
        self.cull.decide(records, decision)
        target = following if isinstance(following, PhotoRecord) else records[-1]
        self.select_record(target)
        if self.details.is_showing():
            self.details.load(self.current_record())

    def rate(self, stars: int) -> None:
        """0-5: stars for the selection (as in Lightroom and Photo Mechanic)."""
        self.cull.rate(self.selected_records(), stars)

    def set_label(self, label: Label) -> None:
        """6-9: red, yellow, green, blue; the same key again takes the label off."""
        self.cull.toggle_label(self.selected_records(), label)

    def clear_all_marks(self) -> None:
        n = self.cull.clear_marks()
        self.statusBar().showMessage(f"Cleared the decisions of {n} photos (Ctrl+Z undoes)", 5000)

    def _catalog_notice(self, notice: str) -> None:
        """The catalog was set aside and rebuilt, or cannot be saved: told once."""
        self.statusBar().showMessage(f"Catalog: {notice}", 15000)
        self._report("The catalog", notice)

    def write_sidecars(self) -> None:
        """Photo ▸ Write to Sidecars: the selection when several photos are selected, else
        every photo of the folder (in a worker)."""
        rows = self.view.selectionModel().selectedIndexes()
        records = self.selected_records() if len(rows) > 1 else list(self.model.records)
        if records:
            n = self.sidecars.write(records)
            self.statusBar().showMessage(f"Writing the sidecars of {n} photos…", 5000)

    def _on_sidecars_read(self, findings: SidecarFindings) -> None:
        if findings.marks:
            elsewhere = len(findings.elsewhere)
            self.statusBar().showMessage(
                f"{len(findings.marks)} photos took their marks from sidecars"
                + (f" ({elsewhere} changed in another program)" if elsewhere else ""),
                8000,
            )
        if findings.problems:
            path, reason = findings.problems[0]
            self.statusBar().showMessage(
                f"{len(findings.problems)} sidecars could not be read, e.g. {path.name}: {reason}",
                10000,
            )
        self.sidecarsRead.emit(findings)

    def _on_sidecars_written(self, report: SidecarWriteReport) -> None:
        self.statusBar().showMessage(f"Wrote {len(report.written)} sidecars", 5000)
        self._report_failures(
            "Some sidecars were not written",
            "sidecars were left as they were.",
            [Failure(p, r) for p, r in report.failures],
        )
        self.sidecarsWritten.emit(report)

    def show_history(self) -> None:
        dialog = HistoryDialog(self.cull, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.history_dialog = dialog

    def select_record(self, record: PhotoRecord | None) -> None:
        if record is None:
            return
        idx = self.proxy.mapFromSource(self.model.index_of(record))
        if idx.isValid():
            self.view.selectionModel().setCurrentIndex(
                idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.view.scrollTo(idx)

    def reject_below_threshold(self) -> None:
        n = self.cull.reject_below(self.model.threshold)
        self.statusBar().showMessage(
            f"Rejected {n} photos below the threshold (photos you marked by hand, and unsure "
            "or unreadable ones, are left alone)",
            5000,
        )

    # moving -------------------------------------------------------------------------------
    def move_rejected_to_trash(self) -> None:
        self._move_rejected("trash")

    def move_rejected_to_folder(self) -> None:
        self._move_rejected("folder")

    def move_rejected(self) -> None:
        """Ctrl+Delete: to the Trash or the rejects folder, as chosen in Preferences."""
        self._move_rejected(self.settings.move_destination())

    def export_view(self, path: Path | None = None) -> Path | None:
        """File ▸ Export View: the photos shown, in the order shown, as CSV or JSON."""
        if path is None:
            start = str((self.folder or Path.home()) / "reviewer-view.csv")
            name, _ = QFileDialog.getSaveFileName(
                self, "Export the view", start, "CSV (*.csv);;JSON (*.json)"
            )
            if not name:
                return None
            path = Path(name)
        rows = export_rows(self.proxy, self.model.threshold)
        try:
            write_rows(path, rows)
        except OSError as exc:
            self._report("Export failed", f"{path} could not be written: {exc}")
            return None
        self.statusBar().showMessage(f"Exported {len(rows)} photos to {path}", 8000)
        return path

    def copy_keepers(self, folder: Path | None = None) -> None:
        self.moves.keepers_to(folder, move=False)

    def move_keepers(self, folder: Path | None = None) -> None:
        self.moves.keepers_to(folder, move=True)

    def show_preferences(self) -> None:
        dialog = PreferencesDialog(load_preferences(self.settings, self.method), self)
        self.preferences_dialog = dialog
        if dialog.exec() == PreferencesDialog.DialogCode.Accepted:
            self.apply_preferences(dialog.values())

    def apply_preferences(self, prefs: Preferences) -> None:
        """Use and remember the choices of the Preferences dialog."""
        s = self.settings
        s.set_sidecar_style(prefs.sidecar_style)
        s.set_auto_write_sidecars(prefs.auto_write_sidecars)
        s.set_move_destination(prefs.move_destination)
        if valid_rejects_folder(prefs.rejects_folder):
            s.set_rejects_folder(prefs.rejects_folder)
        s.set_threshold(prefs.method, prefs.threshold)
        self.set_method(prefs.method)
        if prefs.threshold != self.model.threshold:
            self.set_threshold(prefs.threshold)
        self.set_thumbnail_size(prefs.thumbnail_size)
        self.set_theme(as_theme(prefs.theme))
        if prefs.recursive != self.recursive:
            self.recursive_action.setChecked(prefs.recursive)
            self._toggle_recursive()
        s.sync()

    def choose_rejects_folder_name(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            "Rejects folder",
            "Name of the folder rejected photos move to:",
            text=self.settings.rejects_folder(),
        )
        if ok and valid_rejects_folder(name):
            self.settings.set_rejects_folder(name.strip())

    def _move_rejected(self, destination: str) -> None:
        self.moves.move_rejected(destination)

    @property
    def _moving(self) -> bool:
        return self.moves.moving

    def undo(self) -> None:
        """Ctrl+Z: undo the last action (a mark, a rating, a label, a bulk reject, a move)."""
        if self._moving:
            return
        text = self.cull.undo()
        if text:
            self.statusBar().showMessage(f"Undone: {text}", 5000)

    def redo(self) -> None:
        if self._moving:
            return
        text = self.cull.redo()
        if text:
            self.statusBar().showMessage(f"Redone: {text}", 5000)

    undo_last_move = undo

    def _on_history(self, can_undo: bool, can_redo: bool, undo_text: str, redo_text: str) -> None:
        self.undo_action.setText(f"&Undo {undo_text}" if undo_text else "&Undo")
        self.redo_action.setText(f"&Redo {redo_text}" if redo_text else "&Redo")
        self._set_move_actions_enabled()

    def _on_move_undone(self, report: RestoreReport) -> None:
        self.statusBar().showMessage(f"Restored {len(report.restored)} files", 8000)
        self._report_failures(
            "Some files could not be restored", "files are still moved.", report.failures
        )
        self.undoFinished.emit(report)

    def _on_files_returned(self, paths: list[Path]) -> None:
        """A move of an earlier session undone: rescan if its files came back here."""
        folder = self.folder
        if folder is not None and any(p.is_relative_to(folder) for p in paths):
            self.open_folder(folder)

    def _report_failures(self, title: str, outcome: str, failures: list[Failure]) -> None:
        """One dialog listing the files a move or restore left alone, if any."""
        if failures:
            self._report(
                title,
                f"{len(failures)} {outcome}",
                "\n".join(f"{display_path(f.path)}: {f.reason}" for f in failures),
            )

    def _set_move_actions_enabled(self) -> None:
        for a in (self.trash_action, self.folder_action):
            a.setEnabled(not self._moving)
        self.trash_button.setEnabled(not self._moving)
        self.folder_button.setEnabled(not self._moving)
        history = self.cull.cull.history
        self.undo_action.setEnabled(not self._moving and history.can_undo)
        self.redo_action.setEnabled(not self._moving and history.can_redo)

    # dialogs (real Qt dialogs; tests drive them like a user would) -------------------------
    def confirm(self, title: str, text: str, details: str = "") -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if details:
            box.setDetailedText(details)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _report(self, title: str, text: str, details: str = "") -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self
        )
        if details:
            box.setDetailedText(details)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()
        self.last_report = box

    # loupe and compare (reviewer/gui/loupe.py, compare.py) --------------------------------
    def open_loupe(self) -> None:
        if self.loupe is None:
            self.loupe = Loupe(self, self)
        self.loupe.open()

    def open_compare(self) -> None:
        records = self.selected_records()
        if not MIN_FRAMES <= len(records) <= MAX_FRAMES:
            self.statusBar().showMessage(
                f"Select {MIN_FRAMES} to {MAX_FRAMES} photos to compare "
                f"(Ctrl+click or Shift+click), then press C",
                6000,
            )
            return
        if self.compare is None:
            self.compare = CompareView(self, self)
        self.compare.open(records)

    # detail view --------------------------------------------------------------------------
    def open_detail(self) -> None:
        self.details.open()

    @property
    def detail(self) -> DetailDialog | None:
        return self.details.dialog

    # tasks --------------------------------------------------------------------------------
    def _on_task_done(self, tag: object, result: object, error: object) -> None:
        assert isinstance(tag, tuple)
        kind = tag[0]
        err = None if error is None else str(error)
        if kind == "scan":
            if tag[1] == self._generation:
                self._on_scanned(result if isinstance(result, ScannedFolder) else None, err)
        elif kind == "capture" and tag[1] == self._generation and isinstance(result, dict):
            self.model.apply_capture_info(result)
            self.captureTimesLoaded.emit()

    # view ---------------------------------------------------------------------------------
    def set_filter_mode(self, mode: FilterMode) -> None:
        self.proxy.set_filter_mode(mode)
        i = self.filter_combo.findData(mode)
        if i != self.filter_combo.currentIndex():
            self.filter_combo.blockSignals(True)
            self.filter_combo.setCurrentIndex(i)
            self.filter_combo.blockSignals(False)
        self._schedule_visible()

    def set_mark_filter(self, min_rating: int, label: str | None) -> None:
        """Show only photos with at least `min_rating` stars and colour label `label`."""
        self.proxy.set_mark_filter(min_rating, label)
        if (self.mark_filter.min_rating, self.mark_filter.label) != (min_rating, label):
            self.mark_filter.set_filter(min_rating, label)
        self._schedule_visible()

    def set_sort_key(self, key: SortKey, by_user: bool = False) -> None:
        if by_user:
            self._sort_chosen = True
        self.proxy.set_sort_key(key)
        i = self.sort_combo.findData(key)
        if i != self.sort_combo.currentIndex():
            self.sort_combo.blockSignals(True)
            self.sort_combo.setCurrentIndex(i)
            self.sort_combo.blockSignals(False)
        current = self.view.currentIndex()
        if current.isValid():
            self.view.scrollTo(current)

    def set_sort_reversed(self, on: bool) -> None:
        self.model.set_descending(bool(on))
        self.reverse_sort_action.setChecked(bool(on))
        self.settings.set_sort_reversed(bool(on))

    def set_collapse_bursts(self, on: bool) -> None:
        """Each burst shown as its best frame (remembered for the next run)."""
        self.proxy.set_collapse_bursts(bool(on))
        self.collapse_action.setChecked(bool(on))
        self.settings.set_collapse_bursts(bool(on))
        self._schedule_visible()

    def _set_sort_silently(self, key: SortKey) -> None:
        self.set_sort_key(key, by_user=False)

    def set_thumbnail_size(self, size: int) -> None:
        size = max(MIN_THUMBNAIL_SIZE, min(MAX_THUMBNAIL_SIZE, int(size)))
        self.delegate.set_thumbnail_size(size)
        cell = self.delegate.cell_size(self.view.font())
        self.view.setGridSize(QSize(cell.width() + GRID_SPACING, cell.height() + GRID_SPACING))
        self.view.setIconSize(QSize(size, size))
        self.size_slider.blockSignals(True)
        self.size_slider.setValue(size)
        self.size_slider.blockSignals(False)
        self.settings.set_thumbnail_size(size)
        current = self.view.currentIndex()
        if current.isValid():
            self.view.scrollTo(current)

    def zoom_thumbnails(self, steps: int) -> None:
        self.set_thumbnail_size(self.delegate.thumbnail_size + 16 * steps)

    def _on_thumbnail(self, path: Path) -> None:
        self.model.thumbnail_changed(path)
        if self.first_paint_at is None and self.delegate.painted_cells:
            self.first_paint_at = time.perf_counter()

    def _visible_paths(self) -> list[Path]:
        out = []
        for row in self.view.visible_proxy_rows():
            rec = self.proxy.index(row, 0).data(Role.RECORD)
            if isinstance(rec, PhotoRecord):
                out.append(rec.path)
        return out

    def _schedule_visible(self, *args: object) -> None:
        if not self._visible_timer.isActive():
            self._visible_timer.start()

    def _update_visible(self) -> None:
        paths = self._visible_paths()
        self.loader.set_visible(paths)
        self.scoring.prioritize(paths)

    def _schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        counts = self.model.counts()
        self.histogram.set_values(self.model.score_values())
        self._refresh_threshold_label()
        parts = [
            f"{counts.photos} photos",
            f"{counts.scored} scored",
            f"{counts.below} below threshold",
        ]
        if counts.unsure:
            parts.append(f"{counts.unsure} unsure")
        if counts.errors:
            parts.append(f"{counts.errors} errors")
        if counts.kept:
            parts.append(f"{counts.kept} kept")
        parts.append(f"{counts.rejected} rejected ({human_bytes(counts.rejected_bytes)} on disk)")
        self.status_label.setText(" · ".join(parts))
        if self.run is not None:
            eta = self.scoring.eta_seconds()
            self.eta_label.setText("" if eta is None else f"about {human_duration(eta)} left")
        self._set_move_actions_enabled()

    # drag and drop ------------------------------------------------------------------------
    @staticmethod
    def _dropped_folder(event: QDragEnterEvent | QDropEvent) -> Path | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile():
                p = Path(url.toLocalFile())
                if p.is_dir():
                    return p
                if p.parent.is_dir():
                    return p.parent
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_folder(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        folder = self._dropped_folder(event)
        if folder is not None:
            event.acceptProposedAction()
            self.open_folder(folder)

    # lifecycle ----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel everything and wait for the workers (threads and processes) to end."""
        self._stop_scoring()
        self.scoring.shutdown()
        self._generation += 1  # tasks for the open folder give up (capture_info_task)
        self._close_cull()
        self.loader.shutdown()
        self.tasks.shutdown()
        self.bursts.shutdown()
        self.details.shutdown()
        for view in (self.loupe, self.compare):
            if view is not None:
                view.shutdown()
        self.settings.sync()

    def _close_cull(self) -> None:
        """Finish moves, write what is pending (sidecars, scores), close the catalog if ours."""
        self.moves.shutdown()
        self.sidecars.shutdown()
        self.cull.close()
        if self.catalog is not None and self._own_catalog:
            self.catalog.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        save_window(self, self.settings, self.splitter)
        if self.detail is not None:
            self.detail.close()
        for view in (self.loupe, self.compare):
            if view is not None:
                view.close()
        self.shutdown()
        super().closeEvent(event)
