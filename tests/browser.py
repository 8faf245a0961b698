"""Flags for Debian's chromium as root on this kind of machine (no sandbox, offline), shared by
every browser test. Playwright adds --headless and a fresh temporary --user-data-dir itself."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
