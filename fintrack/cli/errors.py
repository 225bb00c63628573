"""How a command-line command ends: its exit code, or one line on stderr for an error."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from fintrack.errors import InputError


def first_line(error: BaseException) -> str:
    """The first line of an error's message (drivers add details and SQL on later lines)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; every error a person can meet ends as one line on stderr, no traceback."""
    try:
        code = handler(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`export | head`): stop quietly, as other tools do. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("fintrack: interrupted", file=sys.stderr)
        return 130
    except OperationalError as error:
        print(f"fintrack: cannot reach the database: {first_line(error)}", file=sys.stderr)
        return 1
    except (InputError, ValueError, OSError, SQLAlchemyError) as error:
        print(f"fintrack: {first_line(error)}", file=sys.stderr)
        return 1
