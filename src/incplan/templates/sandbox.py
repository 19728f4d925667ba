"""The sandbox every plan template renders in (SPEC §3, §9).

Templates come from plans, and a pull request can change a plan: they are rendered only in
`ImmutableSandboxedEnvironment` with `StrictUndefined`. Templates only ever see plain dicts,
lists and strings (`templates.context`), and user values are inserted as values, never compiled
as templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from incplan.templates import filters, guards

if TYPE_CHECKING:
    from jinja2.runtime import Context

_Literal = TypeVar("_Literal", nodes.List, nodes.Tuple, nodes.Dict)


class _Generator(CodeGenerator):
    """`a ~ b` goes through the sandbox too (see `guards.concat`), and so do the lists, tuples
    and dicts a template writes (`[a, a]`: see `guards.weight`)."""

    def _literal(self, node: _Literal, frame: Frame, visit: Callable[[CodeGenerator, _Literal, Frame], None]) -> None:
        if getattr(node, "ctx", "load") != "load":  # `{% for a, b in ... %}` assigns to a tuple
            visit(self, node, frame)
            return
        self.write("environment.guarded_literal(")
        visit(self, node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._literal(node, frame, CodeGenerator.visit_List)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        self._literal(node, frame, CodeGenerator.visit_Tuple)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._literal(node, frame, CodeGenerator.visit_Dict)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write("environment.guarded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {join})")


class Sandbox(ImmutableSandboxedEnvironment):
    """Also bounds everything that can build large text, lists or numbers (`guards`)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(
            undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=False, auto_reload=False
        )
        self.filters = {name: guards.guard_filter(name, f) for name, f in self.filters.items()}
        self.filters["sum"] = guards.sum_numbers
        self.globals["lipsum"] = guards.guard_lipsum(self.globals["lipsum"])  # type: ignore[arg-type]

    def call_binop(self, context: Context, operator: str, left: object, right: object) -> object:
        return guards.binop(operator, left, right)

    def call(__self, __context: Context, __obj: object, *args: object, **kwargs: object) -> object:
        # The sandbox's own `call` still decides what is callable (and, in older Jinja2,
        # sandboxes `str.format`); the guards measure around it.
        def invoke(obj: object, *a: object, **kw: object) -> object:
            return super(Sandbox, __self).call(__context, obj, *a, **kw)

        return guards.call(__obj, args, kwargs, invoke)

    @staticmethod
    def guarded_literal(value: object) -> object:
        return guards.literal(value)

    @staticmethod
    def guarded_concat(parts: tuple[object, ...], join: Callable[[Iterable[object]], str]) -> str:
        return guards.concat(parts, join)


_ENVIRONMENTS: dict[bool, Sandbox] = {}


def environment(autoescape: bool = False) -> Sandbox:
    env = _ENVIRONMENTS.get(autoescape)
    if env is None:
        env = Sandbox(autoescape=autoescape)
        env.filters.update(filters.TIME_FILTERS)
        _ENVIRONMENTS[autoescape] = env
    return env
