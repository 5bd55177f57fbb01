"""Reviewer: cull a photo shoot by sharpness."""

__version__ = "0.1.0"
