"""The IATI 2.03 activity reader (graph/exchange/iati.py): every element it maps, every problem
it reports (with its line, XPath and field), the notes of what it leaves out, and imports into
a real embedded store: idempotence, corrections, sensitivity defaults and streaming.

Every organisation in the fixtures is fictional (refs with the ``ZZ`` prefix, names from the
seed's word lists); only Member States and the reference regional organisations are real.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pydantic
import pytest

from bench.iati_file import MAPPING as BENCH_MAPPING
from bench.iati_file import write as write_bench_file
from graph.embedded import EmbeddedStore
from graph.errors import InvalidFile
from graph.exchange.iati import read_iati_file
from graph.exchange.importer import import_file
from graph.exchange.mapping import ImportMapping, SensitivityMapping, derived_id, load_mapping
from graph.exchange.problems import ProblemLog, Read
from graph.model import NodeKind, RelType, Role, relationship_id
from graph.reference import member_state_by_iso2, member_states
from graph.store import NodeWrite, RelWrite
from seeds.reference import reference_changes

FIXTURES = Path(__file__).parent / "fixtures" / "iati"
ACTIVITIES = FIXTURES / "activities.xml"
PROBLEMS = FIXTURES / "problems.xml"

MAPPING = ImportMapping(
    organisations={"ZZ-GOV-KE": "KEN"},
    sectors={"15210": "theme-pcve", "152": "theme-hr-rol"},
    regions={"289": ["ro-au"]},
    currency={"EUR": 1.1},
)

PROG = derived_id("iati", "ZZ-FIX-1")
CHILD = derived_id("iati", "ZZ-FIX-1-A")
PROG2 = derived_id("iati", "ZZ-FIX-2")
FDN, CSO, CO, RO = (derived_id("org", r) for r in ("ZZ-FDN-1", "ZZ-CSO-1", "ZZ-CO-1", "ZZ-RO-1"))
LAB = derived_id("org", "teal gannet policy lab")


def read(path: Path, mapping: ImportMapping = MAPPING) -> tuple[Read, ProblemLog]:
    log = ProblemLog(str(path))
    return read_iati_file(path, log, None, mapping), log


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The line of the ``nth`` occurrence of ``needle`` in a fixture."""
    hits = [i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if needle in line]
    return hits[nth - 1]


def nodes(r: Read) -> dict[str, NodeWrite]:
    return {c.id: c for c in r.changes if isinstance(c, NodeWrite)}


def rels(r: Read) -> dict[tuple[str, str, str], RelWrite]:
    """Relationships by (type, start, end); the reader writes one per triple and role here."""
    return {(str(c.type), c.start, c.end): c for c in r.changes if isinstance(c, RelWrite)}


def activity_file(tmp_path: Path, *activities: str, name: str = "small.xml") -> Path:
    """A small IATI file of the given ``iati-activity`` bodies (each with its identifier)."""
    body = "".join(
        f"<iati-activity>{textwrap.dedent(a).strip()}</iati-activity>\n" for a in activities
    )
    path = tmp_path / name
    path.write_text(f'<iati-activities version="2.03">\n{body}</iati-activities>\n', "utf-8")
    return path


# --------------------------------------------------------------------------- activities


def test_activity_is_a_programme_with_title_description_dates_and_location() -> None:
    r, log = read(ACTIVITIES)
    assert not log and r.complete
    prog = nodes(r)[PROG]
    assert prog.kind == NodeKind.PROGRAMME and prog.merge and not prog.stamp
    assert prog.props == {
        "name": "Fictional Community Resilience Programme",  # English wins; spaces collapsed
        "external_id": "ZZ-FIX-1",
        "description": "General description of the fictional programme.",  # type 1 wins
        "since": "2023-02-15",  # actual start wins over planned
        "until": "2025-12-31",  # planned end, there is no actual end
    }
    line = line_of(ACTIVITIES, "<iati-activity ")
    assert prog.where == f"{ACTIVITIES}:{line} /iati-activities/iati-activity[1]"
    assert log.line_of(prog.where) == line


def test_activity_with_a_parent_is_an_activity_part_of_the_parent_programme() -> None:
    r, _ = read(ACTIVITIES)
    child = nodes(r)[CHILD]
    assert child.kind == NodeKind.ACTIVITY
    assert child.props["since"] == "2023-05-02"
    assert child.props["until"] == "2023-05-03"  # actual end wins over planned end
    part_of = rels(r)[("PART_OF", CHILD, PROG)]  # the type-1 relation, not the type-2 one
    assert part_of.id == relationship_id(RelType.PART_OF, CHILD, PROG)
    assert not any(c.end == derived_id("iati", "ZZ-FIX-0") for c in rels(r).values())
    # An Activity's actors take part in it; PARTNERS_IN only targets programmes.
    took_part = rels(r)[("PARTICIPATED_IN", CSO, CHILD)]
    assert took_part.props == {"role": "IMPLEMENTING", "since": "2023-05-02", "until": "2023-05-03"}
    assert ("PARTNERS_IN", CSO, CHILD) not in rels(r)


def test_title_without_english_is_the_first_narrative() -> None:
    r, _ = read(ACTIVITIES)
    assert nodes(r)[PROG2].props == {"name": "Dialogue régional fictif", "external_id": "ZZ-FIX-2"}


