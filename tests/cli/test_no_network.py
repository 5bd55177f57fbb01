"""No network: a full scan (`reviewer score`) and the window (opened on a folder, scored, rendered)
open no socket other than the local channel to their own worker processes.

Each run is a subprocess with an audit hook (installed by a `sitecustomize` module put first on
PYTHONPATH, so the worker server and every worker forked from it carry it too) that records every
socket created, connected, bound or sent to, and every name lookup. Where strace exists the same
run is also traced at the system-call level, which sees sockets that native code (Qt, decoders)
opens without Python knowing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from tests.imagegen import dead_leaves, defocus

SITECUSTOMIZE = """
import json, os, sys

_LOG = os.environ.get("REVIEWER_SOCKET_LOG")
_EVENTS = {"socket.__new__", "socket.connect", "socket.bind", "socket.sendto",
           "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
           "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getnameinfo"}


def _hook(event, args):
    if not _LOG or event not in _EVENTS:
        return
    if event == "socket.__new__":
        detail = {"family": int(args[1])}
    elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
        sock = args[0]
        detail = {"family": int(sock.family), "address": repr(args[1])}
    else:
        detail = {"lookup": repr(args)}
    with open(_LOG, "a") as f:
        f.write(json.dumps({"pid": os.getpid(), "event": event, **detail}) + "\\n")


sys.addaudithook(_hook)
"""

STRACE = shutil.which("strace")
SYSCALLS = re.compile(r"\b(socket|socketpair|connect|bind|sendto)\(")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("shoot")
    scene = dead_leaves(640, 480, seed=7)
    cv2.imwrite(str(f / "a.jpg"), scene)
    cv2.imwrite(str(f / "b.jpg"), defocus(scene, 5))
    cv2.imwrite(str(f / "c.png"), scene)
    return f


def run_watched(
    tmp_path: Path, args: list[str], module: str = "reviewer"
) -> tuple[list[dict[str, object]], str]:
    """Run `python -m MODULE ARGS` with the audit hook (and strace where it exists);
    returns the audit records and the strace log."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "sockets.jsonl"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env["REVIEWER_SOCKET_LOG"] = str(log)
    env["QT_QPA_PLATFORM"] = "offscreen"
    cmd = [sys.executable, "-m", module, *args]
    trace = tmp_path / "strace.log"
    if STRACE:
        cmd = [STRACE, "-f", "-qq", "-e", "trace=socket,socketpair,connect,bind,sendto",
               "-o", str(trace), *cmd]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return records, trace.read_text() if trace.exists() else ""


def assert_local_only(records: list[dict[str, object]], trace: str) -> None:
    lookups = [r for r in records if "lookup" in r]
    assert lookups == [], lookups
    families = {r["family"] for r in records}
    assert families <= {int(socket.AF_UNIX)}, records
    # at least the worker channel was seen, so the hook did reach the run
    assert any(r["event"] == "socket.__new__" for r in records), records
    for line in trace.splitlines():
        if SYSCALLS.search(line):
            assert set(re.findall(r"\bAF_[A-Z0-9]+", line)) <= {"AF_UNIX"}, line
            assert "sin_addr" not in line and "sin6_addr" not in line, line


def test_a_full_scan_opens_no_network_socket(tmp_path: Path, folder: Path) -> None:
    records, trace = run_watched(tmp_path, ["score", str(folder), "--format", "csv"])
    assert_local_only(records, trace)


def test_the_window_opens_no_network_socket(tmp_path: Path, folder: Path) -> None:
    shot = tmp_path / "window.png"
    records, trace = run_watched(tmp_path, [str(folder), "--screenshot", str(shot)])
    assert shot.exists()
    assert_local_only(records, trace)


def test_the_watch_sees_a_network_socket(tmp_path: Path) -> None:
    # the check itself: a program that does connect (to a closed local port) is caught
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "netprobe.py").write_text(
        "import socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "try:\n"
        "    s.connect(('127.0.0.1', 9))\n"
        "except OSError:\n"
        "    pass\n"
    )
    records, trace = run_watched(tmp_path, [], module="netprobe")
    with pytest.raises(AssertionError):
        assert_local_only(records, "")
    if STRACE:
        with pytest.raises(AssertionError):
            assert_local_only([{"event": "socket.__new__", "family": 1}], trace)
