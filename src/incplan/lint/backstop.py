"""A last limit on `check`'s CPU time, for what the render limits do not foresee (SPEC §9).

The render limits (`templates.guards`) stop a template within about a second, but a CPU timer
cannot interrupt one long call in C, and a path to one nobody listed may exist. So when `check`
lints plans one by one, it does so in a forked child that may use at most `cpu_seconds()` of CPU
per plan (`RLIMIT_CPU`: the kernel ends it, whatever it is doing). The parent waits for it and,
if it was stopped, names the plan it was checking (exit 2); otherwise it exits as the child did.

A large tree is linted by forked workers (`lint.runner._parallel`); each is held to the same
limit per plan (`hold`), and a worker the kernel stops ends the run with the same error, naming
the plan it was on. Not held to it: a run whose standard streams are not the process's own
(in-process tests) and anything but Linux. A run whose plans all come from the result cache
never forks.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

CPU_SECONDS = 60  # per plan; its renders stop at 20 s (`lint.rules.templates`)
_CHILD: list[int] = []  # in the child: the pipe's end that tells the parent which plan is next
_HELD: list[bool] = []  # in a worker of a large tree: held to the limit, with no pipe


class Finished(Exception):
    """In the parent: the child linted and reported; its exit code is the run's."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def cpu_seconds() -> int:
    try:
        return max(1, int(os.environ.get("INCPLAN_CHECK_CPU_SECONDS", CPU_SECONDS)))
    except ValueError:
        return CPU_SECONDS


def _possible() -> bool:
    import threading

    if not sys.platform.startswith("linux") or _CHILD or threading.active_count() > 1:
        return False
    try:
        own = sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__
        return own and sys.stdout.fileno() >= 0 and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        return False


def fork() -> None:
    """Before plans are linted one by one. In the child, returns (and `arm` holds each plan to
    the limit); in the parent, waits for the child and raises `Finished`, or a `UsageError`
    naming the plan when the child was stopped."""
    if not _possible():
        return
    import signal

    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        import resource

        os.close(read)
        _CHILD.append(write)
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))  # no core file
        return
    os.close(write)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the child, which exits 130
    names = bytearray()
    try:
        while chunk := os.read(read, 65536):
            names += chunk
        _, status = os.waitpid(pid, 0)
    finally:
        signal.signal(signal.SIGINT, previous)
        os.close(read)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        last = os.fsdecode(bytes(names).split(b"\0")[-2]) if b"\0" in names else "a plan"
        raise stopped(last, by_limit=True)
    raise Finished(os.waitstatus_to_exitcode(status) if not os.WIFSIGNALED(status) else 128 + os.WTERMSIG(status))


def stopped(path: object, *, by_limit: bool) -> Exception:
    """The error for a plan whose process the kernel ended: by this limit, or otherwise (the
    out-of-memory killer, a signal from outside)."""
    from incplan.diagnostics import UsageError

    if by_limit:
        return UsageError(
            f"checking `{path}` used more than {cpu_seconds()} s of CPU time and was stopped",
            hint="a template in it does something the render limits do not catch: please report it with the plan",
        )
    return UsageError(
        f"the process checking `{path}` was ended from outside (out of memory, or a signal)",
        hint="check that plan alone to see whether it happens again",
    )


def hold(limit: bool) -> None:
    """In a forked worker of a large tree, before its first plan. Ctrl-C is the parent's to
    handle (it ends the workers); with `limit`, `arm` holds each plan to the CPU limit, and the
    kernel's stop leaves no core file."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not limit or not sys.platform.startswith("linux"):
        return
    import resource

    _HELD.append(True)
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


def arm(path: object) -> None:
    """In the child or a worker, before one plan: at most `cpu_seconds()` more of CPU from now."""
    if not _CHILD and not _HELD:
        return
    import math
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    soft = math.ceil(usage.ru_utime + usage.ru_stime) + cpu_seconds()
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    if _CHILD:
        os.write(_CHILD[0], os.fsencode(str(path)) + b"\0")


def in_child() -> bool:
    return bool(_CHILD)


def leave(outcome: int | BaseException) -> NoReturn:
    """The child's end: what the parent's `run` would have done with `outcome`, then exit."""
    code = 1
    try:
        if isinstance(outcome, int):
            code = outcome
        elif isinstance(outcome, KeyboardInterrupt):
            code = 130
        else:
            from incplan.diagnostics import UsageError

            if isinstance(outcome, UsageError):
                from incplan.cli.reporting import print_error

                print_error(outcome)
                code = 2
            else:
                import traceback

                traceback.print_exception(outcome)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a closed pipe: nothing more to say
                stream.flush()
        os._exit(code)
