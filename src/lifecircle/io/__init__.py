"""Readers and writers: the only part of lifecircle that parses files."""
