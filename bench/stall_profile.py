"""What runs in the window's event-loop stalls: `bench/gui.py --only stall --profile`.

The stall child (a fresh process) records each gap of its 5 ms QTimer longer than
STALL_MS: when, how long, the GUI thread's time on a core and waiting for one in it
(/proc/thread-self/schedstat), and the garbage collections that overlapped it. Under
`--profile` it runs under py-spy (`py-spy record --nonblocking --idle --threads -f chrometrace`,
py-spy from PyPI: not a dependency of the project; give its path with --py-spy), and each stall
is then printed with the stacks every thread was in during it, longest first. Native frames
show where a thread waits for the GIL (take_gil) or what Qt does in C++.

The two clocks are lined up by a marker: the child spins for 60 ms in `_clock_sync_marker`
when its clock starts, and the trace's first sample there is time zero (within one sample).
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections import defaultdict
from pathlib import Path

STALL_LOG_ENV = "REVIEWER_BENCH_STALL_LOG"
SYNC_ENV = "REVIEWER_BENCH_CLOCK_SYNC"  # spin in the marker at the start (under py-spy)
STALL_MS = 30.0
MARKER = "_clock_sync_marker"


def _schedstat() -> tuple[float, float] | None:
    """(ms on a core, ms waiting for one) of the calling thread so far; None off Linux."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            on_cpu, waiting = f.read().split()[:2]
    except (OSError, ValueError):
        return None
    return int(on_cpu) / 1e6, int(waiting) / 1e6


def _clock_sync_marker(seconds: float = 0.06) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class StallProbe:
    """Records the event loop's long gaps and the garbage collections (GUI thread's ticks)."""

    def __init__(self, stall_ms: float = STALL_MS) -> None:
        self.stall_ms = stall_ms
        self.zero = 0.0
        self.last = 0.0
        self.last_sched: tuple[float, float] | None = None
        self.stalls: list[dict[str, float]] = []
        self.collections: list[dict[str, float]] = []
        self._gc_start = 0.0
        self.gui_thread = threading.get_ident()
        self.ticks = 0

    def _now(self) -> float:
        return (time.perf_counter() - self.zero) * 1000.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = self._now()
        else:
            took = self._now() - self._gc_start
            if took >= 2.0:
                self.collections.append(
                    {
                        "at_ms": self._gc_start,
                        "ms": took,
                        "generation": float(info.get("generation", -1)),
                        "thread": float(threading.get_ident() == self.gui_thread),
                    }
                )

    def start(self, sync: bool = False) -> None:
        """Start the clock; `sync`: spin in the marker first (for py-spy's trace)."""
        self.zero = time.perf_counter()
        if sync:
            _clock_sync_marker()
        self.last = self._now()
        self.last_sched = _schedstat()
        self.ticks = 0
        gc.callbacks.append(self._on_gc)

    def worst(self) -> dict[str, float]:
        """The longest stall's breakdown (GUI thread working, waiting for a core), if any."""
        if not self.stalls:
            return {}
        s = max(self.stalls, key=lambda s: s["gap_ms"])
        return {f"worst_{k}": v for k, v in s.items() if k in ("on_cpu_ms", "waiting_ms", "gap_ms")}

    def tick(self) -> None:
        now = self._now()
        sched = _schedstat()
        gap = now - self.last
        self.ticks += 1
        if gap > self.stall_ms and self.ticks > 1:  # the first gap is the start, as the bench's
            stall = {"start_ms": self.last, "end_ms": now, "gap_ms": gap}
            if sched is not None and self.last_sched is not None:
                stall["on_cpu_ms"] = sched[0] - self.last_sched[0]
                stall["waiting_ms"] = sched[1] - self.last_sched[1]
            self.stalls.append(stall)
        self.last, self.last_sched = now, sched

    def save(self, path: Path) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        path.write_text(
            json.dumps(
                {
                    "gui_thread": self.gui_thread,
                    "stalls": self.stalls,
                    "collections": self.collections,
                }
            )
        )


Stack = tuple[str, ...]


def _frame(event: dict[str, object]) -> str:
    name = str(event["name"])
    args = event.get("args")
    filename = str(args.get("filename", "")) if isinstance(args, dict) else ""
    line = args.get("line", 0) if isinstance(args, dict) else 0
    if filename.endswith(".py"):
        parts = Path(filename).parts
        short = "/".join(parts[parts.index("reviewer") :]) if "reviewer" in parts else parts[-1]
        return f"{name} ({short}:{line})"
    return name


