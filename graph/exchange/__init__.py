"""Import and export in the JSON Lines format of Neo4j APOC (``apoc.export.json`` /
``apoc.import.json``), and in GraphML (for Gephi and similar tools, and back).

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
- :mod:`graph.exchange.importer`: importing a file, from reading to the atomic write.
"""

from graph.exchange.graphml import GRAPHML_NS, LIST_SEPARATOR, export_graphml, read_graphml
from graph.exchange.importer import (
    FORMATS,
    Format,
    format_for,
    import_file,
)
from graph.exchange.jsonl import export_jsonl, parse_lines, read_jsonl, record_to_json
from graph.exchange.problems import DEFAULT_MAX_PROBLEMS, Progress

__all__ = [
    "DEFAULT_MAX_PROBLEMS",
    "FORMATS",
    "GRAPHML_NS",
    "LIST_SEPARATOR",
    "Format",
    "Progress",
    "export_graphml",
    "export_jsonl",
    "format_for",
    "import_file",
    "parse_lines",
    "read_graphml",
    "read_jsonl",
    "record_to_json",
]
