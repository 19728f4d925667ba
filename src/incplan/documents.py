"""Our own documents: the plan export, incident and period reports, the status site's pages and
the plan `init` writes.

Their templates ship in the package and are trusted; everything they show (plan text, records,
what a user typed) reaches them as data, never as a template. So they render in plain Jinja2
environments, one per kind of output, each built once, with `StrictUndefined` and
block-friendly whitespace. Plan templates are the other case: untrusted, they render only in the
sandbox of `templates.sandbox`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from jinja2 import Environment, Template

# How a kind of document treats the text it is given:
# - html: autoescaped;
# - markdown: `<`, `>` and `&` become entities (raw HTML from a plan, such as `<script>`, would
#   otherwise reach a wiki page), `mdcell`, `verbatim` and `fence` for tables and code fences;
# - text: as given (the reports' Markdown quotes record text as it was sent);
# - yaml: `[[ value ]]` and `[% block %]`, so that the `{{ }}` of the plan templates it writes
#   are text; values are quoted by the caller's filters.
Kind = Literal["html", "markdown", "text", "yaml"]
# A document's own filters, as (name, function) pairs: hashable, so an environment is built once.
Filters = tuple[tuple[str, Callable[..., object]], ...]


class Verbatim(str):
    """Text already safe for its place in a Markdown document."""


def markdown_escape(value: object) -> object:
    """Markdown passes raw HTML through: text gets `<` and `>` as entities, which every renderer
    shows as the characters themselves; `![` is written `!\\[`, so text is never an image that
    loads from elsewhere when the page is read (a tracking pixel)."""
    if value is None or isinstance(value, Verbatim):
        return value
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("![", "!\\[")


def _xml_safe(value: object) -> object:
    """What an HTML page shows, without the characters XML and HTML do not allow (U+FFFE from a
    hand-edited record), as escapes; escaped or safe text keeps its kind."""
    from incplan.controls import NOT_XML, xml_text

    if isinstance(value, str) and NOT_XML.search(value):
        return type(value)(xml_text(value))
    return value


def markdown_cell(text: object) -> Verbatim:
    """Text for one cell of a Markdown table: escaped, `|` and line breaks kept inside the cell."""
    return Verbatim(str(markdown_escape(text)).replace("|", "\\|").replace("\n", "<br>"))


_OPENS_FENCE = re.compile(r"^( *)(?=```|~~~)")


def markdown_lines(text: object) -> list[Verbatim]:
    """Text of several lines, escaped line by line for a block (a list item, a quote); a line
    that would open a code fence starts with an escape (`\\```), so that no text leaves a fence
    open that swallows the rest of the document. Only `\\n` ends a line."""
    from incplan.plan.read import lines_of

    return [Verbatim(_OPENS_FENCE.sub(r"\1\\", str(markdown_escape(line)), count=1)) for line in lines_of(str(text))]


def fence(text: str) -> Verbatim:
    """A code fence longer than any run of backticks in the text, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return Verbatim("`" * max(3, longest + 1))


_MARKDOWN_FILTERS: Filters = (("mdcell", markdown_cell), ("verbatim", Verbatim), ("fence", fence))


@functools.cache
def environment(kind: Kind, filters: Filters = ()) -> Environment:
    """The environment for one kind of document with the caller's filters (built once per pair)."""
    from jinja2 import Environment, StrictUndefined

    yaml = kind == "yaml"
    env = Environment(
        autoescape=kind == "html",
        finalize=markdown_escape if kind == "markdown" else (_xml_safe if kind == "html" else None),
        variable_start_string="[[" if yaml else "{{",
        variable_end_string="]]" if yaml else "}}",
        block_start_string="[%" if yaml else "{%",
        block_end_string="%]" if yaml else "%}",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    if kind == "markdown":
        env.filters.update(_MARKDOWN_FILTERS)
    env.filters.update(filters)
    return env


@functools.cache
def template(package: str, name: str, kind: Kind, filters: Filters = ()) -> Template:
    """`name` (a path inside `package`, like `templates/index.html.j2`), compiled once."""
    source = resources.files(package).joinpath(*name.split("/")).read_text(encoding="utf-8")
    return environment(kind, filters).from_string(source)


def render(package: str, name: str, kind: Kind, filters: Filters = (), /, **context: object) -> str:
    """The document `name` of `package` rendered with `context`."""
    return template(package, name, kind, filters).render(**context)
