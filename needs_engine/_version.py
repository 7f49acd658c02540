"""The engine version, recorded in every assessment."""

__version__ = "0.1.0"
