"""Import and export: the JSON Lines format of Neo4j APOC (``apoc.export.json`` /
``apoc.import.json``) and GraphML (for Gephi and similar tools, and back), partnernet's own;
and the formats of the field that data arrives in: IATI activity XML, HXL-tagged 3W sheets
and the CSV/XLSX templates (docs/DATA_FORMAT.md).

A file is read and validated whole before anything is written, then applied as one atomic
batch, so a bad line anywhere imports nothing. A file with problems raises
:class:`graph.errors.InvalidFile` listing every problem found, up to a bound
(:data:`DEFAULT_MAX_PROBLEMS`), each naming ``FILE:LINE``, the reason and the field: syntax and
shape, property rules, references, conflicts with stored data and the results-chain rules.

One idea a module:

- :mod:`graph.exchange.jsonl`: JSON Lines, reading and writing;
- :mod:`graph.exchange.graphml`: GraphML, reading and writing;
- :mod:`graph.exchange.problems`: a file's problems, bounded and in line order, and finding
  them all again against the store once the file or the store refused the batch;
- :mod:`graph.exchange.iati`, :mod:`graph.exchange.hxl`, :mod:`graph.exchange.tabular`:
  the field's formats, read into upserts;
- :mod:`graph.exchange.mapping`: the mapping file of an import (codes and identifiers);
- :mod:`graph.exchange.importer`: importing a file, from reading to the atomic write or the
  dry run's report.
"""

from graph.exchange.graphml import GRAPHML_NS, LIST_SEPARATOR, export_graphml, read_graphml
from graph.exchange.importer import (
    FORMATS,
    Format,
    ImportReport,
    format_for,
    import_file,
    report_json,
    report_lines,
)
from graph.exchange.jsonl import export_jsonl, parse_lines, read_jsonl, record_to_json
from graph.exchange.mapping import ImportMapping, load_mapping
from graph.exchange.problems import DEFAULT_MAX_PROBLEMS, Progress

__all__ = [
    "DEFAULT_MAX_PROBLEMS",
    "FORMATS",
    "GRAPHML_NS",
    "LIST_SEPARATOR",
    "Format",
    "ImportMapping",
    "ImportReport",
    "Progress",
    "export_graphml",
    "export_jsonl",
    "format_for",
    "import_file",
    "load_mapping",
    "parse_lines",
    "read_graphml",
    "read_jsonl",
    "record_to_json",
    "report_json",
    "report_lines",
]
