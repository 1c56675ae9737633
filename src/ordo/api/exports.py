"""Export jobs: the current view of the orders list written to .xlsx in the background.

Rows are read in keyset pages of plain tuples and streamed into the sheet by
:mod:`ordo.api.xlsx` (a temporary file); the job counts rows as it goes, so the dashboard
polls its progress and then downloads the file. Amounts are yuan cells, times dates in
China Standard Time. Personal data is masked as the requesting role sees it (a viewer
never gets a phone or name in clear). Jobs live on the application (``app.state``), one
registry per app, and expire after an hour.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ordo.api.xlsx import Column, Kind, write_xlsx
from ordo.domain.pii import mask_name, mask_phone
from ordo.service.orders import worklist
from ordo.service.ports import WorkFilter
from ordo.service.runtime.app import Ordo

#: The sheet's columns: (header, ``orders`` column, kind, width).
HEADERS = (
    ("订单号 Order", "id", Kind.TEXT, 22),
    ("平台单号 Platform no.", "external_id", Kind.TEXT, 24),
    ("渠道 Channel", "channel", Kind.TEXT, 12),
    ("状态 Status", "status", Kind.TEXT, 14),
    ("挂起 Hold", "hold_reason", Kind.TEXT, 16),
    ("仓库 Warehouse", "warehouse_id", Kind.TEXT, 12),
    ("省 Province", "province", Kind.TEXT, 14),
    ("市 City", "city", Kind.TEXT, 12),
    ("区 District", "district", Kind.TEXT, 12),
    ("收件人 Recipient", "recipient_name", Kind.TEXT, 12),
    ("电话 Phone", "recipient_phone", Kind.TEXT, 14),
    ("金额(元) Total (yuan)", "total_fen", Kind.FEN, 14),
    ("下单时间 Placed", "placed_at_ns", Kind.TIME_NS, 20),
)
#: Jobs kept per app at once; the oldest finished one goes first.
MAX_JOBS = 20
_TTL_NS = 3_600 * 1_000_000_000


@dataclass
class ExportJob:
    id: str
    owner: str
    total: int
    started_ns: int
    path: str
    rows: int = 0
    state: str = "running"
    error: str | None = None
    #: Wall-clock seconds the export took (perf counter), once done.
    started: float = field(default_factory=time.perf_counter)
    seconds: float | None = None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "state": self.state,
            "rows": self.rows,
            "total": self.total,
            "error": self.error,
            "seconds": self.seconds,
        }


@dataclass
class ExportJobs:
    jobs: dict[str, ExportJob] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, job_id: str, owner: str) -> ExportJob | None:
        with self.lock:
            job = self.jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def start(self, app: Ordo, f: WorkFilter, *, owner: str, see_pii: bool, limit: int) -> ExportJob:
        total = worklist.count(app, f, limit - 1)
        fd, path = tempfile.mkstemp(prefix="ordo-export-", suffix=".xlsx")
        os.close(fd)
        job = ExportJob(secrets.token_urlsafe(12), owner, min(total, limit), app.clock.now_ns(), path)
        with self.lock:
            self._expire(job.started_ns)
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(app, f, job, see_pii, limit), daemon=True).start()
        return job

    def _expire(self, now_ns: int) -> None:
        old = [j for j in self.jobs.values() if j.state != "running" and now_ns - j.started_ns > _TTL_NS]
        done = sorted((j for j in self.jobs.values() if j.state != "running"), key=lambda j: j.started_ns)
        for j in old + done[: max(0, len(self.jobs) - MAX_JOBS + 1)]:
            self.jobs.pop(j.id, None)
            if os.path.exists(j.path):
                os.unlink(j.path)

    def _run(self, app: Ordo, f: WorkFilter, job: ExportJob, see_pii: bool, limit: int) -> None:
        try:
            write_export(app, f, job, see_pii, limit)
            job.state = "done"
        except Exception as exc:  # the job reports it; the poller shows it
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"[:300]
        job.seconds = round(time.perf_counter() - job.started, 3)


def columns(see_pii: bool) -> list[Column]:
    """The sheet's columns, personal data masked unless ``see_pii``."""
    masks: dict[str, Callable[[str], str]] = (
        {} if see_pii else {"recipient_name": mask_name, "recipient_phone": mask_phone}
    )
    return [Column(header, kind, width, masks.get(key)) for header, key, kind, width in HEADERS]


def write_export(app: Ordo, f: WorkFilter, job: ExportJob, see_pii: bool, limit: int) -> None:
    """The view's orders, newest first, read in keyset pages of plain tuples and streamed
    into the sheet; ``job.rows`` counts them as they go (the progress the page polls)."""

    def progress(n: int) -> None:
        job.rows += n

    keys = [key for _, key, _, _ in HEADERS]
    chunks = worklist.pages(app, f, keys, limit=limit)
    write_xlsx(job.path, "订单 Orders", columns(see_pii), chunks, on_rows=progress)
