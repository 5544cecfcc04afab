"""The version of lifecircle (also part of every cache key: new code rebuilds derived files)."""

__version__ = "0.1.0"
