"""Tokenizer and recursive-descent parser of rule expressions.

Rule text is only ever read by this parser: nothing in a ruleset reaches ``eval``. The
grammar (docs/rule-language.md), loosest binding first::

    expr        := or
    or          := and ("or" and)*
    and         := not ("and" not)*
    not         := "not" not | comparison
    comparison  := sum [compare_op sum]        # one comparison, no chains
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := "-" unary | primary
    primary     := NUMBER | STRING | "true" | "false" | NAME | NAME "(" args ")"
                 | "[" items "]" | "(" expr ")"

Every node has a 1-based ``column``: where the node starts, except for operators
(:class:`Binary`), whose column is the operator's own, since that is what a type error
about them points at.
"""

from __future__ import annotations

import re
from typing import Any

import attrs


class ExpressionError(Exception):
    """A rule expression (or message template) that does not parse or type-check.

    ``column`` is the 1-based position in the text (or None), ``name`` the offending
    name (or None).
    """

    def __init__(self, message: str, column: int | None = None, name: str | None = None):
        super().__init__(message, column, name)
        self.message, self.column, self.name = message, column, name

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}" if self.column else self.message


# --------------------------------------------------------------------- the AST


class Node:
    """Base of the syntax tree's nodes (frozen attrs classes with a ``column``)."""

    __slots__ = ()
    column: int  # every node has one (declared by each subclass, for attrs)


@attrs.frozen
class Literal(Node):
    value: Any  # int, float, str or bool
    column: int


@attrs.frozen
class Name(Node):
    name: str  # dotted: a fact; bare: a parameter
    column: int


@attrs.frozen
class ListLit(Node):
    items: tuple
    column: int


@attrs.frozen
class Call(Node):
    name: str
    args: tuple
    column: int


@attrs.frozen
class Unary(Node):  # "not" or "-"
    op: str
    operand: Node
    column: int


@attrs.frozen
class Binary(Node):  # and, or, ==, !=, <, <=, >, >=, in, not in, +, -, *, /
    op: str
    left: Node
    right: Node
    column: int  # the operator's column


def start_column(node: Node) -> int:
    """Where a node's text starts (a Binary's column is its operator's)."""
    while isinstance(node, Binary):
        node = node.left
    return node.column


def unparse(node: Node) -> str:
    """The expression as text again, every operation in parentheses."""
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return '"' + value.replace('"', '\\"') + '"'
        return repr(value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Call):
        return f"{node.name}({', '.join(unparse(a) for a in node.args)})"
    if isinstance(node, ListLit):
        return f"[{', '.join(unparse(i) for i in node.items)}]"
    if isinstance(node, Unary):
        return (
            f"({node.op} {unparse(node.operand)})"
            if node.op == "not"
            else f"(-{unparse(node.operand)})"
        )
    assert isinstance(node, Binary)
    return f"({unparse(node.left)} {node.op} {unparse(node.right)})"


# --------------------------------------------------------------------- tokens

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
MAX_NUMBER_DIGITS = 30  # scores, months and percentages have a few; more is a mistake
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_TWO_CHAR_OPS = frozenset({"==", "!=", "<=", ">="})
_ONE_CHAR_OPS = frozenset("<>+-*/()[],")
# Characters people bring from other languages, and what this one spells instead.
_HINTS = {"=": "use '==' to compare", "!": "use 'not' (or '!=')", "&": "use 'and'", "|": "use 'or'"}


@attrs.frozen
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str  # as written (a string token: with its quotes)
    column: int
    value: Any = None  # a number's or a string's value


_MALFORMED_NUMBER = re.compile(r"[A-Za-z0-9_.]*")