def _intervals(trace: list[dict[str, object]]) -> dict[int, list[tuple[float, float, Stack]]]:
    """Per thread: (from_us, to_us, stack) of each stretch the thread stayed in one stack."""
    stacks: dict[int, list[str]] = defaultdict(list)
    since: dict[int, float] = {}
    out: dict[int, list[tuple[float, float, Stack]]] = defaultdict(list)
    for ev in trace:
        tid = int(str(ev["tid"]))
        ts = float(str(ev["ts"]))
        if tid in since and since[tid] < ts:
            out[tid].append((since[tid], ts, tuple(stacks[tid])))
        since[tid] = ts
        if ev["ph"] == "B":
            stacks[tid].append(_frame(ev))
        elif stacks[tid]:
            stacks[tid].pop()
    return out


def _useful(stack: Stack, depth: int) -> str:
    """The innermost `depth` frames worth reading (hex addresses and libc plumbing dropped)."""
    frames = [f for f in stack if not f.startswith("0x") and not f.startswith("thread (")]
    return " <- ".join(reversed(frames[-depth:])) or "(idle)"


def report(trace_path: Path, log_path: Path, top: int = 12, depth: int = 9) -> str:
    trace = json.loads(trace_path.read_text())
    log = json.loads(log_path.read_text())
    zero = next(float(str(ev["ts"])) for ev in trace if MARKER in str(ev["name"]))
    names = {
        int(str(ev["tid"])): str(ev["name"]) for ev in trace if str(ev["name"]).startswith("thread")
    }
    spans = _intervals(trace)
    gui = int(log["gui_thread"])
    lines = []
    stalls = sorted(log["stalls"], key=lambda s: -s["gap_ms"])
    lines.append(f"{len(stalls)} stalls over {STALL_MS:.0f} ms; the {top} longest:")
    for s in stalls[:top]:
        a, b = zero + s["start_ms"] * 1000, zero + s["end_ms"] * 1000
        sched = ""
        if "on_cpu_ms" in s:
            blocked = s["gap_ms"] - s["on_cpu_ms"] - s["waiting_ms"]
            sched = (
                f"; GUI thread {s['on_cpu_ms']:.0f} ms on a core, {s['waiting_ms']:.0f} ms "
                f"waiting for one, {max(blocked, 0):.0f} ms blocked (GIL, lock, I/O)"
            )
        lines.append(f"\n== {s['gap_ms']:.0f} ms stall at {s['start_ms'] / 1000:.2f} s{sched}")
        for c in log["collections"]:
            if c["at_ms"] < s["end_ms"] and c["at_ms"] + c["ms"] > s["start_ms"]:
                where = "GUI thread" if c["thread"] else "another thread"
                lines.append(f"   gc generation {c['generation']:.0f}: {c['ms']:.0f} ms ({where})")
        order = sorted(spans, key=lambda t: (t != gui, t))
        for tid in order:
            weights: dict[str, float] = defaultdict(float)
            for f, t, stack in spans[tid]:
                overlap = min(t, b) - max(f, a)
                if overlap > 0:
                    weights[_useful(stack, depth)] += overlap / 1000
            busy = {k: v for k, v in weights.items() if not _idle(k)}
            if not busy and tid != gui:
                continue
            label = "GUI" if tid == gui else names.get(tid, str(tid))
            lines.append(f"  [{label}]")
            for k, v in sorted(weights.items(), key=lambda kv: -kv[1])[:3]:
                lines.append(f"    {v:5.0f} ms  {k}")
    return "\n".join(lines)


_IDLE = (
    "epoll_wait",
    "poll",
    "pthread_cond_wait",
    "pthread_cond_timedwait",
    "sem_wait",
    "futex",
    "select",
    "__futex_abstimed_wait",
    "accept",
    "recv",
    "read (",
)


def _idle(stack: str) -> bool:
    first = stack.split(" <- ")[0]
    return stack == "(idle)" or any(first.startswith(p) for p in _IDLE)


def summary(log_path: Path, top: int = 8) -> str:
    """The scan's longest stalls: when, how long, and the GUI thread's time in each."""
    if not log_path.exists():
        return ""
    stalls = sorted(json.loads(log_path.read_text())["stalls"], key=lambda s: -s["gap_ms"])
    lines = [f"the scan's longest stalls ({len(stalls)} over {STALL_MS:.0f} ms):"]
    for s in stalls[:top]:
        lines.append(
            f"  {s['gap_ms']:5.0f} ms at {s['start_ms'] / 1000:7.2f} s: GUI thread "
            f"{s.get('on_cpu_ms', 0):3.0f} ms working, {s.get('waiting_ms', 0):3.0f} ms waiting "
            "for a core"
        )
    return "\n".join(lines)
