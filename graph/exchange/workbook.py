"""Opening an Excel workbook someone sent: read-only and streamed, after checking what it
unpacks to.

An ``.xlsx`` is a zip of XML parts. openpyxl's read-only mode streams rows, so memory stays
small, but a few megabytes can declare gigabytes of XML (a zip bomb) that would keep a worker
thread busy long after its request's deadline: the declared sizes are checked first. Python's
zipfile never reads past a member's declared size, so the check holds.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any, Final

#: Most a workbook may unpack to, in bytes, and in multiples of its own size. Real workbooks
#: unpack to 5-20 times their size; a zip bomb to thousands.
MAX_UNPACKED: Final = 4_000_000_000
MAX_RATIO: Final = 200

#: What opening a file that is not a usable workbook raises.
WORKBOOK_ERRORS: Final = (OSError, zipfile.BadZipFile, KeyError, ValueError)


def open_workbook(path: Path) -> Any:
    """An openpyxl workbook in read-only mode (close it when done). Raises ``ValueError``
    naming the sizes for a workbook that unpacks to too much, and one of
    :data:`WORKBOOK_ERRORS` for a file that is no workbook."""
    from openpyxl import load_workbook  # loaded when first needed, as the readers are

    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    size = max(path.stat().st_size, 1)
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * size:
        raise ValueError(
            f"it unpacks to {unpacked:,} bytes, {unpacked // size}x its size of {size:,}: "
            "refused as a likely zip bomb"
        )
    with warnings.catch_warnings():  # unsupported extensions (Excel's validations) are dropped
        warnings.simplefilter("ignore", UserWarning)
        return load_workbook(path, read_only=True, data_only=True)
