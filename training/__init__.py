"""Training pipeline of the `learned` scorer (numpy only; see training/README.md)."""
