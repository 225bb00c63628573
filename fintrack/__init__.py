"""fintrack: a self-hosted personal finance tracker."""

__version__ = "0.1.0"
