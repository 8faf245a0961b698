"""A synthetic IATI 2.03 activity file, for the import benchmark and the streaming tests.

    python bench/iati_file.py --activities 10000 OUT.xml [--seed 7]

Every organisation in it is fictional: its name comes from :class:`seeds.names.SyntheticNames`
(reviewed word lists, never a real body) and its ref uses the ``ZZ`` prefix, an ISO 3166
user-assigned code no publisher has. Recipient countries are UN Member States, sectors real
DAC codes. The same seed and size give the same bytes.

The file is written activity by activity, never held whole, so a file of millions of
activities costs no memory. What it holds, so that a benchmark imports it without problems
given :data:`MAPPING` (``--mapping OUT.toml`` writes it):

- one activity in ten is an Activity under an earlier programme (``related-activity`` type 1);
- each has a funder (role 1) with an incoming commitment (type 11) in USD or EUR, one to three
  implementers (role 4), an accountable organisation (role 2, left out with a note), two
  recipient countries, a sector (mapped or not) and one to three results.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from graph.reference import member_states
from seeds.names import SyntheticNames

#: The mapping file that imports a generated file without problems.
MAPPING = """\
# Mapping for bench/iati_file.py's synthetic files.
[currency]
EUR = 1.08

[sectors]
"15210" = "theme-pcve"
"15220" = "theme-hr-rol"
"15130" = "theme-hr-rol"
"152" = "theme-pcve"

[regions]
"289" = ["ro-au"]
"""

#: DAC 5-digit purpose codes the file uses: the first four are mapped in MAPPING.
SECTORS = ("15210", "15220", "15130", "15110", "15170", "16010")
#: (IATI OrganisationType code, node kind for the names) of the generated organisations.
ORG_TYPES = (
    (21, "CivilSocietyOrganization"),
    (22, "CivilSocietyOrganization"),
    (60, "OtherNonStateActor"),
    (70, "Company"),
    (80, "AcademicInstitution"),
    (90, "OtherNonStateActor"),
)


class _Org:
    __slots__ = ("name", "ref", "type")

    def __init__(self, ref: str, type_: int, name: str) -> None:
        self.ref, self.type, self.name = ref, type_, name


def organisations(seed: int, count: int) -> list[_Org]:
    rng = random.Random(f"iati bench orgs {seed}")
    names = SyntheticNames(seed)
    out = []
    for i in range(count):
        type_, kind = rng.choice(ORG_TYPES)
        out.append(_Org(f"ZZ-BENCH-{seed}-ORG-{i:06d}", type_, names.make(kind)))
    return out


def _org(org: _Org, role: int) -> str:
    return (
        f'  <participating-org ref="{org.ref}" type="{org.type}" role="{role}">'
        f"<narrative>{escape(org.name)}</narrative></participating-org>\n"
    )


def activity(
    i: int,
    rng: random.Random,
    orgs: list[_Org],
    countries: list[str],
    seed: int,
    parent: int | None = None,
) -> str:
    """One activity's XML; with ``parent``, an Activity under that (programme) activity."""
    ident = f"ZZ-BENCH-{seed}-{i:07d}"
    start = f"{rng.randrange(2015, 2025)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    end = f"{int(start[:4]) + rng.randrange(1, 5)}{start[4:]}"
    currency = rng.choice(("USD", "EUR"))
    funder, accountable = rng.choice(orgs), rng.choice(orgs)
    parts = [
        f'<iati-activity xml:lang="en" default-currency="{currency}">\n',
        f"  <iati-identifier>{ident}</iati-identifier>\n",
        '  <reporting-org ref="ZZ-BENCH-REPORTER" type="40">'
        "<narrative>Synthetic reporter</narrative></reporting-org>\n",
        f"  <title><narrative>Synthetic programme {i}</narrative></title>\n",
        f'  <description type="1"><narrative>Synthetic activity {i} for benchmarks; '
        "illustrative, not a real activity.</narrative></description>\n",
        _org(funder, 1),
        _org(accountable, 2),
        *(_org(rng.choice(orgs), 4) for _ in range(rng.randrange(1, 4))),
        '  <activity-status code="2"/>\n',
        f'  <activity-date type="1" iso-date="{start}"/>\n',
        f'  <activity-date type="3" iso-date="{end}"/>\n',
        *(f'  <recipient-country code="{c}" percentage="50"/>\n' for c in rng.sample(countries, 2)),
        f'  <sector vocabulary="1" code="{rng.choice(SECTORS)}"/>\n',
        '  <transaction><transaction-type code="11"/>'
        f'<transaction-date iso-date="{start}"/>'
        f'<value value-date="{start}">{rng.randrange(10, 5000) * 1000}</value>'
        f'<provider-org ref="{funder.ref}"><narrative>{escape(funder.name)}</narrative>'
        "</provider-org></transaction>\n",
    ]
    if parent is not None:
        parts.append(f'  <related-activity ref="ZZ-BENCH-{seed}-{parent:07d}" type="1"/>\n')
    for n in range(rng.randrange(1, 4)):
        parts.append(
            f'  <result type="{rng.choice((1, 2, 3))}" aggregation-status="0">'
            f"<title><narrative>Result {n + 1} of activity {i}</narrative></title></result>\n"
        )
    parts.append("</iati-activity>\n")
    return "".join(parts)


def _is_programme(i: int, seed: int) -> bool:
    """Whether activity ``i`` has no parent (one in ten has one, never the first ten)."""
    return i <= 10 or random.Random(f"iati bench parent {seed} {i}").random() >= 0.1


def _parent_of(i: int, seed: int) -> int:
    """An earlier activity that is a programme: an Activity cannot be PART_OF an Activity."""
    parent = random.Random(f"iati bench parent of {seed} {i}").randrange(1, i)
    while not _is_programme(parent, seed):
        parent -= 1
    return parent


def activities(count: int, seed: int = 7) -> Iterator[str]:
    """The file's text, in pieces."""
    orgs = organisations(seed, max(10, count // 5))
    countries = sorted(ref.iso2 for ref in member_states().values())
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<iati-activities version="2.03" generated-datetime="2026-01-31T00:00:00Z">\n'
        "<!-- Synthetic, illustrative data: every organisation is fictional. -->\n"
    )
    for i in range(1, count + 1):
        rng = random.Random(f"iati bench activity {seed} {i}")
        parent = None if _is_programme(i, seed) else _parent_of(i, seed)
        yield activity(i, rng, orgs, countries, seed, parent)
    yield "</iati-activities>\n"


def write(out: IO[str], count: int, seed: int = 7) -> None:
    for piece in activities(count, seed):
        out.write(piece)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the XML file to write")
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mapping", type=Path, help="also write the mapping file here")
    args = parser.parse_args(argv)
    with args.out.open("w", encoding="utf-8") as out:
        write(out, args.activities, args.seed)
    if args.mapping:
        args.mapping.write_text(MAPPING, encoding="utf-8")
    print(f"{args.activities:,} activities -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
