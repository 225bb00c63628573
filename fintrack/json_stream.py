"""Reading a large JSON document one value at a time, with a bounded nesting depth."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TextIO

# Deeper nesting than any backup row has; checked before a value is parsed, because the
# standard parser recurses per level and a hostile file of 100,000 '[' would exhaust the stack.
MAX_NESTING = 32
# Strings (skipped whole, escapes included) and the brackets that open or close a level.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JsonStreamError(ValueError):
    """The text is not valid JSON (or nests too deeply); the message says where."""


class JsonStream:
    """Pulls JSON values one at a time from a text stream, keeping only a window in memory."""

    CHUNK = 1 << 16
    WHITESPACE = " \t\r\n"

    def __init__(
        self, stream: TextIO, error: Callable[[str], ValueError] = JsonStreamError
    ) -> None:
        self.stream = stream
        self.error = error
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0
        self.column_carry = 0
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        dropped = self.buf[: self.pos]
        newline = dropped.rfind("\n")
        if newline >= 0:
            self.lines_before += dropped.count("\n")
            self.column_carry = len(dropped) - newline - 1
        else:
            self.column_carry += len(dropped)
        try:
            chunk = self.stream.read(self.CHUNK)
        except UnicodeDecodeError:
            raise self.error("the file is not UTF-8 text") from None
        if not chunk:
            self.eof = True
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return bool(chunk)

    def where(self, pos: int | None = None) -> str:
        pos = self.pos if pos is None else pos
        line = self.lines_before + self.buf.count("\n", 0, pos) + 1
        newline = self.buf.rfind("\n", 0, pos)
        column = pos - newline if newline >= 0 else self.column_carry + pos + 1
        return f"line {line}, column {column}"

    def broken(self, problem: str, pos: int | None = None) -> ValueError:
        return self.error(f"the file is not valid JSON: {problem} at {self.where(pos)}")

    def peek(self) -> str:
        """The next non-blank character, or "" at the end of the file."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in self.WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            found = f"'{char}'" if char else "the end of the file"
            wanted = " or ".join(f"'{c}'" for c in chars)
            raise self.broken(f"expected {wanted} but found {found}")
        self.pos += 1
        return char

    def _check_nesting(self) -> None:
        """Refuse a value nesting deeper than MAX_NESTING, before the parser recurses into it.

        Scans the value's brackets in the window; a value cut by the window's end is scanned
        again, whole, once more text is read.
        """
        if self.buf[self.pos : self.pos + 1] not in ("[", "{"):
            return
        while True:
            depth = 0
            for token in _TOKENS.finditer(self.buf, self.pos):
                char = token.group()
                depth += 1 if char in "[{" else -1 if char in "]}" else 0
                if depth <= 0:
                    return
                if depth > MAX_NESTING:
                    break
            else:
                return  # cut by the window: the parser asks for more and this runs again
            # A string cut by the window's end may have looked like brackets: read on first.
            if not self._fill():
                raise self.broken(f"values nest deeper than {MAX_NESTING} levels")

    def value(self) -> Any:
        if not self.peek():
            raise self.broken("unexpected end of the file")
        while True:
            self._check_nesting()
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if self._fill():
                    continue
                raise self.broken(error.msg.lower(), error.pos) from None
            # A number cut by the end of the window may continue in the next chunk.
            if end == len(self.buf) and self._fill():
                continue
            self.pos = end
            return value

    def key(self) -> str:
        if self.peek() != '"':
            raise self.broken("expected a quoted key")
        key: str = self.value()
        return key

    def members(self) -> Iterator[str]:
        """Keys of an object whose '{' was consumed; the caller consumes each value."""
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            name = self.key()
            self.expect(":")
            yield name
            if self.expect(",}") == "}":
                return

    def items(self) -> Iterator[None]:
        """Positions of the items of an array whose '[' was consumed."""
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield
            if self.expect(",]") == "]":
                return
