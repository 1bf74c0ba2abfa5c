"""Spelling accuracy and speed against pyspellchecker and symspellpy: `python -m bench.spell`."""
