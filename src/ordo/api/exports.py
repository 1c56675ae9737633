"""Export jobs: the current view of the orders list written to .xlsx in the background.

openpyxl's write-only workbook streams rows to a temporary file; the job counts rows as
it goes, so the dashboard polls its progress and then downloads the file. Personal data is
masked as the requesting role sees it (a viewer never gets a phone or name in clear). Jobs
live on the application (``app.state``), one registry per app, and expire after an hour.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ordo.api.schemas import CST
from ordo.domain.pii import mask_name, mask_phone
from ordo.service.orders import worklist
from ordo.service.ports import WorkFilter
from ordo.service.runtime.app import Ordo

HEADERS = (
    ("订单号 Order", "id"),
    ("平台单号 Platform no.", "external_id"),
    ("渠道 Channel", "channel"),
    ("状态 Status", "status"),
    ("挂起 Hold", "hold_reason"),
    ("仓库 Warehouse", "warehouse_id"),
    ("省 Province", "province"),
    ("市 City", "city"),
    ("区 District", "district"),
    ("收件人 Recipient", "recipient_name"),
    ("电话 Phone", "recipient_phone"),
    ("金额(元) Total (yuan)", "total_fen"),
    ("下单时间 Placed", "placed_at_ns"),
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
            write_xlsx(app, f, job, see_pii, limit)
            job.state = "done"
        except Exception as exc:  # the job reports it; the poller shows it
            job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"[:300]
        job.seconds = round(time.perf_counter() - job.started, 3)


def _converters(keys: Sequence[str], see_pii: bool) -> list[tuple[int, Callable[[Any], Any]]]:
    """(column, function) for the cells that are not written as stored: masked personal data
    (unless ``see_pii``), yuan, times in China Standard Time."""
    at = datetime.fromtimestamp

    def when(ns: Any) -> Any:
        return at(ns / 1e9, CST).strftime("%Y-%m-%d %H:%M:%S") if isinstance(ns, int) else ns

    def money(fen: Any) -> Any:
        return fen / 100 if isinstance(fen, int) else fen

    def masking(mask: Callable[[str], str]) -> Callable[[Any], Any]:
        return lambda v: mask(v) if isinstance(v, str) else v

    funcs: dict[str, Callable[[Any], Any]] = {"total_fen": money, "placed_at_ns": when}
    if not see_pii:
        funcs |= {"recipient_name": masking(mask_name), "recipient_phone": masking(mask_phone)}
    return [(i, funcs[k]) for i, k in enumerate(keys) if k in funcs]


def write_xlsx(app: Ordo, f: WorkFilter, job: ExportJob, see_pii: bool, limit: int) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]  # only when exporting

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("订单 Orders")
    ws.append([h for h, _ in HEADERS])
    keys = [k for _, k in HEADERS]
    convert = _converters(keys, see_pii)
    append = ws.append
    for rows in worklist.pages(app, f, keys, limit=limit):
        for r in rows:
            cells = list(r)
            for i, fn in convert:
                cells[i] = fn(cells[i])
            append(cells)
        job.rows += len(rows)
    wb.save(job.path)