def test_title_in_the_activity_default_language_beats_another_language(tmp_path: Path) -> None:
    path = tmp_path / "lang.xml"
    path.write_text(
        '<iati-activities><iati-activity xml:lang="fr"><iati-identifier>ZZ-L</iati-identifier>'
        '<title><narrative xml:lang="es">Título</narrative><narrative>Titre</narrative>'
        '</title></iati-activity><iati-activity xml:lang="EN-GB">'
        "<iati-identifier>ZZ-M</iati-identifier><title>"
        '<narrative xml:lang="fr">Titre</narrative><narrative>Title</narrative></title>'
        "</iati-activity></iati-activities>",
        "utf-8",
    )
    r, log = read(path)
    assert not log
    assert nodes(r)[derived_id("iati", "ZZ-L")].props["name"] == "Titre"
    assert nodes(r)[derived_id("iati", "ZZ-M")].props["name"] == "Title"


def test_activity_ids_are_derived_from_identifiers_that_are_not_ids(tmp_path: Path) -> None:
    path = activity_file(
        tmp_path,
        "<iati-identifier>ZZ-X/1 2</iati-identifier><title><narrative>T</narrative></title>",
    )
    r, log = read(path)
    assert not log
    (node,) = nodes(r).values()
    assert node.id == derived_id("iati", "ZZ-X/1 2") != "iati:ZZ-X/1 2"
    assert node.props["external_id"] == "ZZ-X/1 2"


# --------------------------------------------------------------------------- organisations


def test_organisation_types_give_kinds_and_props() -> None:
    r, _ = read(ACTIVITIES)
    found = nodes(r)
    assert found[FDN].kind == NodeKind.OTHER_NON_STATE_ACTOR
    assert found[FDN].props == {
        "actor_type": "FOUNDATION",
        "name": "Hushed Linden Trust",
        "external_id": "ZZ-FDN-1",
        "iati_org_type": 60,
    }
    assert found[CSO].kind == NodeKind.CIVIL_SOCIETY_ORGANIZATION
    assert found[LAB].kind == NodeKind.ACADEMIC_INSTITUTION  # no @ref: id from its name
    assert found[LAB].props == {"name": "Teal Gannet Policy Lab", "iati_org_type": 80}
    # No @type: the untyped kind; no name: a new node is named after its ref.
    assert found[CO].kind == NodeKind.OTHER_NON_STATE_ACTOR
    assert found[CO].props == {"external_id": "ZZ-CO-1"}
    assert found[CO].defaults == {"name": "ZZ-CO-1", "sensitivity": "RESTRICTED"}
    assert found[RO].kind == NodeKind.REGIONAL_ORGANIZATION
    assert found[RO].props["name"] == "Organisation régionale fictive"


def test_mapped_organisation_gets_only_its_relationship() -> None:
    r, _ = read(ACTIVITIES)
    assert "KEN" not in nodes(r)
    assert not any("ZZ-GOV-KE" in c.id for c in r.changes)
    assert rels(r)[("PARTNERS_IN", "KEN", PROG)].props["role"] == "FUNDING"


def test_organisation_is_written_once_where_it_first_appears() -> None:
    r, _ = read(ACTIVITIES)
    written = Counter(c.id for c in r.changes if isinstance(c, NodeWrite))
    assert written[CSO] == written[LAB] == written[FDN] == 1
    cso = nodes(r)[CSO]
    assert cso.props["name"] == "Mossy Avocet Youth Forum"  # not the later "(renamed)"
    assert str(cso.where).endswith(
        f"{line_of(ACTIVITIES, 'ZZ-CSO-1')} /iati-activities/iati-activity[1]/participating-org[3]"
    )
    # The same name in other case and spacing is the same organisation.
    assert rels(r)[("PARTNERS_IN", LAB, PROG2)].props == {"role": "IMPLEMENTING"}


def test_new_non_state_actors_are_restricted_and_intergovernmental_ones_are_not() -> None:
    r, _ = read(ACTIVITIES)
    found = nodes(r)
    for node_id in (FDN, CSO, LAB, CO):
        assert found[node_id].defaults["sensitivity"] == "RESTRICTED"
        assert "sensitivity" not in found[node_id].props  # a stored actor keeps its own
    assert "sensitivity" not in found[RO].defaults


def test_mapping_can_make_new_actors_public_by_ref_or_id() -> None:
    mapping = MAPPING.model_copy(
        update={"sensitivity": SensitivityMapping(public=frozenset({"ZZ-CSO-1", LAB}))}
    )
    found = nodes(read(ACTIVITIES, mapping)[0])
    assert found[CSO].defaults["sensitivity"] == "PUBLIC"
    assert found[LAB].defaults["sensitivity"] == "PUBLIC"
    assert found[FDN].defaults["sensitivity"] == "RESTRICTED"


# --------------------------------------------------------------------------- partnerships


def test_roles_become_partnerships_with_the_activity_dates() -> None:
    r, _ = read(ACTIVITIES)
    found = rels(r)
    implementing = found[("PARTNERS_IN", CSO, PROG)]
    assert implementing.id == relationship_id(RelType.PARTNERS_IN, CSO, PROG, "IMPLEMENTING")
    assert implementing.props == {
        "role": "IMPLEMENTING",
        "since": "2023-02-15",
        "until": "2025-12-31",
    }
    assert implementing.merge
    assert str(implementing.where).endswith("/iati-activity[1]/participating-org[3]")
    partners = {(c.start, c.props["role"]) for c in r.changes if isinstance(c, RelWrite)
                if c.type == RelType.PARTNERS_IN and c.end == PROG}  # fmt: skip
    assert partners == {
        ("KEN", "FUNDING"),
        (FDN, "FUNDING"),
        (CSO, "IMPLEMENTING"),  # its Accountable role (2) is no partnership
        (LAB, "IMPLEMENTING"),
        (CO, "IMPLEMENTING"),
        (RO, "IMPLEMENTING"),
    }


