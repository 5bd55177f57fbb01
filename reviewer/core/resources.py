"""Files the app ships in resources/models: the learned scorer's network, the face cascade."""

from __future__ import annotations

from pathlib import Path


def model_file(name: str) -> Path:
    """resources/models/NAME: beside the `reviewer` package in a source checkout, else
    reviewer/resources/models inside an installed package."""
    package = Path(__file__).resolve().parents[1]
    for candidate in (
        package.parent / "resources" / "models" / name,
        package / "resources" / "models" / name,
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"the model file {name} is missing")
