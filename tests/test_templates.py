"""Every template variable exists in its context dataclass and is documented.

Like datasette's documentation check: each packaged template is parsed with
Jinja2; the names it reads (``jinja2.meta.find_undeclared_variables``) must be
fields of its context (:mod:`toolkit.render.contexts`), and every attribute it
reads from a view (``ep.title``, and ``ch.title`` in ``{% for ch in
ep.chapters %}``, whose type comes from the field's annotation) must exist on
that view. Both must be listed in docs/templates.md, with the annotation's type.
The other way round, everything the docs list exists, and every field of every
context and view is documented. The same checker is run on broken templates
and broken docs, to show that it fails.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from dataclasses import dataclass, field

import jinja2
import jinja2.filters
import jinja2.meta
import pytest
from jinja2 import nodes

from toolkit.paths import default_templates_dir
from toolkit.pipeline.job import EpisodeJob
from toolkit.render import contexts
from toolkit.render.environment import make_environment

from .helpers import ROOT

DOCS = ROOT / "docs" / "templates.md"

#: Every packaged template and the context dataclass it is rendered with.
TEMPLATES: dict[str, type] = {
    "base.html": contexts.PageContext,
    "episode.html": contexts.EpisodePageContext,
    "notes.md": contexts.NotesContext,
    "index.html": contexts.IndexContext,
    "feed.xml": contexts.FeedContext,
}
NOT_TEMPLATES = {"style.css", "player.js"}  # copied as they are

VIEWS = {
    obj
    for obj in vars(contexts).values()
    if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__name__.endswith("View")
}


# --- the documentation, read back ----------------------------------------------------
@dataclass
class Docs:
    #: Section name (a template file or a view class) -> {variable: documented type}.
    tables: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Template -> the context class its section names ("Context: `PageContext`").
    contexts: dict[str, str] = field(default_factory=dict)
    filters: set[str] = field(default_factory=set)


_HEADING = re.compile(r"^#{2,3} (?:`(?P<name>[^`]+)`|(?P<title>.+))$")
_ROW = re.compile(r"^\| `(?P<name>\w+)` \| `(?P<type>(?:[^`])+)` \| .+ \|$")
_CONTEXT = re.compile(r"^Context: `(?P<cls>\w+)`")


def parse_docs(text: str) -> Docs:
    docs = Docs()
    section: str | None = None
    for line in text.splitlines():
        if heading := _HEADING.match(line):
            section = heading["name"] or heading["title"]
            continue
        if section is None:
            continue
        if context := _CONTEXT.match(line):
            docs.contexts[section] = context["cls"]
        elif row := _ROW.match(line):
            kind = row["type"].replace("\\|", "|")  # a pipe is escaped inside a table
            if section == "Filters":
                docs.filters.add(row["name"])
            else:
                table = docs.tables.setdefault(section, {})
                assert row["name"] not in table, f"{section}: {row['name']} documented twice"
                table[row["name"]] = kind
    return docs


# --- the types the templates see ------------------------------------------------------
def _getter(value: object):
    """The function behind a property or a cached property, else None."""
    if isinstance(value, property):
        return value.fget
    if isinstance(value, functools.cached_property):
        return value.func
    return None


def _public_fields(cls: type) -> list[dataclasses.Field]:
    # A field whose name starts with "_" (EpisodeView._job) is not a template variable.
    return [f for f in dataclasses.fields(cls) if not f.name.startswith("_")]


def annotations(cls: type) -> dict[str, str]:
    """Each public field and property of a dataclass and its annotation, as written."""
    out = {f.name: str(f.type) for f in _public_fields(cls)}
    for name, value in vars(cls).items():
        if (getter := _getter(value)) is not None:
            out[name] = getter.__annotations__["return"]
    return out


#: Names the contexts module imports for type checking only.
_HINT_NAMES = {"EpisodeJob": EpisodeJob}


def resolved(cls: type) -> dict[str, object]:
    """Each public field and property of a dataclass and its type."""
    hints = typing.get_type_hints(cls, localns=_HINT_NAMES)
    out: dict[str, object] = {f.name: hints[f.name] for f in _public_fields(cls)}
    for name, value in vars(cls).items():
        if (getter := _getter(value)) is not None:
            out[name] = typing.get_type_hints(getter)["return"]
    return out


def _strip_none(t: object) -> object:
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(t) if a is not type(None)]
        return args[0] if len(args) == 1 else None
    return t


def _element(t: object) -> object:
    t = _strip_none(t)
    if typing.get_origin(t) in (tuple, list):
        return typing.get_args(t)[0]
    return None


def _scoped_block_names(tree: nodes.Template) -> set[str]:
    """Loop variables that a ``scoped`` block inside the loop reads (feed.xml's item_notes).

    Jinja compiles a block as a function of its own, so ``find_undeclared_variables``
    reports them as undeclared; the walk below binds them to the loop's element type.
    """
    names: set[str] = set()
    for loop in tree.find_all(nodes.For):
        if any(block.scoped for block in loop.find_all(nodes.Block)):
            names |= {n.name for n in loop.target.find_all(nodes.Name)}
            if isinstance(loop.target, nodes.Name):
                names.add(loop.target.name)
    return names


class Checker:
    """Walks a template's syntax tree and lists what it reads that is not documented."""

    def __init__(self, docs: Docs, env: jinja2.Environment) -> None:
        self.docs = docs
        self.env = env
        self.problems: dict[str, None] = {}  # in order, once each
        self.includes: list[tuple[str, dict[str, object]]] = []
        self.extends: list[str] = []

    def check(self, template: str, source: str, context: type) -> list[str]:
        """What ``source``, rendered as ``template`` with ``context``, reads undocumented."""
        self.problems, self.includes, self.extends = {}, [], []
        tree = self.env.parse(source)
        fields = resolved(context)
        documented = self.docs.tables.get(template, {})
        try:
            names = jinja2.meta.find_undeclared_variables(tree) - _scoped_block_names(tree)
        except jinja2.TemplateAssertionError as e:  # e.g. an unknown filter
            self._problem(e.message or str(e))
            names = set()
        for name in sorted(names):
            if name not in fields:
                self._problem(f"{name} is not in {context.__name__}")
            if name not in documented:
                self._problem(f"{name} is not documented for {template}")
        self._walk(tree, dict(fields))
        return list(self.problems)

    def _problem(self, text: str) -> None:
        self.problems[text] = None

    # Statements: loops and assignments bind names, so attribute types carry into them.
    def _walk(self, node: nodes.Node, scope: dict[str, object]) -> None:
        if isinstance(node, nodes.For):
            self._walk(node.iter, scope)
            inner = dict(scope)
            self._bind(node.target, _element(self._type(node.iter, scope)), inner)
            inner["loop"] = None
            for child in node.body:
                self._walk(child, inner)
            if node.test is not None:
                self._walk(node.test, inner)
            for child in node.else_:
                self._walk(child, scope)
        elif isinstance(node, nodes.Assign):
            self._walk(node.node, scope)
            self._bind(node.target, self._type(node.node, scope), scope)
        elif isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self._walk(child, scope)
            self._bind(node.target, None, scope)
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
            self._type(node, scope)
        else:
            if isinstance(node, nodes.Include) and isinstance(node.template, nodes.Const):
                self.includes.append((node.template.value, dict(scope)))
            if isinstance(node, nodes.Extends) and isinstance(node.template, nodes.Const):
                self.extends.append(node.template.value)
            if isinstance(node, nodes.Filter):
                self._filter(node.name)
            for child in node.iter_child_nodes():
                self._walk(child, scope)

    def _filter(self, name: str) -> None:
        if name not in self.env.filters:
            self._problem(f"unknown filter {name}")
        elif name not in jinja2.filters.FILTERS and name not in self.docs.filters:
            self._problem(f"filter {name} is not documented")

    def _bind(self, target: nodes.Node, kind: object, scope: dict[str, object]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = kind
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, None, scope)

    # Expressions: the type of what an expression gives, checking each attribute read.
    def _type(self, node: nodes.Node, scope: dict[str, object]) -> object:
        if isinstance(node, nodes.Name):
            return scope.get(node.name)
        attr = None
        if isinstance(node, nodes.Getattr):
            attr = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        if attr is None:
            self._walk(node, scope)
            return None
        owner = _strip_none(self._type(node.node, scope))
        if owner in VIEWS:
            name = owner.__name__  # type: ignore[union-attr]
            known = resolved(owner)  # type: ignore[arg-type]
            if attr not in known:
                self._problem(f"{name} has no attribute {attr}")
                return None
            if attr not in self.docs.tables.get(name, {}):
                self._problem(f"{name}.{attr} is not documented")
            return known[attr]
        if isinstance(owner, type) and not hasattr(owner, attr):
            self._problem(f"{owner.__name__} has no attribute {attr}")
        return None


@pytest.fixture(scope="module")
def docs() -> Docs:
    return parse_docs(DOCS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return make_environment()


def source(env: jinja2.Environment, name: str) -> str:
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


# --- the packaged templates ----------------------------------------------------------
def test_every_packaged_template_has_a_context():
    packaged = {p.name for p in default_templates_dir().iterdir() if p.is_file()}
    assert packaged == set(TEMPLATES) | NOT_TEMPLATES


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_reads_only_documented_context(docs, env, name):
    assert Checker(docs, env).check(name, source(env, name), TEMPLATES[name]) == []


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_extended_and_included_templates_get_their_context(docs, env, name):
    checker = Checker(docs, env)
    checker.check(name, source(env, name), TEMPLATES[name])
    for parent in checker.extends:
        assert issubclass(TEMPLATES[name], TEMPLATES[parent.removeprefix("default:")])
    for included, scope in checker.includes:
        needed = resolved(TEMPLATES[included.removeprefix("default:")])
        assert {k: scope.get(k) for k in needed} == needed, included


def test_the_checker_sees_includes_and_extends(docs, env):
    checker = Checker(docs, env)
    text = '{% for ep in episodes %}{% include "default:notes.md" %}{% endfor %}'
    checker.check("feed.xml", text, contexts.FeedContext)
    assert [(name, sorted(scope)) for name, scope in checker.includes] == [
        ("default:notes.md", ["ep", "episodes", "feed_url", "last_build", "loop", "podcast_guid",
                              "show"])
    ]  # fmt: skip
    checker.check("episode.html", source(env, "episode.html"), contexts.EpisodePageContext)
    assert checker.extends == ["base.html"]


def test_the_checker_reads_the_feed_s_notes_block(docs, env):
    """The item_notes block sits in the loop over episodes: it is checked with ``ep`` known."""
    text = source(env, "feed.xml").replace("{{ q.text }}", "{{ q.txt }}")
    problems = Checker(docs, env).check("feed.xml", text, contexts.FeedContext)
    assert problems == ["QuoteView has no attribute txt"]


# --- the documentation ---------------------------------------------------------------
def docs_problems(docs: Docs, env: jinja2.Environment) -> list[str]:
    """What the docs list that does not exist, or list with the wrong type, or leave out."""
    problems = []
    if docs.contexts != {name: cls.__name__ for name, cls in TEMPLATES.items()}:
        problems.append(f"the templates' contexts are documented as {docs.contexts}")
    sections = {name: cls for name, cls in TEMPLATES.items()}
    sections |= {view.__name__: view for view in VIEWS}
    for section in sorted(set(docs.tables) - set(sections)):
        problems.append(f"{section} is documented but is no template or view")
    for section, cls in sections.items():
        documented, actual = docs.tables.get(section, {}), annotations(cls)
        for name, kind in documented.items():
            if name not in actual:
                problems.append(f"{section}: {name} is documented but not in {cls.__name__}")
            elif kind != actual[name]:
                problems.append(f"{section}: {name} is documented as {kind}, not {actual[name]}")
        for name in sorted(actual.keys() - documented.keys()):
            problems.append(f"{section}: {cls.__name__}.{name} is not documented")
    own = set(env.filters) - set(jinja2.filters.FILTERS)
    problems += [f"filter {name} is not documented" for name in sorted(own - docs.filters)]
    problems += [f"filter {name} does not exist" for name in sorted(docs.filters - own)]
    return problems


def test_docs_match_the_contexts_views_and_filters(docs, env):
    assert docs_problems(docs, env) == []


def test_docs_name_each_template_and_its_context(docs):
    assert set(docs.contexts) == set(TEMPLATES)
    assert docs.tables["EpisodeView"]["people"] == "tuple[PersonView, ...]"
    assert docs.tables["ShowView"]["link"] == "str | None"  # the escaped pipe


# --- the checker fails where it should -----------------------------------------------
BROKEN = [
    ("episode.html", "{{ ep.titel }}", "EpisodeView has no attribute titel"),
    ("episode.html", "{{ episode.title }}", "episode is not in EpisodePageContext"),
    ("episode.html", "{{ episode.title }}", "episode is not documented for episode.html"),
    ("notes.md", "{{ root }}", "root is not in NotesContext"),
    ("feed.xml", "{{ show.owner.phone }}", "OwnerView has no attribute phone"),
    ("feed.xml", "{{ show['feed'] }}", "ShowView has no attribute feed"),
    ("episode.html", "{% for ch in ep.chapters %}{{ ch.link }}{% endfor %}",
     "ChapterView has no attribute link"),
    ("episode.html", "{% for p in ep.article.paragraphs %}{{ p.score }}{% endfor %}",
     "ParagraphView has no attribute score"),
    ("feed.xml", "{% for e in episodes %}{% for t in e.feed_transcripts %}{{ t.lang }}"
     "{% endfor %}{% endfor %}", "TranscriptFileView has no attribute lang"),
    ("episode.html", "{% set e = ep %}{{ e.guidd }}", "EpisodeView has no attribute guidd"),
    ("episode.html", "{{ ep.date.isoformatt() }}", "datetime has no attribute isoformatt"),
    ("episode.html", "{{ (ep.chapters | first).nope }}", None),  # unknown type: not checked
    ("episode.html", "{{ ep.duration | seconds }}", "unknown filter seconds"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "problem"), BROKEN)
def test_checker_catches_an_undocumented_name(docs, env, name, text, problem):
    problems = Checker(docs, env).check(name, text, TEMPLATES[name])
    if problem is None:
        assert problems == []
    else:
        assert problem in problems


def test_checker_catches_a_field_missing_from_the_docs(env):
    text = DOCS.read_text(encoding="utf-8")
    row = "| `audio_size` | `int` |"
    assert row in text
    docs = parse_docs("\n".join(line for line in text.splitlines() if row not in line))
    problems = Checker(docs, env).check("feed.xml", source(env, "feed.xml"), contexts.FeedContext)
    assert problems == ["EpisodeView.audio_size is not documented"]
    assert docs_problems(docs, env) == ["EpisodeView: EpisodeView.audio_size is not documented"]


def test_checker_catches_a_filter_missing_from_the_docs(env):
    text = DOCS.read_text(encoding="utf-8")
    docs = parse_docs(text.replace("| `rfc2822` |", "| rfc2822 |"))
    problems = Checker(docs, env).check("feed.xml", source(env, "feed.xml"), contexts.FeedContext)
    assert problems == ["filter rfc2822 is not documented"]
    assert docs_problems(docs, env) == ["filter rfc2822 is not documented"]


BROKEN_DOCS = [
    ("| `guid` | `str` |", "| `permalink` | `str` | x |\n| `guid` | `str` |",
     "EpisodeView: permalink is documented but not in EpisodeView"),
    ("| `last_build` | `datetime` |", "| `last_build` | `str` |",
     "feed.xml: last_build is documented as str, not datetime"),
    ("| `root` | `str` | `\"\"`: the front page", "| `rot` | `str` | `\"\"`: the front page",
     "index.html: rot is documented but not in IndexContext"),
    ("Context: `NotesContext`", "Context: `EpisodePageContext`", None),
    ("### `ChapterView`", "### `Chapter`", "Chapter is documented but is no template or view"),
    ("| `as_text` |", "| `as_text` | `x` | y |\n| `plain` |", "filter plain does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after", "problem"), BROKEN_DOCS)
def test_docs_check_catches_a_wrong_entry(env, before, after, problem):
    text = DOCS.read_text(encoding="utf-8")
    assert before in text
    problems = docs_problems(parse_docs(text.replace(before, after, 1)), env)
    if problem is None:
        assert problems and problems[0].startswith("the templates' contexts are documented")
    else:
        assert problem in problems
