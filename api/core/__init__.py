"""What every API area does the same way, in one place (see docs/ARCHITECTURE.md)."""
