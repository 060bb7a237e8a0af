"""A local Neo4j for machines without Docker: builds and runs the embedded launcher.

The launcher (`graph/neo4j_local`, Java + Maven) runs Neo4j Community 5.26 embedded with
only Bolt, bound to 127.0.0.1. Its data, log, pid and port files live under a
project-local home folder (default `.valuegraph/neo4j`), one server per home.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LAUNCHER_DIR = Path(__file__).parent / "neo4j_local"
READY_MARKER = "VALUEGRAPH-NEO4J-READY"
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
)


class LocalNeo4jError(RuntimeError):
    pass


@dataclass
class LocalNeo4jStatus:
    running: bool
    uri: str | None
    pid: int | None
    home: str
    log_file: str


def build_dir() -> Path:
    # Outside the package when installed read-only; inside the source tree otherwise.
    override = os.environ.get("VALUEGRAPH_LAUNCHER_BUILD")
    return Path(override) if override else LAUNCHER_DIR / "target"


def ensure_built(quiet: bool = True) -> Path:
    """Build the launcher with Maven unless an up-to-date build exists; returns its classpath."""
    target = build_dir()
    jar = target / "neo4j-local-1.0.0.jar"
    stamp = target / "lib" / ".complete"
    sources = [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]
    newest_source = max(p.stat().st_mtime for p in sources)
    if jar.exists() and stamp.exists() and stamp.stat().st_mtime >= newest_source:
        return target
    mvn = shutil.which("mvn")
    if not mvn:
        raise LocalNeo4jError(
            "Maven (mvn) is needed once to build the local Neo4j launcher; install it, "
            "or set NEO4J_URI to an existing Neo4j"
        )
    log.info("building the local Neo4j launcher with Maven (first run downloads ~130 MB)")
    cmd = [mvn, "-B", "-f", str(LAUNCHER_DIR / "pom.xml"), f"-DbuildDir={target}", "package"]
    if quiet:
        cmd.insert(2, "-q")
    proc = subprocess.run(cmd, capture_output=quiet, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout or "")[-3000:] + (proc.stderr or "")[-2000:]
        raise LocalNeo4jError(f"building the Neo4j launcher failed:\n{tail}")
    stamp.touch()
    return target


def _classpath(target: Path) -> str:
    return f"{target / 'neo4j-local-1.0.0.jar'}{os.pathsep}{target / 'lib' / '*'}"


def default_txmax(heap: str) -> str:
    """70 % of `heap`, at least 1g: the rest of the heap is left to Neo4j itself."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    text = heap.strip().lower()
    if text[-1:] in units and text[:-1].isdigit():
        mib = int(text[:-1]) * units[text[-1]] * 7 // 10 >> 20
        return f"{max(mib, 1024)}m"
    return "1g"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on PORT. Asked by connecting, not by binding: after a crash
    the old server's sockets linger in TIME_WAIT, which makes `bind()` fail although the
    port is free for a server (which binds with SO_REUSEADDR)."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


class LocalNeo4j:
    """One local Neo4j server per home folder."""

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home).resolve()
        self.pid_file = self.home / "neo4j.pid"
        self.state_file = self.home / "neo4j.json"
        self.log_file = self.home / "neo4j.log"

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        # A pid may be reused by an unrelated process after a reboot: check the command line.
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and b"io.valuegraph.neo4jlocal.Launcher" not in cmdline.read_bytes():
            return None
        return pid

    def _state(self) -> dict[str, object]:
        try:
            state = json.loads(self.state_file.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    @property
    def uri(self) -> str | None:
        """Where the server runs, or last ran: kept after a crash, so a service can find it
        again once it is restarted."""
        uri = self._state().get("uri")
        return uri if isinstance(uri, str) else None

    @property
    def last_port(self) -> int | None:
        """The port the server last ran on (kept in the state file across crashes)."""
        port = self._state().get("port")
        return port if isinstance(port, int) else None

    def status(self) -> LocalNeo4jStatus:
        pid = self._pid()
        return LocalNeo4jStatus(
            running=pid is not None,
            uri=self.uri if pid else None,
            pid=pid,
            home=str(self.home),
            log_file=str(self.log_file),
        )

    def start(
        self,
        *,
        port: int | None = None,
        heap: str = "1g",
        pagecache: str = "512m",
        txmax: str | None = None,
        timeout: float = 180.0,
    ) -> LocalNeo4jStatus:
        """Start the server (or return the running one) and wait until Bolt answers.

        `txmax` caps the memory of all open transactions together; one import is one
        transaction, so very large models need more. Default: 70 % of the heap, at least
        1g (the launcher's own default), so a larger heap alone lets larger imports in.
        """
        current = self.status()
        if current.running:
            return current
        target = ensure_built()
        java = shutil.which("java")
        if not java:
            raise LocalNeo4jError("Java 17+ is needed for the local Neo4j; none found on PATH")
        port = port or free_port()
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        cmd = [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_FLAGS,
            "-cp",
            _classpath(target),
            "io.valuegraph.neo4jlocal.Launcher",
            f"home={self.home / 'data'}",
            f"port={port}",
            f"pagecache={pagecache}",
            f"txmax={txmax or default_txmax(heap)}",
        ]
        log_handle = self.log_file.open("w")
        # A session of its own: the server outlives `valuegraph neo4j start` and is not
        # killed by the Ctrl-C meant for a foreground command.
        proc = subprocess.Popen(
            cmd, stdout=log_handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        log_handle.close()
        self.pid_file.write_text(str(proc.pid))
        uri = f"bolt://127.0.0.1:{port}"
        self.state_file.write_text(json.dumps({"uri": uri, "port": port, "pid": proc.pid}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalNeo4jError(
                    f"local Neo4j exited with code {proc.returncode}; last log lines:\n"
                    + self._log_tail()
                )
            if READY_MARKER in self._log_tail(4000):
                log.info("local Neo4j ready at %s (home %s)", uri, self.home)
                return self.status()
            time.sleep(0.2)
        self.stop()
        raise LocalNeo4jError(
            f"local Neo4j did not become ready in {timeout:.0f}s; log:\n{self._log_tail()}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop cleanly (SIGTERM runs Neo4j's shutdown); SIGKILL only if that hangs."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._pid() is None or _is_zombie(pid):
                break
            time.sleep(0.2)
        else:
            log.warning("local Neo4j did not stop in %.0fs; killing it", timeout)
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would: used by fault tests (the next start runs recovery)."""
        pid = self._pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while self._pid() is not None and not _is_zombie(pid):
                time.sleep(0.05)
            _reap(pid)
        self.pid_file.unlink(missing_ok=True)

    def _log_tail(self, chars: int = 2500) -> str:
        try:
            with self.log_file.open("rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - chars))
                return fh.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self.status())


def _is_zombie(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except (FileNotFoundError, IndexError):
        return False


def _reap(pid: int) -> None:
    # The server is our child when started by this process (tests): collect its exit status.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
