"""The one exception type for bad user input, and the parsers that raise it.

An :class:`InputError` message is a single line that says what is wrong and
what is allowed; the CLI prints it and exits with status 2, the app shows it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["InputError", "SettingError", "unknown_name", "parse_float", "parse_assignments", "finite_float"]


class InputError(ValueError):
    """Bad input from a user: a name, a number or a file that is not allowed."""

    def as_flag(self) -> str:
        """The message as a command line shows it (a :class:`SettingError` names its flag)."""
        return str(self)


class SettingError(InputError):
    """A bad value of one named setting (``lr``, ``hidden``, ...).

    The message reads ``lr must be a positive step size, got 0``; the CLI shows
    the setting as its flag (``--lr ...``) and the app as its field's label, so
    one check serves both.
    """

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"{setting} {problem}")

    def as_flag(self) -> str:
        """The message with the setting written as a command-line flag."""
        return f"--{self.setting.replace('_', '-')} {self.problem}"


def unknown_name(kind: str, name: str, known: Iterable[str]) -> InputError:
    """``unknown circuit 'foo': choose one of a, b, c``."""
    return InputError(f"unknown {kind} {name!r}: choose one of {', '.join(known)}")


def finite_float(value: object, what: str) -> float:
    """``value`` as a finite float, or an InputError naming ``what``."""
    if isinstance(value, bool):
        raise InputError(f"{what} must be a finite number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a finite number, got {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{what} must be a finite number, got {value!r}")
    return number


def parse_float(text: str, what: str) -> float:
    """Parse a finite float from text, naming ``what`` in the error."""
    return finite_float(text.strip(), what)


def parse_assignments(text: str, what: str = "inputs") -> dict[str, float]:
    """Parse ``a=1,b=-2.5`` into ``{'a': 1.0, 'b': -2.5}``; refuse anything else."""
    values: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, number = part.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"{what}: expected NAME=NUMBER pairs separated by commas, got {part!r}")
        if name in values:
            raise InputError(f"{what}: {name} is given twice; give each input once")
        values[name] = parse_float(number, f"input {name}")
    if not values:
        raise InputError(f"{what}: expected NAME=NUMBER pairs separated by commas, got {text!r}")
    return values
