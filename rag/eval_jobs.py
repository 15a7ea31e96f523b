"""Evaluation runs in the background, one at a time per process (the eval page, 评测).

A run does what ``rag eval --qa FILE`` does: the questions go through a pipeline loaded
with the given settings (``rag.experiments.evaluate_configs``), judged by the LLM judge
when asked, and the report is saved in the reports folder as
``<stamp>-default.json/.md/.png`` with its per-item tables
(``<stamp>-default-items.csv/.xlsx``). The run has its own thread and its own pipeline,
so the chat page keeps answering while it goes on.

    job_id = eval_jobs.start(Job(items, settings, "我的问题.xlsx", reports_dir()))
    eval_jobs.status()        # state, done/total, the saved report's path, a Chinese error
    eval_jobs.result()        # the last finished run's report
    eval_jobs.cancel()        # stops after the question being answered

A second ``start`` while a run is going raises ``EvalBusyError`` ("已有评测在运行…").
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from rag.errors import RagError
from rag.evaluate import QAItem
from rag.settings import Settings

log = logging.getLogger(__name__)

State = Literal["idle", "running", "done", "failed", "cancelled"]


def reports_dir() -> Path:
    """The folder saved runs go to and are picked from (``RAG_EVAL_DIR``, default
    ``eval/reports``, like ``rag eval``)."""
    from rag.settings import load_settings

    return load_settings().eval_dir


class EvalBusyError(RagError):
    """An evaluation is already running in this process."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"an evaluation is already running ({done}/{total} questions done)",
                         f"已有评测在运行（已完成 {done}/{total} 题），请等它结束后再开始。")


@dataclass(frozen=True)
class Job:
    """One evaluation to run: the questions, the settings, and where the report goes."""

    items: Sequence[QAItem]
    settings: Settings
    qa_name: str  # the question file's name, recorded in the report as "qa"
    out_dir: Path
    split: str = "all"
    judge: bool = False  # also judge the answers with the configured LLM endpoint


@dataclass(frozen=True)
class Status:
    """A snapshot of the process's evaluation: what runs or ran last, and how far it got."""

    job_id: int = 0
    state: State = "idle"
    done: int = 0
    total: int = 0
    qa_name: str = ""
    report_path: Path | None = None  # the saved report .json (state "done")
    error: str = ""  # a Chinese message (state "failed")
    started: float = 0.0
    finished: float = 0.0

    @property
    def running(self) -> bool:
        """Whether a run is going on."""
        return self.state == "running"

    @property
    def fraction(self) -> float:
        """Share of the questions answered, 0.0–1.0."""
        return self.done / self.total if self.total else 0.0


class _Cancelled(Exception):
    """Raised from the progress callback to stop a run."""


def run_job(job: Job, judge: Callable[[QAItem, Any], dict[str, Any]] | None = None,
            progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    """Run the job's questions in this thread; the report as ``rag eval`` makes it."""
    from rag.experiments import evaluate_configs

    [report] = evaluate_configs(job.settings, [{}], list(job.items), progress, judge)
    report["qa"] = job.qa_name
    report["split"] = job.split
    if judge is not None:
        report["judge"] = getattr(judge, "id", "judge")
    return report


def save_run(report: dict[str, Any], out_dir: Path) -> Path:
    """Save a report with its per-item tables in ``out_dir``; returns the report .json path."""
    from rag import report as rep
    from rag.item_table import write_tables

    path = rep.save(report, out_dir)
    write_tables(report, path)
    return path


class Runner:
    """Runs one evaluation at a time in a background thread and reports its progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = Status()
        self._report: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()

    def start(self, job: Job) -> int:
        """Start ``job`` in the background; returns its id. Raises ``EvalBusyError`` while
        another run is going, and ``ConfigError`` when a judge is asked for without an endpoint."""
        judge = None
        if job.judge:
            from rag.judge import make_judge

            judge = make_judge(job.settings)  # no endpoint → the error comes now, not in the thread
        with self._lock:
            if self._status.running:
                raise EvalBusyError(self._status.done, self._status.total)
            job_id = self._status.job_id + 1
            self._cancel.clear()
            self._status = Status(job_id, "running", 0, len(job.items), job.qa_name, started=time.time())
            self._thread = threading.Thread(target=self._run, args=(job, judge), daemon=True,
                                            name=f"rag-eval-{job_id}")
            self._thread.start()
        return job_id

    def status(self) -> Status:
        """The current state (a snapshot; safe to read from any thread)."""
        with self._lock:
            return self._status

    def result(self) -> dict[str, Any] | None:
        """The report of the last run that finished, or None."""
        with self._lock:
            return self._report

    def cancel(self) -> bool:
        """Ask the running evaluation to stop after its current question; False when none runs."""
        with self._lock:
            if not self._status.running:
                return False
            self._cancel.set()
            return True

    def wait(self, timeout: float | None = None) -> Status:
        """Wait until the current run ends (or ``timeout`` seconds pass); its status."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status()

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)

    def _progress(self, _label: str, done: int) -> None:
        if self._cancel.is_set():
            raise _Cancelled
        self._update(done=done)

    def _run(self, job: Job, judge: Callable[[QAItem, Any], dict[str, Any]] | None) -> None:
        try:
            report = run_job(job, judge, self._progress)
            path = save_run(report, job.out_dir)
        except _Cancelled:
            self._update(state="cancelled", finished=time.time())
        except RagError as exc:
            log.warning("evaluation of %s failed: %s", job.qa_name, exc)
            self._update(state="failed", error=exc.zh, finished=time.time())
        except Exception as exc:  # noqa: BLE001 - a failed run must end as a message, not a dead thread
            log.exception("evaluation of %s failed", job.qa_name)
            self._update(state="failed", finished=time.time(),
                         error=f"评测时出现意外错误（{type(exc).__name__}），详情见服务器日志。")
        else:
            with self._lock:
                self._report = report
                self._status = replace(self._status, state="done", report_path=path,
                                       done=self._status.total, finished=time.time())


RUNNER = Runner()  # one per process: every session of the app shares it


def start(job: Job) -> int:
    """Start ``job`` on the process's runner (see ``Runner.start``)."""
    return RUNNER.start(job)


def status() -> Status:
    """The process's evaluation status (see ``Runner.status``)."""
    return RUNNER.status()


def result() -> dict[str, Any] | None:
    """The last finished run's report (see ``Runner.result``)."""
    return RUNNER.result()


def cancel() -> bool:
    """Stop the running evaluation after its current question (see ``Runner.cancel``)."""
    return RUNNER.cancel()
