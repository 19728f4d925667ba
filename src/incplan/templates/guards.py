"""Render limits (SPEC §3): no template can make a render take more than 1 s of CPU or 256 MB.

Two layers, so that the limits hold for every path, not only the ones foreseen:

1. Guards that refuse, before anything is built, the calls that amplify text: `*`, `**`, `+`,
   `%` and `~`, the string methods (`center`, `ljust`, `replace`, `join`, `format`,
   `format_map`, `expandtabs`, `translate`, ...) through the sandbox's `call` hook, and the
   filters (`center`, `indent`, `wordwrap`, `replace`, `format`, `join`, `batch`, ...) and the
   `lipsum` global, each checked on its bound arguments. Every filter and call result is also
   checked for size, so a path nobody listed still cannot grow text step by step. Lists, tuples
   and dicts are measured by the items a C-level loop over them would walk, nested ones counted
   each time they are reached (`weight`): `[[1]*100000]*100000` holds 10^10 and is refused at
   the `*`, as are `[a, a]`, `a + [a]` and `dict(x=a, y=a)` once they double past the limit,
   because `==`, `in` or `sort` of such data is one call that no timer interrupts. `sum` adds
   numbers only (Python's `sum` of lists is quadratic, in C).
2. Limits the operating system enforces while one render runs: the process may map at most
   256 MB more than it had (`RLIMIT_AS`; a single C-level call that asks for more gets a
   MemoryError instead of the memory), and a CPU-time timer (`ITIMER_PROF`) stops loops that
   produce nothing. Both are restored after the render.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import re
import signal
import string
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.utils import pass_environment

if TYPE_CHECKING:
    from jinja2 import Environment

_T = TypeVar("_T")

MAX_TEXT = 1_000_000  # characters (or items) any value built while rendering may have
MAX_SEQUENCE = 100_000  # items a `*` may build, nested items counted (see `weight`)
MAX_ITEMS = 1_000_000  # items any list, tuple or dict built while rendering may hold, nested ones counted
MAX_INT_BITS = 100_000  # ~30,000 digits; bigger numbers only serve to burn CPU
MAX_CPU_SECONDS = 1.0  # one render
MAX_MEMORY = 256 * 1024 * 1024  # bytes one render may add to the process


class LimitExceeded(Exception):
    """A render ran over its CPU time."""


def _refuse(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise SecurityError(f"{what} would build {size:,} characters, over the limit of {MAX_TEXT:,}")


def _length(value: object) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


def check_result(value: _T, what: str) -> _T:
    if isinstance(value, str | bytes | list | tuple | dict) and len(value) > MAX_TEXT:
        _refuse(len(value), what)
    if isinstance(value, _CONTAINERS):
        size = weight(value)
        _refuse_items(size, what, exact=size <= _COUNTED)
    return value


_CONTAINERS = (list, tuple, dict, set, frozenset)


_COUNTED = 10 * MAX_ITEMS  # `weight` stops counting above this


def _refuse_items(size: int, what: str, limit: int = MAX_ITEMS, *, exact: bool = True) -> None:
    if size > limit:
        shown = f"{size:,}" if exact else f"more than {_COUNTED:,}"
        raise SecurityError(f"{what} would build {shown} items (nested ones counted), over the limit of {limit:,}")


def weight(value: object, limit: int = _COUNTED) -> int:
    """Items in `value`, nested ones counted each time they are reached: what a C-level loop
    over it (`==`, `in`, `sort`, `repr`, `tojson`) walks. Counting stops above `limit`.

    A template builds lists from references, so `[a, a]`, `a + [a]` and `[a] * n` cost little
    and double or multiply what a comparison walks: `[[1]*100000]*100000 == ...` compares 10^10
    items in one call that no CPU timer can interrupt. Shared parts are counted once per
    computation (`memo`), so this costs one pass over the distinct containers; it runs in
    Python, so the CPU timer stops it."""
    if not isinstance(value, _CONTAINERS):
        return 0
    memo: dict[int, int] = {}  # id -> items below that container
    active = {id(value)}  # a cycle (a YAML alias inside itself) is counted once
    stack: list[list[Any]] = [[value, iter(_items(value)), 0]]
    while stack:
        frame = stack[-1]
        for item in frame[1]:
            frame[2] += 1
            if isinstance(item, _CONTAINERS) and id(item) not in active:
                if id(item) not in memo:
                    active.add(id(item))
                    stack.append([item, iter(_items(item)), 0])
                    break
                frame[2] += memo[id(item)]
            if frame[2] > limit:
                return int(frame[2])
        else:
            stack.pop()
            active.discard(id(frame[0]))
            memo[id(frame[0])] = frame[2]
            if not stack:
                return int(frame[2])
            stack[-1][2] += frame[2]
            if stack[-1][2] > limit:
                return int(stack[-1][2])
    return 0  # not reached


def _items(value: Iterable[object]) -> Iterator[object]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield item
    else:
        yield from value


def literal(value: _T) -> _T:
    """A list, tuple or dict written in a template (`[a, a]`, `{'x': a}`): bounded like `+`."""
    size = weight(value)
    _refuse_items(size, "a literal", exact=size <= _COUNTED)
    return value


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


# ---------------------------------------------------------------- operators


def binop(operator: str, left: Any, right: Any) -> Any:
    """`*`, `**`, `+`, `%` with their results bounded before they are computed."""
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | bytes) and isinstance(count, int) and len(seq) * count > MAX_SEQUENCE:
                raise SecurityError("repetition too large")
            if isinstance(seq, list | tuple) and isinstance(count, int) and count > 0:
                size = weight(seq)
                _refuse_items(size * count, "`*`", MAX_SEQUENCE, exact=size <= _COUNTED)
        numbers = isinstance(left, int) and isinstance(right, int)
        if numbers and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise SecurityError("number too large")
        return left * right
    if operator == "**":
        if isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("exponent too large")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() * abs(right) > MAX_INT_BITS:
            raise SecurityError("number too large")
        return left**right
    if operator == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
            _refuse(len(left) + len(right), "`+`")
        if isinstance(left, list | tuple) and isinstance(right, list | tuple):
            sizes = weight(left), weight(right)
            _refuse_items(sum(sizes), "`+`", exact=max(sizes) <= _COUNTED)
        return left + right
    if operator == "%":
        if isinstance(left, str | bytes):
            _refuse(percent_size(left, right), "`%` formatting")
        return left % right
    raise SecurityError(f"operator {operator} is not allowed")


def concat(parts: tuple[object, ...], join: Callable[[tuple[object, ...]], str]) -> str:
    """`a ~ b ~ c`: the sizes of the parts are known before they are joined."""
    _refuse(sum(_length(p) for p in parts), "`~`")
    return str(check_result(join(parts), "`~`"))


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")


def percent_size(fmt: str | bytes, args: object) -> int:
    """An upper bound on the length of `fmt % args` without building it."""
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else fmt
    values = list(args) if isinstance(args, tuple) else [args]
    star = iter(v for v in values if isinstance(v, int))
    size = len(text) + sum(_length(v) for v in values) + sum(len(repr(v)) for v in values if not isinstance(v, str))
    for match in _PERCENT.finditer(text):
        for number in match.group(1), match.group(2):
            if number == "*":
                size += abs(_int(next(star, 0)))
            elif number:
                size += int(number)
    return size


def format_size(fmt: str, args: tuple[object, ...], kwargs: Mapping[str, object]) -> int:
    """An upper bound on the length of `fmt.format(*args, **kwargs)` without building it."""
    size = len(fmt) + sum(_length(v) + 24 for v in (*args, *kwargs.values()))
    for spec in _specs(fmt):
        if "{" in spec:  # a width given by an argument: `{:{w}}`
            size += max([abs(v) for v in (*args, *kwargs.values()) if isinstance(v, int)] or [0])
        size += sum(int(n) for n in re.findall(r"\d+", spec))
    return size


def _specs(fmt: str) -> Iterator[str]:
    try:
        for _, _, spec, _ in string.Formatter().parse(fmt):
            if spec:
                yield spec
    except ValueError:
        return  # str.format will say what is wrong


# ---------------------------------------------------------------- calls (methods of text)


def _method_size(obj: str | bytes, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    n = len(obj)
    arg = args[0] if args else next(iter(kwargs.values()), None)
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(n, _int(arg))
    if name == "expandtabs":
        return n * max(1, _int(arg if arg is not None else 8, 8))
    if name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        count = _int(args[2], -1) if len(args) > 2 else _int(kwargs.get("count", -1), -1)
        hits = obj.count(old) if old else n + 1
        if count >= 0:
            hits = min(hits, count)
        return n + hits * max(0, len(new) - len(old))
    if name == "join":
        return None  # needs the items: see `call`
    if name == "translate" and isinstance(arg, dict):
        longest = max((_length(v) for v in arg.values()), default=1)
        return n * max(1, longest)
    return None


def call(obj: object, args: tuple[Any, ...], kwargs: dict[str, Any], invoke: Callable[..., object]) -> object:
    """A call from a template: text-amplifying methods are measured first, results after."""
    target = getattr(obj, "__wrapped__", obj)  # the sandbox wraps str.format / format_map
    owner = getattr(target, "__self__", None)
    name = getattr(target, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "format" and isinstance(owner, str):
            _refuse(format_size(owner, args, kwargs), "str.format")
        elif name == "format_map" and isinstance(owner, str) and args and isinstance(args[0], dict):
            _refuse(format_size(owner, (), args[0]), "str.format_map")
        elif name == "join" and args:
            items = list(args[0]) if not isinstance(args[0], str | bytes) else args[0]
            _refuse(sum(_length(i) for i in items) + len(owner) * len(items), "join")
            args = (items, *args[1:])
        else:
            size = _method_size(owner, name, args, kwargs)
            if size is not None:
                _refuse(size, name)
    return check_result(invoke(obj, *args, **kwargs), name or "a call")


# ---------------------------------------------------------------- filters and globals


def _filter_size(name: str, bound: dict[str, Any]) -> int | None:
    text = bound.get("value", bound.get("s"))
    n = _length(text) if isinstance(text, str | bytes) else len(str(text or ""))
    if name == "center":
        return max(n, _int(bound.get("width", 80)))
    if name == "indent":
        width = bound.get("width", 4)
        per_line = len(width) if isinstance(width, str) else _int(width)
        return n + (n + 1) * max(0, per_line)
    if name == "wordwrap":
        wrap = bound.get("wrapstring") or "\n"
        width = max(1, _int(bound.get("width", 79), 79))
        return n + (n // width + 1) * len(wrap)
    if name == "replace":
        old, new = str(bound.get("old", "")), str(bound.get("new", ""))
        hits = str(text).count(old) if old else n + 1
        count = bound.get("count")
        if count is not None:
            hits = min(hits, max(0, _int(count)))
        return n + hits * max(0, len(new) - len(old))
    if name == "format":
        args, kwargs = bound.get("args", ()), bound.get("kwargs", {})
        return percent_size(str(text), kwargs or args)
    if name == "batch" and bound.get("fill_with") is not None:
        return _int(bound.get("linecount", 0))
    if name == "truncate":
        return n + _length(bound.get("end", "..."))
    return None


def guard_filter(name: str, func: Callable[..., object]) -> Callable[..., object]:
    named = {"center", "indent", "wordwrap", "replace", "format", "batch", "truncate"}
    # Only these read their arguments; a builtin's signature is parsed from text (with tokenize):
    # ~0.7 ms per environment for the 54 filters, twice a run.
    signature = inspect.signature(func) if name == "join" or name in named else None

    @functools.wraps(func)  # keeps jinja's pass_context / pass_eval_context marks
    def guarded(*args: object, **kwargs: object) -> object:
        if signature is None:
            return check_result(func(*args, **kwargs), f"filter `{name}`")
        if name == "join":
            return _join(func, signature, args, kwargs)
        try:
            bound = signature.bind(*args, **kwargs).arguments
        except TypeError:
            bound = None  # the filter itself reports wrong arguments
        if bound is not None:
            size = _filter_size(name, bound)
            if size is not None:
                _refuse(size, f"filter `{name}`")
        return check_result(func(*args, **kwargs), f"filter `{name}`")

    return guarded


def _join(
    func: Callable[..., object], signature: inspect.Signature, args: tuple[object, ...], kwargs: dict[str, object]
) -> object:
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return func(*args, **kwargs)
    value = bound.arguments.get("value")
    if value is not None and not isinstance(value, str):
        items = list(value)
        bound.arguments["value"] = items
        joiner = bound.arguments.get("d", "")
        size = sum(len(i) if isinstance(i, str) else len(str(i)) for i in items) + _length(joiner) * len(items)
        _refuse(size, "filter `join`")
    return check_result(func(*bound.args, **bound.kwargs), "filter `join`")


@pass_environment
def sum_numbers(
    environment: Environment, iterable: Iterable[object], attribute: str | int | None = None, start: object = 0
) -> object:
    """Jinja2's `sum`, for numbers only: Python's `sum` of lists copies the total at every step
    (`[[1]]*100000|sum(start=[])` is 5 billion copies in one call no timer can interrupt), and
    joining text has `join`. The loop is Python's, so the CPU timer still stops a long one."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    if not isinstance(start, int | float):
        raise SecurityError(f"`sum` adds numbers only, and its start is {_kind(start)}")
    total = start
    for item in iterable:
        if not isinstance(item, int | float):
            raise SecurityError(f"`sum` adds numbers only, and it was given {_kind(item)}")
        total = binop("+", total, item)
    return total


