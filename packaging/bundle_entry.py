"""Entry point of the PyInstaller bundle (packaging/reviewer.spec)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The scoring workers come from a forkserver (spawn on macOS/Windows): in a frozen app those
    # processes re-run this executable, and freeze_support() hands them to multiprocessing
    # before the CLI sees their arguments.
    multiprocessing.freeze_support()
    from reviewer.cli import main

    sys.exit(main())