def test_mapping_roles_decide_which_roles_are_partnerships() -> None:
    mapping = MAPPING.model_copy(
        update={"roles": {"1": Role.FUNDING, "2": Role.ADVISORY, "4": None}}
    )
    r, _ = read(ACTIVITIES, mapping)
    assert rels(r)[("PARTNERS_IN", CSO, PROG)].props["role"] == "ADVISORY"
    assert ("PARTNERS_IN", LAB, PROG) not in rels(r)
    note = "participating-org role 4 (Implementing) is not mapped to a partnership role: left out"
    assert r.notes[note] == 6  # four in the programme, one in the activity, one in ZZ-FIX-2


def test_funding_amount_is_the_sum_of_incoming_commitments_in_usd() -> None:
    found = rels(read(ACTIVITIES)[0])
    # 100000 in the activity's default currency EUR, at 1.1 USD per EUR.
    assert found[("PARTNERS_IN", "KEN", PROG)].props["amount"] == 110000.0
    # Two commitments (50000 + 25000.50 USD); the incoming funds (20000) are not added.
    assert found[("PARTNERS_IN", FDN, PROG)].props["amount"] == 75000.5
    assert "amount" not in found[("PARTNERS_IN", CSO, PROG)].props  # not a funder


def test_incoming_funds_count_when_there_is_no_commitment(tmp_path: Path) -> None:
    path = activity_file(
        tmp_path,
        """
        <iati-identifier>ZZ-F</iati-identifier><title><narrative>T</narrative></title>
        <participating-org ref="ZZ-FDN-2" type="60" role="1">
          <narrative>Slate Dunlin Fund</narrative></participating-org>
        <participating-org type="21" role="1">
          <narrative>Amber Heron Youth Forum</narrative></participating-org>
        <transaction><transaction-type code="1"/><value currency="USD">1000</value>
          <provider-org ref="ZZ-FDN-2"/></transaction>
        <transaction><transaction-type code="1"/><value currency="usd">500.25</value>
          <provider-org ref="ZZ-FDN-2"/></transaction>
        <transaction><transaction-type code="2"/><value currency="USD">999</value>
          <provider-org ref="ZZ-FDN-2"/></transaction>
        <transaction><transaction-type code="11"/><value currency="USD">42</value>
          <provider-org><narrative>Amber  Heron Youth Forum</narrative></provider-org>
        </transaction>
        <transaction><transaction-type code="11"/><value currency="USD">7</value></transaction>
        """,
    )
    r, log = read(path)
    assert not log
    prog = derived_id("iati", "ZZ-F")
    found = rels(r)
    assert found[("PARTNERS_IN", derived_id("org", "ZZ-FDN-2"), prog)].props["amount"] == 1500.25
    forum = derived_id("org", "amber heron youth forum")  # matched by name: no @ref
    assert found[("PARTNERS_IN", forum, prog)].props["amount"] == 42.0
    assert r.notes == Counter({"incoming transactions without a provider-org: not counted": 1})


def test_amounts_of_an_activity_with_a_parent_are_noted_not_kept() -> None:
    r, _ = read(ACTIVITIES)
    assert rels(r)[("PARTICIPATED_IN", FDN, CHILD)].props == {
        "role": "FUNDING",
        "since": "2023-05-02",
        "until": "2023-05-03",
    }
    assert r.notes["amounts of an activity with a parent are not kept: left out"] == 1


# --------------------------------------------------------------------------- places, themes


def test_recipient_countries_and_regions_are_targets() -> None:
    r, _ = read(ACTIVITIES)
    targets = {(c.start, c.end) for c in r.changes if isinstance(c, RelWrite)
               if c.type == RelType.TARGETS}  # fmt: skip
    assert targets == {
        (PROG, "KEN"),
        (PROG, "SOM"),
        (PROG, "ro-au"),  # region 289 by the mapping
        (CHILD, "KEN"),
        (PROG2, "KEN"),  # "ke": codes are read without case
    }
    assert str(rels(r)[("TARGETS", PROG, "SOM")].where).endswith("recipient-country[2]")


def test_dac_sectors_address_mapped_thematic_areas() -> None:
    r, _ = read(ACTIVITIES)
    addresses = {(c.start, c.end) for c in r.changes if isinstance(c, RelWrite)
                 if c.type == RelType.ADDRESSES}  # fmt: skip
    # 15210 (vocabulary 1, the default too) and 152 (vocabulary 2, DAC 3-digit).
    assert addresses == {(PROG, "theme-pcve"), (PROG, "theme-hr-rol"), (CHILD, "theme-pcve")}


def test_same_target_twice_is_one_relationship(tmp_path: Path) -> None:
    path = activity_file(
        tmp_path,
        """
        <iati-identifier>ZZ-T</iati-identifier><title><narrative>T</narrative></title>
        <recipient-country code="KE"/><recipient-region code="289"/><recipient-region code="1"/>
        """,
    )
    mapping = MAPPING.model_copy(update={"regions": {"289": ["ro-au", "KEN"], "1": ["ro-au"]}})
    r, _ = read(path, mapping)
    targets = [c.end for c in r.changes if isinstance(c, RelWrite)]
    assert sorted(targets) == ["KEN", "ro-au"]


