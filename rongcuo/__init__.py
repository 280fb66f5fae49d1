"""Rongcuo 容错纠错: policies as code and case management for the cadre error-tolerance mechanism."""

__version__ = "0.1.0"