def _match(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    """``pattern`` at ``pos``, where the caller checked that the character there starts it."""
    match = pattern.match(text, pos)
    assert match is not None
    return match


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        column = pos + 1
        if char.isspace():
            pos += 1
        elif char in "0123456789":
            stop = _match(_NUMBER, text, pos).end()
            if stop < end and (text[stop] in _NAME_START or text[stop] == "."):
                bad = _match(_MALFORMED_NUMBER, text, pos).group()
                raise ExpressionError(f"malformed number {bad!r}", column)
            word = text[pos:stop]
            if len(word) > MAX_NUMBER_DIGITS:
                # Past Python's int limit this would not even convert; far before it, a
                # float would silently round or overflow.
                raise ExpressionError(f"a number of more than {MAX_NUMBER_DIGITS} digits", column)
            tokens.append(Token("number", word, column, float(word) if "." in word else int(word)))
            pos = stop
        elif char in _NAME_START:
            # A dotted name is one token: "profile.step2ck.score".
            stop = _match(_WORD, text, pos).end()
            while stop < end and text[stop] == ".":
                part = _WORD.match(text, stop + 1)
                if part is None:
                    raise ExpressionError(
                        f"expected a name after {text[pos : stop + 1]!r}", stop + 2
                    )
                stop = part.end()
            word = text[pos:stop]
            tokens.append(Token("keyword" if word in KEYWORDS else "name", word, column))
            pos = stop
        elif char in "\"'":
            pos = _string(text, pos, tokens)
        elif text[pos : pos + 2] in _TWO_CHAR_OPS:
            tokens.append(Token("op", text[pos : pos + 2], column))
            pos += 2
        elif char in _ONE_CHAR_OPS:
            tokens.append(Token("op", char, column))
            pos += 1
        else:
            hint = f"; {_HINTS[char]}" if char in _HINTS else ""
            raise ExpressionError(f"unexpected character {char!r}{hint}", column)
    tokens.append(Token("end", "", end + 1))
    return tokens


def _string(text: str, start: int, tokens: list[Token]) -> int:
    """Scan a quoted string from ``start``; the only escapes are \\" and \\'."""
    quote, pos, chars = text[start], start + 1, []
    while pos < len(text):
        char = text[pos]
        if char == "\\" and text[pos + 1 : pos + 2] in ("'", '"'):
            chars.append(text[pos + 1])
            pos += 2
        elif char == quote:
            tokens.append(Token("string", text[start : pos + 1], start + 1, "".join(chars)))
            return pos + 1
        else:
            chars.append(char)
            pos += 1
    raise ExpressionError("unclosed string", start + 1)


# --------------------------------------------------------------------- parser

_COMPARE = frozenset({"==", "!=", "<", "<=", ">", ">="})
MAX_DEPTH = 40  # nesting of parentheses, calls, lists, "not"s and "-"s: rules are short


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "keyword") and self.tok.text in texts

    def found(self) -> str:
        tok = self.tok
        return "the end of the expression" if tok.kind == "end" else repr(tok.text)

    def nest(self, column: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested more than {MAX_DEPTH} deep", column)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExpressionError("empty expression", 1)
        node = self.or_()
        if self.tok.kind != "end":
            if self.at(")", "]"):
                raise ExpressionError(
                    f"unexpected {self.found()}: nothing to close", self.tok.column
                )
            raise ExpressionError(
                f"unexpected {self.found()} after a complete expression", self.tok.column
            )
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.at("or"):
            tok = self.take()
            node = Binary("or", node, self.and_(), tok.column)
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.at("and"):
            tok = self.take()
            node = Binary("and", node, self.not_(), tok.column)
        return node

    def not_(self) -> Node:
        if self.at("not"):
            tok = self.take()
            self.nest(tok.column)
            node = Unary("not", self.not_(), tok.column)
            self.depth -= 1
            return node
        return self.comparison()

    def compare_op(self) -> str | None:
        """The comparison operator at the cursor, if any ('not in' is two tokens)."""
        tok = self.tok
        if tok.kind == "op" and tok.text in _COMPARE or self.at("in"):
            return tok.text
        if (
            self.at("not")
            and self.tokens[self.i + 1].text == "in"
            and self.tokens[self.i + 1].kind == "keyword"
        ):
            return "not in"
        return None

    def comparison(self) -> Node:
        node = self.sum()
        op = self.compare_op()
        if op is None:
            return node
        tok = self.take()
        if op == "not in":
            self.take()
        node = Binary(op, node, self.sum(), tok.column)
        if self.compare_op() is not None:
            raise ExpressionError(
                "comparisons cannot be chained; join them with 'and'", self.tok.column
            )
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            tok = self.take()
            node = Binary(tok.text, node, self.product(), tok.column)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            tok = self.take()
            node = Binary(tok.text, node, self.unary(), tok.column)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            tok = self.take()
            self.nest(tok.column)
            node = Unary("-", self.unary(), tok.column)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind in ("number", "string"):
            self.take()
            return Literal(tok.value, tok.column)
        if self.at("true", "false"):
            self.take()
            return Literal(tok.text == "true", tok.column)
        if tok.kind == "name":
            self.take()
            if self.at("("):
                args = self.items(self.take(), ")")
                return Call(tok.text, args, tok.column)
            return Name(tok.text, tok.column)
        if self.at("["):
            return ListLit(self.items(self.take(), "]"), tok.column)
        if self.at("("):
            self.take()
            self.nest(tok.column)
            node = self.or_()
            self.close(tok, ")")
            self.depth -= 1
            return node
        raise ExpressionError(f"expected a value, found {self.found()}", tok.column)

    def unclosed(self, opener: Token, expected: str) -> ExpressionError:
        if self.tok.kind == "end":
            return ExpressionError(
                f"expected {expected}: the {opener.text!r} at column {opener.column} is unclosed",
                self.tok.column,
            )
        return ExpressionError(
            f"expected {expected} to close the {opener.text!r} at column "
            f"{opener.column}, found {self.found()}",
            self.tok.column,
        )

    def close(self, opener: Token, closer: str) -> None:
        if not self.at(closer):
            raise self.unclosed(opener, repr(closer))
        self.take()

    def items(self, opener: Token, closer: str) -> tuple:
        """Comma-separated expressions up to ``closer``: call arguments, list items."""
        self.nest(opener.column)
        items = []
        if not self.at(closer):
            items.append(self.or_())
            while self.at(","):
                self.take()
                items.append(self.or_())
            if not self.at(closer):
                raise self.unclosed(opener, f"',' or {closer!r}")
        self.take()
        self.depth -= 1
        return tuple(items)


def parse(text: str) -> Node:
    """Parse a rule expression into its syntax tree (frozen nodes with columns)."""
    if not isinstance(text, str):
        raise TypeError(f"an expression is text, not {type(text).__name__}")
    return _Parser(text).parse()