_KINDS: dict[type, str] = {list: "a list", tuple: "a list", dict: "a mapping", str: "text"}


def _kind(value: object) -> str:
    return _KINDS.get(type(value), f"a {type(value).__name__}")


def guard_lipsum(func: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(func)
    def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        _refuse(_int(n) * _int(max) * 12, "lipsum")
        return func(n, html, min, max)

    return lipsum


# ---------------------------------------------------------------- operating-system limits


def _too_slow(signum: int, frame: FrameType | None) -> None:
    raise LimitExceeded


_SESSION: list[None] = []  # not empty while `session()` holds the signal handler and memory limit


def _timers() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Many renders under one signal handler (`check` renders dozens per plan): inside it,
    `limits()` arms the CPU timer and the memory limit around each render but leaves the
    handler in place. The memory limit is still set per render from the process's size at that
    moment and lifted after it: what runs between renders (compiling the next template) is
    never held to a limit a previous render's garbage used up."""
    if not _timers() or _SESSION:
        yield
        return
    previous = signal.signal(signal.SIGPROF, _too_slow)
    _SESSION.append(None)
    try:
        yield
    finally:
        _SESSION.pop()
        signal.signal(signal.SIGPROF, previous)


@contextlib.contextmanager
def limits() -> Iterator[None]:
    """CPU time and memory limits around one render (main thread, POSIX; elsewhere the guards
    alone apply)."""
    if not _timers():
        yield
        return
    previous = None if _SESSION else signal.signal(signal.SIGPROF, _too_slow)
    signal.setitimer(signal.ITIMER_PROF, MAX_CPU_SECONDS)
    try:
        with _memory_limit():
            yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        if previous is not None:
            signal.signal(signal.SIGPROF, previous)


@contextlib.contextmanager
def _memory_limit() -> Iterator[None]:
    mapped = _mapped_bytes()
    if mapped is None:
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    # 16 MiB of headroom: what the interpreter needs around the render (unwinding, the error
    # message) stays inside the 256 MB too.
    wanted = mapped + MAX_MEMORY - 16 * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        yield  # a tighter limit is already set (by the user or a parent)
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _mapped_bytes() -> int | None:
    """The process's mapped address space now (Linux), the base of the memory limit."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/self/statm", "rb") as handle:  # noqa: PTH123
            pages = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
