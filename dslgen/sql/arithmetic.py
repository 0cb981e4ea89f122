"""Arithmetic on an expression string: numbers, + - * /, unary signs and parentheses.

A tool's `let: {x: {arithmetic: expression, round: 2}}` computes its value here, in Python,
outside either engine, so the result is the same on SQLite and PostgreSQL. No eval: a small
operator-precedence parser (no recursion, so deep nesting cannot exhaust the stack). Integers
stay exact under + - *, `/` divides as floats, as Python does; the result is a float.
"""
from __future__ import annotations

import re

ALLOWED = frozenset("0123456789+-*/(). ")
MAX_LENGTH = 1000
_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+)|(.))")
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2}


class ArithmeticError_(ValueError):
    """Why an expression has no value; the text is what the tool's error shows as {reason}."""


def evaluate(text: str, digits: int | None = None) -> float:
    """The value of `text`, rounded to `digits` places when given (Python's round)."""
    if not all(ch in ALLOWED for ch in text):
        raise ArithmeticError_("invalid characters in expression")
    if len(text) > MAX_LENGTH:
        raise ArithmeticError_(f"expression longer than {MAX_LENGTH} characters")
    try:
        value = float(_Parser(_tokens(text)).run())
    except OverflowError:
        raise ArithmeticError_("number too large") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ArithmeticError_("number too large")
    return round(value, digits) if digits is not None else value


def _tokens(text: str) -> list[str | int | float]:
    out: list[str | int | float] = []
    for number, op in _TOKEN.findall(text):
        if number:
            if "." not in number and len(number) > 1 and number[0] == "0" and number.strip("0"):
                raise ArithmeticError_("invalid syntax")  # Python refuses leading zeros (012)
            out.append(float(number) if "." in number else int(number))
        elif op.strip():
            out.append(op)
    return out


class _Parser:
    """Shunting-yard over tokens; unary + and - bind tighter than * and /, as in Python."""

    def __init__(self, tokens: list):
        self.tokens, self.values, self.ops = tokens, [], []

    def run(self):
        expect_operand = True
        for tok in self.tokens:
            if isinstance(tok, (int, float)):
                if not expect_operand:
                    raise ArithmeticError_("invalid syntax")
                self.values.append(tok)
                expect_operand = False
            elif tok == "(":
                if not expect_operand:
                    raise ArithmeticError_("invalid syntax")
                self.ops.append(tok)
            elif tok == ")":
                if expect_operand:
                    raise ArithmeticError_("invalid syntax")
                self._close()
            elif expect_operand and tok in "+-":
                self.ops.append("u" + tok)  # unary: applied when its operand is complete
            elif tok in _BINARY and not expect_operand:
                self._reduce_while(lambda top: top.startswith("u") or _BINARY.get(top, 0) >= _BINARY[tok])
                self.ops.append(tok)
                expect_operand = True
            else:
                raise ArithmeticError_("invalid syntax")
        if expect_operand:
            raise ArithmeticError_("invalid syntax")
        self._reduce_while(lambda top: top != "(")
        if self.ops or len(self.values) != 1:
            raise ArithmeticError_("invalid syntax")
        return self.values[0]

    def _close(self) -> None:
        self._reduce_while(lambda top: top != "(")
        if not self.ops:
            raise ArithmeticError_("invalid syntax")
        self.ops.pop()

    def _reduce_while(self, cond) -> None:
        while self.ops and cond(self.ops[-1]):
            self._apply(self.ops.pop())

    def _apply(self, op: str) -> None:
        if op == "(":
            raise ArithmeticError_("invalid syntax")
        if op.startswith("u"):
            value = self.values.pop()
            self.values.append(-value if op == "u-" else +value)
            return
        right, left = self.values.pop(), self.values.pop()
        if op == "/" and right == 0:
            raise ArithmeticError_("division by zero")
        self.values.append(left + right if op == "+" else left - right if op == "-" else
                           left * right if op == "*" else left / right)