# --------------------------------------------------------------------------- results


def test_results_are_outcomes_produced_by_the_programme() -> None:
    r, _ = read(ACTIVITIES)
    found = nodes(r)
    output = derived_id("iati", "ZZ-FIX-1/result/1")
    outcome = derived_id("iati", "ZZ-FIX-1/result/2")
    assert found[output].kind == NodeKind.OUTCOME
    assert found[output].props == {"name": "Fictional youth mentors trained", "level": "OUTPUT"}
    assert found[outcome].props == {
        "name": "Fictional community trust improved",
        "level": "OUTCOME",
        "description": "Measured by a fictional survey.",
    }
    assert derived_id("iati", "ZZ-FIX-1/result/3") not in found  # type 9: no level
    produced = rels(r)[("PRODUCED", PROG, outcome)]
    assert produced.props == {"share": 1.0}
    assert str(produced.where).endswith("/iati-activities/iati-activity[1]/result[2]")
    assert rels(r)[("PRODUCED", CHILD, derived_id("iati", "ZZ-FIX-1-A/result/1"))]


def test_result_share_comes_from_the_mapping() -> None:
    r, _ = read(ACTIVITIES, MAPPING.model_copy(update={"result_share": 0.25}))
    shares = {c.props["share"] for c in r.changes if isinstance(c, RelWrite)
              if c.type == RelType.PRODUCED}  # fmt: skip
    assert shares == {0.25}


def test_impact_result(tmp_path: Path) -> None:
    path = activity_file(
        tmp_path,
        """
        <iati-identifier>ZZ-I</iati-identifier><title><narrative>T</narrative></title>
        <result type="3"><title><narrative>Fictional impact</narrative></title></result>
        """,
    )
    outcome = nodes(read(path)[0])[derived_id("iati", "ZZ-I/result/1")]
    assert outcome.kind == NodeKind.OUTCOME
    assert outcome.props == {"name": "Fictional impact", "level": "IMPACT"}


# --------------------------------------------------------------------------- notes


def test_what_is_left_out_is_counted_in_notes() -> None:
    r, _ = read(ACTIVITIES)
    assert r.notes == Counter(
        {
            "participating-org role 2 (Accountable) is not mapped to a partnership role: "
            "left out": 1,
            "participating-org role 3 (Extending) is not mapped to a partnership role: left out": 1,
            "incoming transactions from ZZ-CSO-1, which is not a funding participating-org of "
            "the activity: not counted": 1,
            "recipient-region 998 (vocabulary 1) is not mapped to a target: left out": 1,
            "sector 99810 (vocabulary 1) is not mapped to a thematic area: left out": 1,
            "sector LOCAL-1 (vocabulary 99) is not mapped to a thematic area: left out": 1,
            "results of type 9 (Other) have no results-chain level: left out": 1,
            "amounts of an activity with a parent are not kept: left out": 1,
        }
    )


def test_without_a_mapping_sectors_and_regions_are_notes_not_problems() -> None:
    r, log = read(
        ACTIVITIES, ImportMapping(organisations={"ZZ-GOV-KE": "KEN"}, currency={"EUR": 1})
    )
    assert not log
    assert not any(c.type in (RelType.ADDRESSES,) for c in r.changes if isinstance(c, RelWrite))
    assert r.notes["sector 15210 (vocabulary 1) is not mapped to a thematic area: left out"] == 2
    assert r.notes["recipient-region 289 (vocabulary 1) is not mapped to a target: left out"] == 1


def test_long_description_is_cut_short_with_a_note(tmp_path: Path) -> None:
    text = "word " * 1500
    path = activity_file(
        tmp_path,
        f"<iati-identifier>ZZ-D</iati-identifier><title><narrative>T</narrative></title>"
        f"<description><narrative>{text}</narrative></description>",
    )
    r, log = read(path)
    assert not log
    description = nodes(r)[derived_id("iati", "ZZ-D")].props["description"]
    assert len(description) == 5000 and description.endswith("…")
    assert r.notes == Counter({"descriptions longer than 5000 characters are cut short": 1})


# --------------------------------------------------------------------------- problems


def _problems(log: ProblemLog) -> list[tuple[int | None, str, str | None, str]]:
    """(line, XPath, field, message) of each problem, in line order."""
    out = []
    for p in log.error().problems:
        assert p.where is not None
        where, _, xpath = p.where.partition(" ")
        assert where == f"{log.source}:{p.line}"
        out.append((p.line, xpath, p.field, p.message))
    return out


