"""Find (and with ``--mark``, wrap) the English text of the templates that is not yet translatable.

A sentence is a run of text and ``{{ … }}`` between two HTML tags or ``{% … %}`` statements. A
sentence with words is translatable when it is one ``{{ _(…) }}`` call; ``--mark`` rewrites the
others into one, the expressions in it becoming ``%(name)s`` placeholders, so a translator sees
"Page %(page)s of %(pages)s", never "Page" and "of" apart.

    python scripts/translatable.py             # list what is not marked; exit 1 if anything
    python scripts/translatable.py --mark      # mark it in place
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Text in these elements is data or code, never English for a reader.
RAW_ELEMENTS = ("script", "style", "code", "pre")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-progress", r"data-text-[a-z-]+")
#: Calls on a value that name what is done to it, not what it is.
METHODS = frozenset(
    {"strftime", "format", "get", "replace", "items", "upper", "lower", "capitalize"}
)
WORD = re.compile(r"[A-Za-z]{2,}")
SIMPLE = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$")


@dataclass(frozen=True)
class Token:
    """A piece of a template: ``html``, ``statement``, ``expression``, ``comment`` or ``text``."""

    kind: str
    text: str


def tokens(source: str) -> Iterator[Token]:
    """The template cut into HTML tags, Jinja statements, expressions, comments and text."""
    i = 0
    text_start = 0
    while i < len(source):
        kind, end = _token_at(source, i)
        if kind is None:
            i += 1
            continue
        if text_start < i:
            yield Token("text", source[text_start:i])
        yield Token(kind, source[i:end])
        i = text_start = end
    if text_start < len(source):
        yield Token("text", source[text_start:])


def _token_at(source: str, i: int) -> tuple[str | None, int]:
    pair = source[i : i + 2]
    if pair in ("{%", "{{", "{#"):
        closing = {"{%": "%}", "{{": "}}", "{#": "#}"}[pair]
        kind = {"{%": "statement", "{{": "expression", "{#": "comment"}[pair]
        return kind, _skip_to(source, i + 2, closing)
    if (
        source[i] == "<"
        and i + 1 < len(source)
        and (source[i + 1].isalpha() or source[i + 1] in "/!")
    ):
        j = i + 1
        quote = ""
        while j < len(source):
            if source[j : j + 2] in ("{{", "{%"):
                j = _skip_to(source, j + 2, "}}" if source[j + 1] == "{" else "%}")
                continue
            if quote:
                quote = "" if source[j] == quote else quote
            elif source[j] in "\"'":
                quote = source[j]
            elif source[j] == ">":
                return "html", j + 1
            j += 1
    return None, i


def _skip_to(source: str, start: int, closing: str) -> int:
    end = source.find(closing, start)
    return len(source) if end < 0 else end + len(closing)


def sentences(source: str) -> Iterator[list[Token]]:
    """Runs of text and expressions outside raw elements, each a candidate sentence."""
    run: list[Token] = []
    raw_depth = 0
    for token in tokens(source):
        if token.kind == "html":
            name = re.match(r"</?\s*([A-Za-z0-9]+)", token.text)
            if name and name.group(1).lower() in RAW_ELEMENTS:
                raw_depth += -1 if token.text.startswith("</") else 1
            yield run
            run = []
        elif token.kind in ("statement", "comment"):
            yield run
            run = []
        elif raw_depth == 0:
            run.append(token)
    yield run


def needs_marking(run: list[Token]) -> bool:
    """Whether the run holds English words outside any expression."""
    return any(token.kind == "text" and WORD.search(token.text) for token in run)


def marked(run: list[Token]) -> str:
    """The run as one ``{{ _(…) }}``, its expressions as named placeholders."""
    text = "".join(token.text for token in run)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    message = []
    arguments: dict[str, str] = {}
    for token in run:
        if token.kind == "text":
            message.append(token.text.replace("%", "%%"))
            continue
        expression = token.text[2:-2].strip()
        name = placeholder(expression)
        while name in arguments and arguments[name] != expression:
            name += "_"
        arguments[name] = expression
        message.append(f"%({name})s")
    words = re.sub(r"\s+", " ", "".join(message)).strip()
    quoted = '"' + words.replace("\\", "\\\\").replace('"', '\\"') + '"'
    values = [
        f"{name}={v}" if SIMPLE.match(v) else f"{name}=({v})" for name, v in arguments.items()
    ]
    call = ", ".join([quoted, *values])
    return f"{lead}{{{{ _({call}) }}}}{trail}"


def placeholder(expression: str) -> str:
    """A name a translator can read: ``roll.as_of.strftime('%d')`` → ``as_of``."""
    chain = re.match(r"[A-Za-z_][\w.]*", expression)
    parts = [part for part in (chain.group(0) if chain else "").split(".") if part]
    while len(parts) > 1 and parts[-1] in METHODS:
        parts.pop()
    return parts[-1] if parts and parts[-1] not in METHODS else "value"


def mark(source: str) -> str:
    """The template with every unmarked sentence and attribute wrapped for translation."""
    out: list[str] = []
    run: list[Token] = []

    def flush() -> None:
        if needs_marking(run):
            out.append(marked(run))
        else:
            out.extend(token.text for token in run)
        run.clear()

    raw_depth = 0
    for token in tokens(source):
        if token.kind == "html":
            flush()
            name = re.match(r"</?\s*([A-Za-z0-9]+)", token.text)
            if name and name.group(1).lower() in RAW_ELEMENTS:
                raw_depth += -1 if token.text.startswith("</") else 1
            out.append(_mark_attributes(token.text))
        elif token.kind in ("statement", "comment") or raw_depth:
            flush()
            out.append(token.text)
        else:
            run.append(token)
    flush()
    return "".join(out)


def _mark_attributes(tag: str) -> str:
    pattern = re.compile(r"\b(" + "|".join(ATTRIBUTES) + r')="([^"{]*[A-Za-z]{2,}[^"{]*)"')
    return pattern.sub(lambda m: f"{m.group(1)}=\"{{{{ _('{m.group(2)}') }}}}\"", tag)


def unmarked(source: str) -> list[str]:
    """The sentences and attributes of a template a translator would not see."""
    found = [
        "".join(t.text for t in run).strip() for run in sentences(source) if needs_marking(run)
    ]
    for token in tokens(source):
        if token.kind == "html":
            pattern = r"\b(?:" + "|".join(ATTRIBUTES) + r')="([^"{]*[A-Za-z]{2,}[^"{]*)"'
            found.extend(re.findall(pattern, token.text))
    return found


def main(argv: list[str]) -> int:
    """List unmarked text per template, or mark it with ``--mark``."""
    missing = 0
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        if "--mark" in argv:
            path.write_text(mark(source), encoding="utf-8")
            continue
        for text in unmarked(source):
            missing += 1
            print(f"{path.relative_to(TEMPLATES.parent)}: {text!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
