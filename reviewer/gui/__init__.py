"""The review window (Qt). Everything that reads disk or pixels runs in workers."""