def test_every_problem_names_its_line_xpath_and_field() -> None:
    r, log = read(PROBLEMS)
    assert r.complete
    L = lambda needle, nth=1: line_of(PROBLEMS, needle, nth)  # noqa: E731
    act = "/iati-activities/iati-activity"
    assert _problems(log) == [
        (L("<iati-activity default-currency"), f"{act}[1]", "iati-identifier",
         "the activity has no iati-identifier"),
        (L("<iati-activity>", 1), f"{act}[2]", "title/narrative",
         "activity ZZ-BAD-2 has no title"),
        (L("<iati-activity>", 3), f"{act}[4]", "iati-identifier",
         f"activity ZZ-BAD-3 is in the file twice (first on line {L('<iati-activity>', 2)}); "
         "this one is left out"),
        (L("ZZ-GOV-XX"), f"{act}[5]/participating-org[1]", "participating-org/@ref",
         "government organisation ZZ-GOV-XX (Fictional Ministry of Nowhere) must be mapped to "
         "a Member State in the mapping file's [organisations] table"),
        (L("ZZ-ODD-1"), f"{act}[5]/participating-org[2]", "participating-org/@type",
         "organisation ZZ-ODD-1 (Placid Kestrel Alliance): '99' is not an IATI "
         "OrganisationType code"),
        (L('<participating-org role="4"/>'), f"{act}[5]/participating-org[3]",
         "participating-org/@ref", "participating-org has neither a @ref nor a name"),
        (L("2023-13-01"), f"{act}[6]/activity-date[1]", "activity-date/@iso-date",
         "'2023-13-01' is not a date (YYYY-MM-DD)"),
        (L("GBP"), f"{act}[6]/transaction[1]", "transaction/value/@currency",
         "no exchange rate for GBP: give US dollars per unit in the mapping file's [currency] "
         "table (reported once, where it is first used)"),
        (L("a lot"), f"{act}[6]/transaction[3]", "transaction/value",
         "transaction value 'a lot' is not a number"),
        (L("<value>500"), f"{act}[6]/transaction[4]", "transaction/value/@currency",
         "the transaction value has no @currency and the activity no @default-currency"),
        (L('code="XK"'), f"{act}[7]/recipient-country[1]", "recipient-country/@code",
         "recipient-country 'XK' is not the ISO 3166-1 alpha-2 code of a UN Member State (a "
         "territory can be mapped in the mapping's [countries])"),
        (L('result type="7"'), f"{act}[7]/result[1]", "result/@type",
         "result type '7' is not 1 (output), 2 (outcome), 3 (impact) or 9 (other)"),
        (L('result type="1"'), f"{act}[7]/result[2]", "result/title/narrative",
         "the result has no title"),
        (L("2023-06-01"), f"{act}[9]/activity-date[2]", "activity-date/@iso-date",
         "the activity ends (2023-06-01) before it starts (2024-06-01)"),
    ]  # fmt: skip


def test_records_with_problems_are_refused_not_written() -> None:
    r, _ = read(PROBLEMS)
    assert r.refused == {
        derived_id("iati", "ZZ-BAD-2"): NodeKind.PROGRAMME,
        derived_id("org", "ZZ-GOV-XX"): None,
        derived_id("org", "ZZ-ODD-1"): None,
        derived_id("iati", "ZZ-BAD-6/result/2"): NodeKind.OUTCOME,
        derived_id("iati", "ZZ-BAD-8"): NodeKind.PROGRAMME,
    }
    written = {c.id for c in r.changes}
    assert not written & set(r.refused)
    ids = {c.id for c in r.changes if isinstance(c, NodeWrite)}
    # The first ZZ-BAD-3 is written, the second (and only its title) is not.
    bad3 = [c for c in r.changes if c.id == derived_id("iati", "ZZ-BAD-3")]
    assert [c.props["name"] for c in bad3 if isinstance(c, NodeWrite)] == ["Fictional first of two"]
    # A funder whose amount had a problem gets no partnership.
    assert not any(isinstance(c, RelWrite) and c.start == derived_id("org", "ZZ-FDN-9")
                   for c in r.changes)  # fmt: skip
    assert derived_id("org", "ZZ-FDN-9") in ids


def test_a_problem_one_mapping_entry_fixes_is_reported_once() -> None:
    _, log = read(PROBLEMS)
    messages = [p.message for p in log.error().problems]
    assert sum("ZZ-GOV-XX" in m for m in messages) == 1  # in two activities
    assert sum("GBP" in m for m in messages) == 1  # in three transactions


def test_mapping_fixes_government_and_currency_problems(tmp_path: Path) -> None:
    path = activity_file(
        tmp_path,
        """
        <iati-identifier>ZZ-G</iati-identifier><title><narrative>T</narrative></title>
        <participating-org ref="ZZ-GOV-XX" type="10" role="1"/>
        <transaction><transaction-type code="11"/><value currency="GBP">10</value>
          <provider-org ref="ZZ-GOV-XX"/></transaction>
        """,
    )
    mapping = ImportMapping(organisations={"ZZ-GOV-XX": "SOM"}, currency={"GBP": 1.25})
    r, log = read(path, mapping)
    assert not log
    assert rels(r)[("PARTNERS_IN", "SOM", derived_id("iati", "ZZ-G"))].props["amount"] == 12.5


@pytest.mark.parametrize("code", ["11", "15"])
def test_other_government_types_must_be_mapped_too(tmp_path: Path, code: str) -> None:
    path = activity_file(
        tmp_path,
        f"""
        <iati-identifier>ZZ-G</iati-identifier><title><narrative>T</narrative></title>
        <participating-org ref="ZZ-LG-1" type="{code}" role="4"/>
        """,
    )
    _, log = read(path)
    ((line, xpath, fld, message),) = _problems(log)
    assert message.startswith("government organisation ZZ-LG-1 must be mapped")
    assert line == line_of(path, "ZZ-LG-1")
    assert xpath == "/iati-activities/iati-activity[1]/participating-org[1]"
    assert fld == "participating-org/@ref"


async def test_planning_reports_a_parent_that_is_nowhere(seeded: EmbeddedStore) -> None:
    before = await seeded.revision()
    with pytest.raises(InvalidFile) as caught:
        await import_file(seeded, PROBLEMS, fmt="iati", mapping=MAPPING)
    problems = caught.value.problems
    last = problems[-1]
    line = line_of(PROBLEMS, "ZZ-BAD-9") - 1  # the PART_OF is the activity's own
    assert (last.line, last.field) == (line, "end")
    assert last.where == f"{PROBLEMS}:{line} /iati-activities/iati-activity[10]"
    assert last.message == f"end node {derived_id('iati', 'ZZ-NOWHERE')!r} does not exist"
    # The reader's problems come first, each once; nothing was written.
    assert len(problems) == len(_problems(read(PROBLEMS)[1])) + 1
    assert await seeded.revision() == before


