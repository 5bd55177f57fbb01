"""Judging a frame in context: verdicts with reasons, the camera's AF points, bursts and series."""
