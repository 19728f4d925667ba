"""Writers to kill mid-write. One child interpreter imports incplan and loads the plan once; each
writer is a fork of it (a process of its own, killed with SIGKILL like a crash), so a test can
kill a dozen writers without starting a dozen interpreters. The child has one thread, so
forking it is safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

_SERVER = """
import os, sys
from datetime import datetime
from pathlib import Path
os.chdir(sys.argv[1])
from incplan.incidents.service import update_incident
from incplan.plan.usable import load_for_use
plan, _ = load_for_use(Path("incplan.yaml"))
record = Path("incidents") / sys.argv[2]
at = datetime.fromisoformat("2026-11-27T11:00:00+01:00")
note_size = int(sys.argv[3])
print("ready", flush=True)
for line in sys.stdin:
    command, _, pid = line.strip().partition(" ")
    if command == "start":
        child = os.fork()
        if child == 0:
            i = 0
            while True:
                update_incident(plan, record, at=at, note="x" * note_size + str(i))
                i += 1
        print(child, flush=True)
    elif command == "reap":
        os.waitpid(int(pid), 0)
        print("reaped", flush=True)
"""


class Writers:
    """`start()` a writer appending notes to `incidents/<record>` in `folder`, `kill()` it."""

    def __init__(self, folder: Path, record: str, note_size: int) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(folder), record, str(note_size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        # a writer that stops answering fails the test instead of blocking the suite
        self.watchdog = threading.Timer(120, self.server.kill)
        self.watchdog.start()
        assert self._read() == "ready"

    def _read(self) -> str:
        assert self.server.stdout is not None
        return self.server.stdout.readline().strip()

    def _send(self, line: str) -> None:
        assert self.server.stdin is not None
        self.server.stdin.write(line + "\n")
        self.server.stdin.flush()

    def start(self, record: Path) -> int:
        """A new writer, once it has replaced `record` at least once: a kill after that lands in
        the middle of a later write, however loaded the machine is (a writer killed before its
        first write would prove nothing)."""
        before = record.stat().st_mtime_ns, record.stat().st_ino
        self._send("start")
        pid = int(self._read())
        deadline = time.monotonic() + 60
        while (record.stat().st_mtime_ns, record.stat().st_ino) == before:
            assert time.monotonic() < deadline, "the writer wrote nothing in 60 s"
            time.sleep(0.005)
        return pid

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self._send(f"reap {pid}")
        assert self._read() == "reaped"

    def close(self) -> None:
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.close()
        self.server.wait(timeout=30)
        self.server.stdout.close()
        self.watchdog.cancel()