def test_malformed_xml_is_reported_where_it_breaks() -> None:
    path = FIXTURES / "malformed.xml"
    r, log = read(path)
    assert not r.complete
    ((line, xpath, fld, message),) = _problems(log)
    assert line == line_of(path, "Fictional broken activity") and xpath == "" and fld is None
    assert message.startswith("not well-formed XML (Opening and ending tag mismatch")
    assert message.endswith("; nothing after this line was read")
    assert not any("ZZ-MAL-3" in c.id for c in r.changes)


def test_a_doctype_is_refused_and_no_entity_is_read() -> None:
    r, log = read(FIXTURES / "doctype.xml")
    assert not r.complete and r.changes == []
    ((line, _, _, message),) = _problems(log)
    assert (line, message) == (1, "a DOCTYPE is not allowed in an IATI file; nothing was read")


def test_an_organisation_file_is_not_an_activity_file() -> None:
    _, log = read(FIXTURES / "organisations.xml")
    ((line, _, _, message),) = _problems(log)
    assert line == 1
    assert message == (
        "not an IATI activity file: the root element is <iati-organisations>, not <iati-activities>"
    )


def test_an_empty_activity_file_is_read_without_problems(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text('<?xml version="1.0"?>\n<iati-activities version="2.03"/>\n', "utf-8")
    r, log = read(path)
    assert not log and r.complete and r.changes == []


def test_bad_encoding_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "latin.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities>\n<iati-activity>'
        b"<iati-identifier>ZZ-E</iati-identifier><title><narrative>Caf\xe9</narrative></title>"
        b"</iati-activity></iati-activities>"
    )
    r, log = read(path)
    assert not r.complete
    ((line, _, _, message),) = _problems(log)
    assert line == 3 and message.startswith("not well-formed XML")


def test_progress_counts_activities() -> None:
    calls: list[int] = []
    read_iati_file(ACTIVITIES, ProblemLog(str(ACTIVITIES)), calls.append, MAPPING)
    assert calls == [1, 1, 1]


# --------------------------------------------------------------------------- in a store


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    """An embedded store holding the reference data (Member States, themes, regional bodies)."""
    store = EmbeddedStore(tmp_path / "graph.db")
    await store.open()
    await store.apply(list(reference_changes()))
    yield store
    await store.close()


async def _node(store: EmbeddedStore, node_id: str) -> dict[str, Any]:
    (found,) = await store.get_nodes([node_id])
    assert found is not None, node_id
    return dict(found.props)


async def _rel(
    store: EmbeddedStore, rel_type: RelType, start: str, end: str, *d: str
) -> dict[str, Any]:
    (found,) = await store.get_relationships([relationship_id(rel_type, start, end, *d)])
    assert found is not None, (rel_type, start, end)
    return dict(found.props)


T1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


async def test_import_writes_the_file_into_the_store(seeded: EmbeddedStore) -> None:
    report = await import_file(seeded, ACTIVITIES, fmt="iati", mapping=MAPPING, now=T1)
    assert report.changed and report.notes == dict(read(ACTIVITIES)[0].notes)
    prog = await _node(seeded, PROG)
    assert prog["name"] == "Fictional Community Resilience Programme"
    assert prog["imported_from"] == "activities.xml"
    assert prog["imported_where"].endswith(" /iati-activities/iati-activity[1]")
    funding = await _rel(seeded, RelType.PARTNERS_IN, "KEN", PROG, "FUNDING")
    assert funding["amount"] == 110000.0 and funding["since"] == "2023-02-15"
    assert (await _node(seeded, CSO))["sensitivity"] == "RESTRICTED"
    assert (await _node(seeded, CO))["name"] == "ZZ-CO-1"
    assert (await _node(seeded, RO))["sensitivity"] == "PUBLIC"
    await _rel(seeded, RelType.PART_OF, CHILD, PROG)
    await _rel(seeded, RelType.TARGETS, PROG, "ro-au")
    await _rel(seeded, RelType.ADDRESSES, PROG, "theme-hr-rol")
    produced = await _rel(seeded, RelType.PRODUCED, PROG, derived_id("iati", "ZZ-FIX-1/result/2"))
    assert produced["share"] == 1.0


async def test_importing_twice_changes_nothing(seeded: EmbeddedStore) -> None:
    first = await import_file(seeded, ACTIVITIES, fmt="iati", mapping=MAPPING, now=T1)
    assert first.nodes_written == 11 and first.relationships_written == 21
    revision = await seeded.revision()
    again = await import_file(seeded, ACTIVITIES, fmt="iati", mapping=MAPPING, now=T2)
    assert not again.changed
    assert again.nodes_written == again.relationships_written == 0
    assert await seeded.revision() == revision == again.revision
    assert (await _node(seeded, PROG))["imported_at"] == "2026-01-01T00:00:00Z"


