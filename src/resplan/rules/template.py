"""Message templates: ``{name}`` placeholders filled with facts or parameters.

``{{`` and ``}}`` are literal braces. A format after a colon changes how a value prints:

- ``{share:percent}``: a share (0.768) as a percentage (77%);
- ``{fee:dollars}``: an amount of US dollars, whole, with thousands separated ($1,830);
- ``{n:count program|programs}``: the number with the noun that agrees with it
  ("1 program", "0 programs", "2 programs");
- ``{n:agree is|are}``: only the word that agrees with the number ("is" for 1);
- ``{word:a}``: the value after "a" or "an", by its first sound ("an unlikely",
  "a strong", "an MD", "a US");
- ``{program.state:state}``: a US state's two-letter code as its name (TX: Texas), for
  readers who may not know the codes.

Names and formats are checked when the template compiles, like names in expressions
(``count`` and ``agree`` need a number, ``a`` a word or number); parameters are
constants, so they are formatted then, once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from resplan.rules.compiler import Scope, did_you_mean, param_type
from resplan.rules.expr import ExpressionError
from resplan.rules.types import BOOL, NUMBER, Enum, SetOf, Type
from resplan.rules.values import Unknown
from resplan.vocabulary import STATES

FORMATS = ("percent", "dollars", "count", "agree", "a", "times", "state", "and")
# Formats that take a singular and a plural form: "count program|programs".
_WORD_FORMATS = ("count", "agree")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def format_value(value: Any, labels: Mapping[str, str] | None = None, spec: str = "") -> str:
    """A value as words: numbers without a trailing .0, sets sorted and comma-separated,
    booleans as yes/no, unknowns as "unknown". ``labels`` renames members of sets
    (finding names, say); ``spec`` is ``"percent"`` or nothing (the formats that take
    words are :class:`Format` objects)."""
    if value.__class__ is str:  # the common case, first
        return value
    if value is None or value.__class__ is Unknown:
        return "unknown"
    if isinstance(value, bool):  # before numbers: True is an int
        return "yes" if value else "no"
    if spec == "percent" and isinstance(value, (int, float)):
        return f"{round(value * 100)}%"
    if spec == "dollars" and isinstance(value, (int, float)):
        return f"${round(value):,}"
    if isinstance(value, float):
        # Integral floats print as integers (220.0 -> 220), short of where that
        # would spell out a long run of digits.
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else format(value, "g")
    if isinstance(value, (set, frozenset, list, tuple)):
        return ", ".join(_set_words(value, labels))
    return str(value)


def _set_words(value: Any, labels: Mapping[str, str] | None) -> list[str]:
    """The members of a set as words, sorted."""
    return sorted(
        labels.get(v, v) if labels and isinstance(v, str) else format_value(v) for v in value
    )


# ------------------------------------------------------------------ articles

# Words that start with a vowel letter but a consonant sound ("a unique", "a one-year"),
# and the reverse ("an hour"). Prefixes, lower case.
_VOWEL_LETTER_CONSONANT_SOUND = (
    "uni",
    "use",
    "usu",
    "uti",
    "ura",
    "ure",
    "uro",
    "eu",
    "ewe",
    "one",
    "once",
    "ubiq",
    "ukr",
    "uga",
    "utah",
)
_UNI_VOWEL_SOUND = ("unin", "unim")  # "an uninsured", "an unimportant": un- + in-/im-
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
# Letters whose English names start with a vowel sound: "an MD", "an FMG", "an IMG".
_VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")
# Capitalised abbreviations read as words, not letter by letter.
_READ_AS_WORDS = {"SOAP": "a", "NAFTA": "a", "UNICEF": "a", "ERAS": "an", "OSCE": "an"}


def article(word: str) -> str:
    """ "a" or "an" for ``word``, by how it sounds (numbers by how they are read)."""
    word = word.lstrip("\"'([ ")
    if not word:
        return "a"
    digits = re.match(r"\d[\d,]*", word)
    if digits:
        # "an 8", "an 80", "an 11", "an 18,000": eight, eleven and eighteen lead.
        number = digits.group().replace(",", "")
        lead2 = len(number) % 3 == 2 and number[:2] in ("11", "18")
        return "an" if number[0] == "8" or lead2 else "a"
    token = re.match(r"[A-Za-z]+", word)
    if token is None:
        return "a"
    letters = token.group()
    if len(letters) > 1 and letters.isupper():
        if letters in _READ_AS_WORDS:
            return _READ_AS_WORDS[letters]
        return "an" if letters[0] in _VOWEL_SOUND_LETTERS else "a"
    lower = letters.lower()
    if lower.startswith(_SILENT_H):
        return "an"
    if lower.startswith(_UNI_VOWEL_SOUND):
        return "an"
    if lower.startswith(_VOWEL_LETTER_CONSONANT_SOUND):
        return "a"
    if len(letters) == 1:  # a single letter is read by its name: "an F", "a B"
        return "an" if letters.upper() in _VOWEL_SOUND_LETTERS else "a"
    return "an" if lower[0] in "aeiou" else "a"


# ------------------------------------------------------------------ formats


_TIMES = {1: "once", 2: "twice"}


@attrs.frozen
class Format:
    """A format that picks words: ``count`` and ``agree`` choose between a singular and
    a plural form by the number (singular only for exactly 1); ``a`` puts "a" or "an"
    before the value. Called with a value and labels, it gives the words."""

    kind: str
    singular: str = ""
    plural: str = ""

    def __call__(self, value: Any, labels: Mapping[str, str] | None = None) -> str:
        unknown = value is None or value.__class__ is Unknown
        if self.kind == "a":
            words = format_value(value, labels)
            return f"{article(words)} {words}"
        if self.kind == "times":
            # How often, as people say it: "once", "twice", then "3 times".
            if unknown:
                return "an unknown number of times"
            return _TIMES.get(value) or f"{format_value(value)} times"
        word = self.singular if not unknown and value == 1 else self.plural
        if self.kind == "agree":
            return word
        if unknown:
            return f"an unknown number of {word}"
        return f"{format_value(value)} {word}"

    def __str__(self) -> str:
        return f"{self.kind} {self.singular}|{self.plural}" if self.plural else self.kind


def _plain(spec: str) -> Callable[[Any, Mapping[str, str] | None], str]:
    def plain(value: Any, labels: Mapping[str, str] | None = None) -> str:
        return format_value(value, labels, spec)

    return plain


def _formatter(spec: str, typ: Type, name: str, column: int):
    """The function that prints a value of type ``typ`` by ``spec``; an ExpressionError
    (at ``column``, where the format starts) when the format is unknown, misspelt or
    does not fit the type."""
    kind, _, words = spec.partition(" ")
    kind, words = kind.strip(), words.strip()

    def fail(message: str):
        raise ExpressionError(message, column, name)

    if kind not in FORMATS:
        fail(
            f"unknown format {kind!r}{did_you_mean(kind, FORMATS)} (formats: {', '.join(FORMATS)})"
        )
    if kind in _WORD_FORMATS:
        forms = [form.strip() for form in words.split("|")]
        if len(forms) != 2 or not all(forms):
            fail(f"{kind} needs a singular and a plural form: {{{name}:{kind} program|programs}}")
        if typ != NUMBER:
            fail(f"{kind} needs a number, and {name} is {typ}")
        return Format(kind, forms[0], forms[1])
    if words:
        fail(f"format {kind!r} takes no words (found {words!r})")
    if kind in ("percent", "dollars"):
        if typ != NUMBER:
            fail(f"{kind} needs a number, and {name} is {typ}")
        return _plain(kind)
    if kind == "times":
        if typ != NUMBER:
            fail(f"times needs a number, and {name} is {typ}")
        return Format("times")
    if kind == "state":
        if not (isinstance(typ, Enum) and set(typ.values) <= STATES.keys()):
            fail(f"state needs a US state's code, and {name} is {typ}")
        return _state_name
    if kind == "and":
        if not isinstance(typ, SetOf):
            fail(f"'and' needs a set, and {name} is {typ}")
        return _and_list
    if typ == BOOL or isinstance(typ, SetOf):  # kind == "a"
        fail(f"'a' needs a word or a number, and {name} is {typ}")
    return Format("a")


class Template:
    """A compiled template: ``render(env)`` fills it in; ``names`` are the facts it reads.

    :func:`deferred_template` makes one that compiles on first use: a rulebook whose
    rulesets loaded without a problem before (the same text, the same code) compiles each
    template only when a plan reads it, since most are never rendered.
    """

    __slots__ = ("text", "_names", "_parts", "_scope")

    def __init__(self, text: str, names: frozenset[str], parts: tuple):
        self.text = text
        self._names: frozenset[str] | None = names
        # Literal text as str; a fact placeholder as (name, spec, formatter); a parameter
        # whose words can depend on the labels (a list) as (None, value, formatter). The
        # spec is the format's text ("percent", "count program|programs" or "").
        self._parts: tuple | None = parts
        self._scope: Scope | None = None

    @property
    def names(self) -> frozenset[str]:
        if self._names is None:
            self._compile()
        return self._names  # type: ignore[return-value]

    @property
    def parts(self) -> tuple:
        if self._parts is None:
            self._compile()
        return self._parts  # type: ignore[return-value]

    def _compile(self) -> None:
        compiled = compile_template(self.text, self._scope)  # type: ignore[arg-type]
        self._names, self._parts, self._scope = compiled._names, compiled._parts, None

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Template)
        return (self.text, self.names) == (other.text, other.names)

    def __hash__(self) -> int:
        return hash((self.text, self.names))

    def __repr__(self) -> str:
        return f"Template(text={self.text!r}, names={self.names!r})"

    def render(
        self,
        env: Mapping[str, Any],
        labels: Mapping[str, str] | None = None,
        row: Mapping[str, Any] | None = None,
    ) -> str:
        """The text with ``env``'s facts filled in; ``row``, when given, is read first."""
        out = []
        parts = self._parts
        if parts is None:
            parts = self.parts
        for part in parts:
            if part.__class__ is str:
                out.append(part)
            elif part[0] is None:
                out.append(part[2](part[1], labels))
            else:
                name = part[0]
                value = row[name] if row is not None and name in row else env.get(name)
                out.append(part[2](value, labels))
        return "".join(out)


