"""The command line's handlers, one module per area; `fintrack.__main__` builds the parser."""