async def test_a_corrected_file_changes_only_the_corrections(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    path = tmp_path / "activities.xml"
    text = ACTIVITIES.read_text("utf-8")
    path.write_text(text, "utf-8")
    await import_file(seeded, path, fmt="iati", mapping=MAPPING, now=T1)
    corrected = text.replace(">100000</value>", ">200000</value>").replace(
        "Fictional youth mentoring workshop", "Fictional youth mentoring workshops"
    )
    assert corrected.count("200000") == 1
    path.write_text(corrected, "utf-8")
    report = await import_file(seeded, path, fmt="iati", mapping=MAPPING, now=T2)
    assert report.nodes_written == 1 and report.relationships_written == 1
    assert report.nodes[NodeKind.ACTIVITY].updated == 1
    assert report.relationships[RelType.PARTNERS_IN].updated == 1
    funding = await _rel(seeded, RelType.PARTNERS_IN, "KEN", PROG, "FUNDING")
    assert funding["amount"] == 220000.0 and funding["imported_at"] == "2026-02-01T00:00:00Z"
    child = await _node(seeded, CHILD)
    assert child["name"] == "Fictional youth mentoring workshops"
    assert child["imported_at"] == "2026-02-01T00:00:00Z"
    other = await _rel(seeded, RelType.PARTNERS_IN, FDN, PROG, "FUNDING")
    assert other["imported_at"] == "2026-01-01T00:00:00Z"


async def test_corrected_dates_update_the_same_partnership(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    path = tmp_path / "activities.xml"
    text = ACTIVITIES.read_text("utf-8")
    path.write_text(text, "utf-8")
    await import_file(seeded, path, fmt="iati", mapping=MAPPING)
    path.write_text(text.replace('"2025-12-31"', '"2026-06-30"'), "utf-8")
    report = await import_file(seeded, path, fmt="iati", mapping=MAPPING)
    # The programme and its six partnerships end later; no relationship is added.
    assert report.nodes_written == 1 and report.relationships_written == 6
    assert all(c.created == 0 for c in report.relationships.values())
    assert (await _rel(seeded, RelType.PARTNERS_IN, CSO, PROG, "IMPLEMENTING"))["until"] == (
        "2026-06-30"
    )


async def test_an_existing_actor_keeps_its_sensitivity_and_other_props(
    seeded: EmbeddedStore,
) -> None:
    await seeded.apply(
        [
            NodeWrite(
                "CivilSocietyOrganization",
                CSO,
                {
                    "name": "Mossy Avocet Forum",
                    "sensitivity": "PUBLIC",
                    "focus_groups": ["YOUTH"],
                    "description": "Known before the import.",
                },
            )
        ]
    )
    await import_file(seeded, ACTIVITIES, fmt="iati", mapping=MAPPING)
    cso = await _node(seeded, CSO)
    assert cso["sensitivity"] == "PUBLIC"
    assert cso["focus_groups"] == ["YOUTH"] and cso["description"] == "Known before the import."
    assert cso["name"] == "Mossy Avocet Youth Forum" and cso["external_id"] == "ZZ-CSO-1"
    assert (await _node(seeded, FDN))["sensitivity"] == "RESTRICTED"  # new: restricted


async def test_mapping_public_makes_a_new_actor_public(seeded: EmbeddedStore) -> None:
    mapping = MAPPING.model_copy(
        update={"sensitivity": SensitivityMapping(public=frozenset({"ZZ-CSO-1"}))}
    )
    await import_file(seeded, ACTIVITIES, fmt="iati", mapping=mapping)
    assert (await _node(seeded, CSO))["sensitivity"] == "PUBLIC"
    assert (await _node(seeded, LAB))["sensitivity"] == "RESTRICTED"


async def test_an_organisation_mapped_to_an_existing_actor_is_not_rewritten(
    seeded: EmbeddedStore,
) -> None:
    await seeded.apply(
        [NodeWrite("CivilSocietyOrganization", "cso-known", {"name": "Quiet Wren Circle"})]
    )
    mapping = MAPPING.model_copy(
        update={"organisations": {**MAPPING.organisations, "ZZ-CSO-1": "cso-known"}}
    )
    await import_file(seeded, ACTIVITIES, fmt="iati", mapping=mapping)
    assert (await _node(seeded, "cso-known"))["name"] == "Quiet Wren Circle"
    assert (await seeded.get_nodes([CSO])) == [None]
    await _rel(seeded, RelType.PARTNERS_IN, "cso-known", PROG, "IMPLEMENTING")


async def test_a_parent_imported_before_is_found_in_the_store(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    await import_file(seeded, ACTIVITIES, fmt="iati", mapping=MAPPING)
    path = activity_file(
        tmp_path,
        """
        <iati-identifier>ZZ-FIX-1-B</iati-identifier>
        <title><narrative>Fictional visit</narrative></title>
        <related-activity ref="ZZ-FIX-1" type="1"/>
        """,
    )
    report = await import_file(seeded, path, fmt="iati", mapping=MAPPING)
    assert report.nodes_written == 1 and report.relationships_written == 1
    await _rel(seeded, RelType.PART_OF, derived_id("iati", "ZZ-FIX-1-B"), PROG)


# --------------------------------------------------------------------------- streaming


async def test_a_generated_file_of_thousands_of_activities_imports(
    seeded: EmbeddedStore, tmp_path: Path
) -> None:
    path, mapping_path = tmp_path / "bench.xml", tmp_path / "bench.toml"
    with path.open("w", encoding="utf-8") as out:
        write_bench_file(out, 2000, seed=3)
    mapping_path.write_text(BENCH_MAPPING, "utf-8")
    calls: list[int] = []
    report = await import_file(
        seeded, path, fmt="iati", mapping=load_mapping(mapping_path), progress=calls.append
    )
    assert sum(calls) == 2000
    programmes = report.nodes[NodeKind.PROGRAMME].created
    activities = report.nodes[NodeKind.ACTIVITY].created
    assert programmes + activities == 2000 and activities > 100
    assert report.relationships[RelType.PART_OF].created == activities
    assert report.relationships[RelType.TARGETS].created == 4000


def test_generated_files_are_deterministic_and_fictional(tmp_path: Path) -> None:
    def text(count: int, seed: int) -> str:
        path = tmp_path / f"{count}-{seed}.xml"
        with path.open("w", encoding="utf-8") as out:
            write_bench_file(out, count, seed=seed)
        return path.read_text("utf-8")

    first = text(50, 1)
    assert first == text(50, 1) != text(50, 2)
    refs = {line.split('ref="')[1].split('"')[0] for line in first.splitlines() if 'ref="' in line}
    assert refs and all(ref.startswith("ZZ-") for ref in refs)


def test_reading_streams_one_activity_at_a_time(tmp_path: Path) -> None:
    """The peak memory of reading a 60 MB file stays far below its size: the reader does not
    keep the tree. Measured as the process's peak resident size in a fresh interpreter
    (``tracemalloc`` does not see libxml2's allocations, where a kept tree would live); each
    activity carries a megabyte of text the reader does not use, so the records it returns are
    tiny and any growth is the tree's."""
    blob = "x" * 1_000_000
    big, small = tmp_path / "big.xml", tmp_path / "small.xml"
    with big.open("w", encoding="utf-8") as out:
        out.write("<iati-activities>\n")
        for i in range(60):
            out.write(
                f"<iati-activity><iati-identifier>ZZ-M-{i}</iati-identifier><title><narrative>"
                f"T</narrative></title><conditions><condition type='1'><narrative>{blob}"
                "</narrative></condition></conditions></iati-activity>\n"
            )
        out.write("</iati-activities>\n")
    small.write_text(
        "<iati-activities><iati-activity><iati-identifier>ZZ-W</iati-identifier><title>"
        f"<narrative>T</narrative></title><conditions><condition><narrative>{blob}</narrative>"
        "</condition></conditions></iati-activity></iati-activities>",
        "utf-8",
    )
    script = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        from graph.exchange.iati import read_iati_file
        from graph.exchange.mapping import ImportMapping
        from graph.exchange.problems import ProblemLog

        def peak():
            kib = 1 if sys.platform == "darwin" else 1024
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib

        read_iati_file(Path(sys.argv[2]), ProblemLog("warm"), None, ImportMapping())
        before = peak()
        log = ProblemLog("big")
        read = read_iati_file(Path(sys.argv[1]), log, None, ImportMapping())
        assert not log and len(read.changes) == 60, log.count
        print(peak() - before)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(big), str(small)],
        capture_output=True,
        text=True,
        check=True,
    )
    growth = int(done.stdout.strip())
    assert growth < big.stat().st_size / 3, f"peak grew by {growth:,} bytes"


# --------------------------------------------------------------------------- reference


def test_every_member_state_has_a_distinct_alpha_2_code() -> None:
    states = member_states()
    codes = {ref.iso2 for ref in states.values()}
    assert len(codes) == len(states) == 193
    for ref in states.values():
        assert len(ref.iso2) == 2 and ref.iso2.isupper()
        assert member_state_by_iso2(ref.iso2) == ref


@pytest.mark.parametrize(
    ("code", "iso3"),
    [("KE", "KEN"), ("ke", "KEN"), (" so ", "SOM"), ("NA", "NAM"), ("GB", "GBR"), ("KP", "PRK")],
)
def test_member_state_by_alpha_2(code: str, iso3: str) -> None:
    found = member_state_by_iso2(code)
    assert found is not None and found.iso3 == iso3


@pytest.mark.parametrize("code", ["PS", "VA", "XK", "TW", "ZZ", "", "KEN"])
def test_codes_that_are_no_member_state(code: str) -> None:
    assert member_state_by_iso2(code) is None


def test_a_relationship_id_never_holds_dates() -> None:
    r, _ = read(ACTIVITIES)
    for c in r.changes:
        if isinstance(c, RelWrite):
            role = c.props.get("role")
            assert c.id == relationship_id(c.type, c.start, c.end, *([role] if role else []))


def test_the_mapping_maps_or_leaves_out_a_territory(tmp_path: Path) -> None:
    """The mapping's [countries] stands a territory for a Member State, or leaves it out with
    a note; values must be Member States."""
    path = tmp_path / "territories.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity default-currency="USD">'
        "<iati-identifier>XM-EX-TERR-1</iati-identifier>"
        "<title><narrative>Territories</narrative></title>"
        '<recipient-country code="XK"/><recipient-country code="PS"/>'
        '<recipient-country code="KE"/>'
        "</iati-activity></iati-activities>",
        encoding="utf-8",
    )
    mapping = MAPPING.model_copy(update={"countries": {"XK": None, "ps": "JOR"}})
    result, log = read(path, mapping)
    assert not log
    targets = {c.end for c in result.changes if isinstance(c, RelWrite) and c.type == "TARGETS"}
    assert targets == {"KEN", "JOR"}
    assert result.notes["recipient-country XK is left out by the mapping's [countries]"] == 1
    with pytest.raises(pydantic.ValidationError, match="not the ISO3 code of a UN Member State"):
        ImportMapping(countries={"XK": "XKX"})
