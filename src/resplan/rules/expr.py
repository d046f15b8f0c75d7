"""Tokenizer and recursive-descent parser of rule conditions.

Rule text is only ever read by this parser: nothing in a ruleset reaches ``eval``.
"""

from __future__ import annotations

import re
from typing import Any

import attrs


class ExpressionError(Exception):
    """A rule expression that does not parse or type-check."""

    def __init__(self, message: str, column: int | None = None, name: str | None = None):
        self.message, self.column, self.name = message, column, name
        super().__init__(f"column {column}: {message}" if column else message)


# --------------------------------------------------------------------- the AST


@attrs.frozen
class Literal:
    value: Any
    column: int


@attrs.frozen
class Name:
    name: str
    column: int


@attrs.frozen
class ListLit:
    items: tuple
    column: int


@attrs.frozen
class Call:
    name: str
    args: tuple
    column: int


@attrs.frozen
class Unary:  # "not" or "-"
    op: str
    operand: Any
    column: int


@attrs.frozen
class Binary:  # and, or, comparisons, in, not in, arithmetic
    op: str
    left: Any
    right: Any
    column: int


# --------------------------------------------------------------------- tokens

KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\["'\\])*"|'(?:[^'\\]|\\["'\\])*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
""", re.VERBOSE)


@attrs.frozen
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            if char in "\"'":
                raise ExpressionError("unclosed string", pos + 1)
            raise ExpressionError(f"unexpected character {char!r}", pos + 1)
        kind = match.lastgroup
        if kind != "space":
            word = match.group()
            if kind == "name" and word in KEYWORDS:
                kind = "keyword"
            tokens.append(Token(kind, word, pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# --------------------------------------------------------------------- parser

_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "keyword") and self.tok.text in texts

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise ExpressionError(f"expected {text!r}, found {self._found()}", self.tok.column)
        return self.take()

    def _found(self) -> str:
        return "the end of the expression" if self.tok.kind == "end" else repr(self.tok.text)

    def parse(self):
        if self.tok.kind == "end":
            raise ExpressionError("empty expression", 1)
        node = self.or_()
        if self.tok.kind != "end":
            raise ExpressionError(f"unexpected {self._found()}", self.tok.column)
        return node

    def or_(self):
        node = self.and_()
        while self.at("or"):
            tok = self.take()
            node = Binary("or", node, self.and_(), tok.column)
        return node

    def and_(self):
        node = self.not_()
        while self.at("and"):
            tok = self.take()
            node = Binary("and", node, self.not_(), tok.column)
        return node

    def not_(self):
        if self.at("not"):
            tok = self.take()
            return Unary("not", self.not_(), tok.column)
        return self.comparison()

    def comparison(self):
        node = self.sum()
        if self.tok.kind == "op" and self.tok.text in _COMPARE:
            tok = self.take()
            node = Binary(tok.text, node, self.sum(), tok.column)
        elif self.at("in"):
            tok = self.take()
            node = Binary("in", node, self.sum(), tok.column)
        elif self.at("not") and self.tokens[self.i + 1].text == "in":
            tok = self.take()
            self.take()
            node = Binary("not in", node, self.sum(), tok.column)
        else:
            return node
        if (self.tok.kind == "op" and self.tok.text in _COMPARE) or self.at("in"):
            raise ExpressionError("comparisons cannot be chained; join them with 'and'",
                                  self.tok.column)
        return node

    def sum(self):
        node = self.product()
        while self.at("+", "-"):
            tok = self.take()
            node = Binary(tok.text, node, self.product(), tok.column)
        return node

    def product(self):
        node = self.unary()
        while self.at("*", "/"):
            tok = self.take()
            node = Binary(tok.text, node, self.unary(), tok.column)
        return node

    def unary(self):
        if self.at("-"):
            tok = self.take()
            return Unary("-", self.unary(), tok.column)
        return self.primary()

    def primary(self):
        tok = self.tok
        if tok.kind == "number":
            self.take()
            value = float(tok.text) if "." in tok.text else int(tok.text)
            return Literal(value, tok.column)
        if tok.kind == "string":
            self.take()
            body = re.sub(r"\\([\"'\\])", r"\1", tok.text[1:-1])
            return Literal(body, tok.column)
        if self.at("true", "false"):
            self.take()
            return Literal(tok.text == "true", tok.column)
        if tok.kind == "name":
            self.take()
            if self.at("("):
                self.take()
                args = self.items(")")
                return Call(tok.text, tuple(args), tok.column)
            return Name(tok.text, tok.column)
        if self.at("["):
            self.take()
            return ListLit(tuple(self.items("]")), tok.column)
        if self.at("("):
            self.take()
            node = self.or_()
            self.expect(")")
            return node
        raise ExpressionError(f"expected a value, found {self._found()}", tok.column)

    def items(self, close: str) -> list:
        items = []
        if self.at(close):
            self.take()
            return items
        while True:
            items.append(self.or_())
            if self.at(","):
                self.take()
                continue
            if self.at(close):
                self.take()
                return items
            raise ExpressionError(f"expected ',' or {close!r}, found {self._found()}",
                                  self.tok.column)


def parse(text: str):
    """Parse a rule expression into its syntax tree (frozen nodes with columns)."""
    return _Parser(text).parse()