def deferred_template(text: str, scope: Scope) -> Template:
    """A template of ``text`` compiled in ``scope`` when first read, not now. Only for a
    text known to compile there: a mistake would surface when the template is used."""
    if not isinstance(text, str):
        raise TypeError(f"a template is text, not {type(text).__name__}")
    template = Template(text, None, None)  # type: ignore[arg-type]
    template._scope = scope
    return template


_DEFAULT = _plain("")


def _and_list(value: Any, labels: Mapping[str, str] | None = None) -> str:
    """A set as a sentence lists it: "A", "A and B", "A, B and C" (sorted, as sets print)."""
    if not isinstance(value, (set, frozenset, list, tuple)):
        return format_value(value, labels)
    words = _set_words(value, labels)
    return f"{', '.join(words[:-1])} and {words[-1]}" if len(words) > 1 else "".join(words)


def _state_name(value: Any, labels: Mapping[str, str] | None = None) -> str:
    """A state's code as its name ("TX": "Texas")."""
    return STATES.get(value, format_value(value)) if value.__class__ is str else format_value(value)


def compile_template(text: str, scope: Scope) -> Template:
    if not isinstance(text, str):
        raise TypeError(f"a template is text, not {type(text).__name__}")
    parts: list = []
    names: set[str] = set()
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[pos : match.start()])
        pos = match.end()
        token = match.group()
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        if match.group(1) is None:
            raise ExpressionError(
                f"a lone {token!r}: write {token * 2!r} for a brace", match.start() + 1
            )
        body = match.group(1)
        name, colon, spec = body.partition(":")
        column = match.start() + 2 + (len(name) - len(name.lstrip()))  # where the name starts
        name, spec = name.strip(), spec.strip()
        if not name:
            raise ExpressionError("empty placeholder: write '{{}}' for braces", match.start() + 1)
        if not _NAME.match(name):
            raise ExpressionError(f"{name!r} is not a name", column, name)
        if name not in scope.facts and name not in scope.params:
            raise ExpressionError(
                f"unknown name {name!r}{did_you_mean(name, scope.names())}", column, name
            )
        formatter = _DEFAULT
        if colon and not spec:
            raise ExpressionError(
                f"a format is missing after ':' (formats: {', '.join(FORMATS)})",
                match.start() + 2 + body.index(":") + 1,
                name,
            )
        if spec:
            typ = scope.facts[name] if name in scope.facts else param_type(scope.params[name])
            formatter = _formatter(spec, typ, name, match.start() + 2 + body.index(":") + 1)
            spec = str(formatter) if isinstance(formatter, Format) else spec
        if name in scope.facts:
            names.add(name)
            parts.append((name, spec, formatter))
        else:
            value = scope.params[name]
            if isinstance(value, (set, frozenset, list, tuple)):
                parts.append((None, value, formatter))  # labels may rename its members
            else:
                parts.append(formatter(value, None))
    parts.append(text[pos:])
    # Merge neighbouring text (folded parameters, braces) so rendering appends less.
    merged: list = []
    for part in parts:
        if part.__class__ is str and merged and merged[-1].__class__ is str:
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Template(text, frozenset(names), tuple(merged))
