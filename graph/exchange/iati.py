"""IATI 2.03 activity files (https://iatistandard.org/en/iati-standard/203/activity-standard/),
read into upserts of programmes, activities, actors, partnerships and results.

Why it is built this way:

- **Streamed.** A publisher's file can be hundreds of megabytes. ``lxml.etree.iterparse``
  hands over one ``<iati-activity>`` at a time; once it is read, the element is cleared and
  its earlier siblings dropped, so memory holds one activity, not the tree. Entities are never
  resolved, nothing is fetched from the network, and a file with a DOCTYPE is refused (an
  unresolved entity would silently cut a name short).
- **Upserts with deterministic ids.** Every node id comes from an external identifier (the
  activity's ``iati-identifier``, an organisation's ``@ref`` or the mapping's node for it) and
  every relationship id from :func:`graph.model.relationship_id` of type, ends and role, never
  of dates: importing a file twice changes nothing, and a corrected file changes only what was
  corrected. Writes merge, so what partnernet knows beyond the file (an actor's sensitivity,
  its focus groups) is kept.
- **One write per organisation.** An organisation that takes part in many activities is
  written once, where it first appears; later appearances only add relationships.
- **Do no harm.** A new non-state actor is restricted unless the mapping's
  ``[sensitivity] public`` names it. Intergovernmental bodies (type 40) and Member States are
  not non-state actors and take the model's default.
- **Amounts.** A funder's amount on its FUNDING partnership is what it committed to the
  activity: the sum of its Incoming Commitments (transaction type 11), or of its Incoming Funds
  (type 1) when it reported no commitment, matched to the funder by ``provider-org/@ref``
  (or its name) and converted to US dollars with the mapping's rates. Outgoing transactions
  (2, 3, 4, ...) are the activity's own spending, not a partner's contribution, and are not
  read. An activity that has a parent is an Activity, whose participations carry no amount.
- **Problems once.** A problem that one entry of the mapping file fixes (a government
  organisation without a Member State, a currency without a rate) is reported where it first
  appears, not at every activity. Everything the file holds that the mapping does not cover
  and that is no error (a sector without a thematic area) is counted in ``Read.notes``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.etree as etree

from graph.errors import ValidationError
from graph.exchange.mapping import ORG_TYPE_KINDS, UNTYPED_KIND, ImportMapping, derived_id
from graph.exchange.problems import ProblemLog, Progress, Read
from graph.model import (
    IATI_ORG_TYPES,
    NodeKind,
    ProgrammeProps,
    RelType,
    ResultsLevel,
    Role,
    relationship_id,
)
from graph.reference import member_state_by_iso2
from graph.store import NodeWrite, RelWrite

#: An lxml element (lxml ships no type information).
_Element = Any

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENGLISH = "en"

#: Non-state actor kinds: new ones get the mapping's sensitivity (restricted by default).
_NON_STATE = frozenset(
    {
        NodeKind.CIVIL_SOCIETY_ORGANIZATION,
        NodeKind.COMPANY,
        NodeKind.ACADEMIC_INSTITUTION,
        NodeKind.OTHER_NON_STATE_ACTOR,
    }
)
#: OrganisationType codes of governments and the public sector: a Member State, by mapping.
_GOVERNMENT_TYPES = frozenset(IATI_ORG_TYPES) - frozenset(ORG_TYPE_KINDS)

#: OrganisationRole names, for notes.
_ROLE_NAMES = {"1": "Funding", "2": "Accountable", "3": "Extending", "4": "Implementing"}
#: ActivityDateType: the dates each end comes from, the one that wins first.
_START_TYPES = ("2", "1")  # actual start, planned start
_END_TYPES = ("4", "3")  # actual end, planned end
#: RelatedActivityType 1: the related activity is this one's parent.
_PARENT = "1"
#: TransactionType 11 (Incoming Commitment) and 1 (Incoming Funds).
_COMMITMENT, _FUNDS = "11", "1"
#: ResultType -> results-chain level; 9 (Other) has none.
_RESULT_LEVELS = {"1": ResultsLevel.OUTPUT, "2": ResultsLevel.OUTCOME, "3": ResultsLevel.IMPACT}
_RESULT_OTHER = "9"
#: SectorVocabulary 1 (DAC 5-digit purpose codes, the default) and 2 (DAC 3-digit).
_DAC_VOCABULARIES = frozenset({"1", "2"})
#: RegionVocabulary 1 (OECD DAC), the default: the codes the mapping's [regions] table holds.
_DAC_REGIONS = "1"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _max_length(model: type[ProgrammeProps], name: str) -> int:
    for item in model.model_fields[name].metadata:
        if hasattr(item, "max_length"):
            return int(item.max_length)
    raise LookupError(name)  # pragma: no cover - the model bounds descriptions


_DESCRIPTION_MAX = _max_length(ProgrammeProps, "description")


def read_iati_file(
    path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
) -> Read:
    """Every good activity of an IATI 2.03 activity file as upserts; every problem goes to
    ``log``, every element left out without being a problem to ``Read.notes``."""
    return _Reader(path, log, progress, mapping).run()


def _clean(text: str | None) -> str | None:
    """Text with its whitespace runs collapsed, or None if there is none."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def _attr(elem: _Element, name: str) -> str | None:
    return _clean(elem.get(name))


def _children(elem: _Element) -> dict[str, list[_Element]]:
    """The element children of ``elem`` by tag, in document order (comments, processing
    instructions and other namespaces' extensions are left out)."""
    found: dict[str, list[_Element]] = defaultdict(list)
    for child in elem:
        if isinstance(child.tag, str) and not child.tag.startswith("{"):
            found[child.tag].append(child)
    return found


def _narrative(
    elem: _Element | None, default_lang: str | None, *, collapse: bool = True
) -> str | None:
    """The text of the best ``narrative`` of ``elem``: English (its own ``xml:lang`` or the
    activity's default language), else one in the default language, else the first."""
    if elem is None:
        return None
    best: tuple[int, str] | None = None
    for narrative in elem.iterchildren("narrative"):
        raw = "".join(narrative.itertext())
        text = _clean(raw) if collapse else (raw.strip() or None)
        if text is None:
            continue
        own = narrative.get(_XML_LANG)
        lang = (own or default_lang or "").lower()
        rank = 0 if lang.split("-")[0] == _ENGLISH else 1 if own is None else 2
        if best is None or rank < best[0]:
            best = (rank, text)
    return best[1] if best else None


@dataclass
class _Activity:
    """One ``iati-activity`` being read."""

    elem: _Element
    line: int
    xpath: str
    where: str
    children: dict[str, list[_Element]]
    lang: str | None
    currency: str | None
    identifier: str = ""
    node_id: str = ""
    kind: NodeKind = NodeKind.PROGRAMME
    #: Whether its records are written: it has an identifier no earlier activity had.
    identified: bool = False
    #: Its programme or activity node had a problem: not written.
    refused: bool = False
    dates: dict[str, str] = field(default_factory=dict)
    #: Relationships of the activity, written only if it is identified.
    rels: list[RelWrite] = field(default_factory=list)

    def items(self, tag: str) -> list[tuple[_Element, str]]:
        """The children of one tag with their XPaths."""
        return [
            (child, f"{self.xpath}/{tag}[{i}]")
            for i, child in enumerate(self.children.get(tag, ()), start=1)
        ]


@dataclass
class _Partnership:
    actor: str
    role: Role
    where: str


@dataclass
class _Funding:
    """A provider's incoming transactions to one activity, in US dollars."""

    commitments: float = 0.0
    funds: float = 0.0
    has_commitment: bool = False
    #: A value of it had a problem: its partnership is not written.
    bad: bool = False
    label: str = ""

    @property
    def amount(self) -> float:
        return round(self.commitments if self.has_commitment else self.funds, 2)


class _Stop(Exception):
    """Reading cannot go on; the problem is already logged."""


class _Reader:
    def __init__(
        self, path: Path, log: ProblemLog, progress: Progress | None, mapping: ImportMapping
    ) -> None:
        self.path = path
        self.log = log
        self.progress = progress
        self.mapping = mapping
        self.read = Read()
        self.nodes: list[NodeWrite] = []
        self.rels: list[RelWrite] = []
        #: Organisation node ids met so far -> written (True) or refused (False).
        self.orgs: dict[str, bool] = {}
        #: Activity identifier -> the line it first appears on.
        self.activities: dict[str, int] = {}
        #: Keys of problems reported once a file (a currency without a rate).
        self.once: set[str] = set()
        self.count = 0

    # ------------------------------------------------------------------ the file

    def run(self) -> Read:
        root_tag: str | None = None
        with self.path.open("rb") as fh:
            try:
                context = etree.iterparse(
                    fh,
                    events=("end",),
                    tag="iati-activity",
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                )
                for _, elem in context:
                    self._element(elem)
                root_tag = context.root.tag if context.root is not None else None
            except etree.XMLSyntaxError as err:
                line = err.position[0] or 1
                self._problem(
                    f"not well-formed XML ({err.msg}); nothing after this line was read", line
                )
                self.read.complete = False
            except _Stop:
                self.read.complete = False
        if self.read.complete and not self.count and root_tag != "iati-activities":
            self._problem(
                f"not an IATI activity file: the root element is <{root_tag}>, "
                "not <iati-activities>",
                1,
            )
        self.read.changes = [*self.nodes, *self.rels]
        return self.read

    def _element(self, elem: _Element) -> None:
        if self.count == 0 and elem.getroottree().docinfo.doctype:
            self._problem("a DOCTYPE is not allowed in an IATI file; nothing was read", 1)
            raise _Stop
        self.count += 1
        if self.progress:
            self.progress(1)
        parent = elem.getparent()
        base = "" if parent is None else f"/{parent.tag}"
        line = elem.sourceline or 1
        xpath = f"{base}/iati-activity[{self.count}]"
        act = _Activity(
            elem=elem,
            line=line,
            xpath=xpath,
            where=f"{self.log.where(line)} {xpath}",
            children=_children(elem),
            lang=elem.get(_XML_LANG),
            currency=_attr(elem, "default-currency"),
        )
        try:
            self._activity(act)
        finally:
            elem.clear()  # memory holds one activity: drop it and what came before it
            while parent is not None and elem.getprevious() is not None:
                del parent[0]

    # ------------------------------------------------------------------ problems and notes

    def _problem(self, message: str, line: int, xpath: str = "", fld: str | None = None) -> None:
        where = self.log.where(line) + (f" {xpath}" if xpath else "")
        self.log.add(ValidationError(message, where=where, field=fld), line)

    def _problem_at(self, message: str, elem: _Element, xpath: str, fld: str) -> None:
        self._problem(message, elem.sourceline or 1, xpath, fld)

    def _note(self, message: str) -> None:
        self.read.notes[message] += 1

    def _where(self, elem: _Element, xpath: str) -> str:
        return f"{self.log.where(elem.sourceline or 1)} {xpath}"

    # ------------------------------------------------------------------ one activity

    def _activity(self, act: _Activity) -> None:
        act.identified = self._identify(act)
        self._dates(act)
        partnerships = self._participating_orgs(act)
        funding = self._transactions(act)
        self._partnerships(act, partnerships, funding)
        self._countries(act)
        self._regions(act)
        self._sectors(act)
        self._results(act)
        if act.identified:
            self._programme(act)
            self.rels.extend(act.rels)

    def _identify(self, act: _Activity) -> bool:
        """The activity's identifier, id and kind; False if it has no identifier, or another
        activity of the file had it first (its records are then not written)."""
        ident = _clean(act.elem.findtext("iati-identifier"))
        if ident is None:
            self._problem(
                "the activity has no iati-identifier", act.line, act.xpath, "iati-identifier"
            )
            act.identifier, act.node_id = "?", derived_id("iati", f"?{act.xpath}")
            return False
        act.identifier, act.node_id = ident, derived_id("iati", ident)
        first = self.activities.setdefault(ident, act.line)
        if first != act.line:
            self._problem(
                f"activity {ident} is in the file twice (first on line {first}); "
                "this one is left out",
                act.line,
                act.xpath,
                "iati-identifier",
            )
            return False
        parent = self._parent(act)
        if parent is not None:
            act.kind = NodeKind.ACTIVITY
            act.rels.append(
                RelWrite(
                    type=RelType.PART_OF,
                    id=relationship_id(RelType.PART_OF, act.node_id, parent),
                    start=act.node_id,
                    end=parent,
                    where=act.where,
                    merge=True,
                )
            )
        return True

    def _parent(self, act: _Activity) -> str | None:
        for elem in act.children.get("related-activity", ()):
            ref = _attr(elem, "ref")
            if _attr(elem, "type") == _PARENT and ref is not None and ref != act.identifier:
                return derived_id("iati", ref)
        return None

    def _programme(self, act: _Activity) -> None:
        title = _narrative(act.elem.find("title"), act.lang)
        if title is None:
            self._problem(
                f"activity {act.identifier} has no title", act.line, act.xpath, "title/narrative"
            )
            act.refused = True
        if act.refused:
            self.read.refused[act.node_id] = act.kind
            return
        props: dict[str, Any] = {"name": title, "external_id": act.identifier}
        description = self._description(act)
        if description is not None:
            props["description"] = description
        props.update(act.dates)
        self.nodes.append(
            NodeWrite(kind=act.kind, id=act.node_id, props=props, where=act.where, merge=True)
        )

    def _description(self, act: _Activity) -> str | None:
        described = act.children.get("description", [])
        general = [d for d in described if (d.get("type") or "1") == "1"]
        for elem in general or described:
            text = self._bounded(_narrative(elem, act.lang, collapse=False))
            if text is not None:
                return text
        return None

    def _bounded(self, text: str | None) -> str | None:
        """A description within the model's bound: a longer one is cut short, with a note (a
        publisher's long text is no reason to refuse the file)."""
        if text is None or len(text) <= _DESCRIPTION_MAX:
            return text
        self._note(f"descriptions longer than {_DESCRIPTION_MAX} characters are cut short")
        return text[: _DESCRIPTION_MAX - 1].rstrip() + "…"

    def _dates(self, act: _Activity) -> None:
        """``since`` and ``until`` from the activity dates (an actual date wins over a planned
        one); an activity that ends before it starts is refused."""
        found: dict[str, tuple[str, _Element, str]] = {}
        for elem, xpath in act.items("activity-date"):
            code, value = _attr(elem, "type"), _attr(elem, "iso-date")
            if code is None or code in found or code not in (*_START_TYPES, *_END_TYPES):
                continue
            day = _day(value)
            if day is None:
                self._problem_at(
                    f"{value!r} is not a date (YYYY-MM-DD)", elem, xpath, "activity-date/@iso-date"
                )
                continue
            found[code] = (day, elem, xpath)
        start = next((found[c] for c in _START_TYPES if c in found), None)
        end = next((found[c] for c in _END_TYPES if c in found), None)
        if start is not None and end is not None and end[0] < start[0]:
            self._problem_at(
                f"the activity ends ({end[0]}) before it starts ({start[0]})",
                end[1],
                end[2],
                "activity-date/@iso-date",
            )
            act.refused = True
            return
        act.dates.update({k: v[0] for k, v in (("since", start), ("until", end)) if v})

    # ------------------------------------------------------------------ organisations

    def _participating_orgs(self, act: _Activity) -> list[_Partnership]:
        out: list[_Partnership] = []
        seen: set[tuple[str, Role]] = set()
        for elem, xpath in act.items("participating-org"):
            code = _attr(elem, "role") or ""
            role = self.mapping.role_of(code)
            actor = self._actor(elem, xpath, act.lang)
            if actor is None:
                continue
            if role is None:
                name = _ROLE_NAMES.get(code, "unknown")
                self._note(
                    f"participating-org role {code or '(none)'} ({name}) is not mapped to a "
                    "partnership role: left out"
                )
            elif (actor, role) not in seen:
                seen.add((actor, role))
                out.append(_Partnership(actor, role, self._where(elem, xpath)))
        return out

    def _actor(self, elem: _Element, xpath: str, lang: str | None) -> str | None:
        """The node of an organisation element: the mapping's, or one written here the first
        time it appears; None if it is refused."""
        ref = _attr(elem, "ref")
        if ref is not None and ref in self.mapping.organisations:
            return self.mapping.organisations[ref]
        name = _narrative(elem, lang)
        if ref is None and name is None:
            tag = elem.tag
            self._problem_at(f"{tag} has neither a @ref nor a name", elem, xpath, f"{tag}/@ref")
            return None
        node_id = _org_id(self.mapping, ref, name)
        if node_id not in self.orgs:
            self.orgs[node_id] = self._organisation(elem, xpath, node_id, ref, name)
        if not self.orgs[node_id]:
            self.read.refused.setdefault(node_id, None)
            return None
        return node_id

    def _organisation(
        self, elem: _Element, xpath: str, node_id: str, ref: str | None, name: str | None
    ) -> bool:
        """Write a new organisation; False (and a problem) if its type says it cannot be."""
        typed = self._org_type(elem, xpath, ref, name)
        if typed is None:
            return False
        kind, extra, type_code = typed
        props: dict[str, Any] = dict(extra)
        defaults: dict[str, Any] = {}
        if name is not None:
            props["name"] = name
        else:
            defaults["name"] = ref  # a new node needs a name; a stored one keeps its own
        if ref is not None:
            props["external_id"] = ref
        if type_code is not None:
            props["iati_org_type"] = type_code
        if kind in _NON_STATE:
            defaults["sensitivity"] = self.mapping.sensitivity_of(ref, node_id).value
        where = self._where(elem, xpath)
        self.nodes.append(
            NodeWrite(
                kind,
                node_id,
                props,
                where,
                merge=True,
                defaults=defaults,
                kind_guessed=type_code is None,  # untyped: a stored actor keeps its kind
            )
        )
        return True

    def _org_type(
        self, elem: _Element, xpath: str, ref: str | None, name: str | None
    ) -> tuple[NodeKind, dict[str, str], int | None] | None:
        """The kind, kind-specific props and OrganisationType code of an organisation's
        ``@type``; None (and a problem) for a code that is not one, or a government's."""
        code = _attr(elem, "type")
        if code is None:
            return UNTYPED_KIND, {}, None
        label = " ".join(x for x in (ref, f"({name})" if name else None) if x)
        if not code.isdigit() or int(code) not in IATI_ORG_TYPES:
            self._problem_at(
                f"organisation {label}: {code!r} is not an IATI OrganisationType code",
                elem,
                xpath,
                f"{elem.tag}/@type",
            )
            return None
        if int(code) in _GOVERNMENT_TYPES:
            self._problem_at(
                f"government organisation {label} must be mapped to a Member State in the "
                "mapping file's [organisations] table",
                elem,
                xpath,
                f"{elem.tag}/@ref",
            )
            return None
        kind, extra = ORG_TYPE_KINDS[int(code)]
        return kind, extra, int(code)

    # ------------------------------------------------------------------ money

    def _transactions(self, act: _Activity) -> dict[str, _Funding]:
        """The incoming commitments and funds of each provider, by the provider's node id."""
        funding: dict[str, _Funding] = {}
        for elem, xpath in act.items("transaction"):
            kind = elem.find("transaction-type")
            code = _attr(kind, "code") if kind is not None else None
            if code not in (_COMMITMENT, _FUNDS):
                continue
            provider = elem.find("provider-org")
            ref = _attr(provider, "ref") if provider is not None else None
            name = _narrative(provider, act.lang)
            if ref is None and name is None:
                self._note("incoming transactions without a provider-org: not counted")
                continue
            usd = self._usd(elem, xpath, act)
            node_id = self.mapping.organisations.get(ref or "") or _org_id(self.mapping, ref, name)
            entry = funding.setdefault(node_id, _Funding(label=ref or name or ""))
            if usd is None:
                entry.bad = True
            elif code == _COMMITMENT:
                entry.commitments += usd
                entry.has_commitment = True
            else:
                entry.funds += usd
        return funding

    def _usd(self, elem: _Element, xpath: str, act: _Activity) -> float | None:
        """A transaction's value in US dollars; None (and a problem) if it has none."""
        value = elem.find("value")
        text = _clean(value.text) if value is not None else None
        try:
            amount = float(text) if text is not None else None
        except ValueError:
            amount = None
        if amount is None:
            self._problem_at(
                f"transaction value {text!r} is not a number", elem, xpath, "transaction/value"
            )
            return None
        currency = _attr(value, "currency") or act.currency
        fld = "transaction/value/@currency"
        if currency is None:
            self._problem_at(
                "the transaction value has no @currency and the activity no @default-currency",
                elem,
                xpath,
                fld,
            )
            return None
        usd = self.mapping.usd(amount, currency)
        if usd is None and currency.upper() not in self.once:
            self.once.add(currency.upper())
            self._problem_at(
                f"no exchange rate for {currency}: give US dollars per unit in the mapping "
                "file's [currency] table (reported once, where it is first used)",
                elem,
                xpath,
                fld,
            )
        return usd

    def _partnerships(
        self, act: _Activity, partnerships: list[_Partnership], funding: dict[str, _Funding]
    ) -> None:
        funded: set[str] = set()
        rel_type = (
            RelType.PARTNERS_IN if act.kind is NodeKind.PROGRAMME else RelType.PARTICIPATED_IN
        )
        for p in partnerships:
            props: dict[str, Any] = {"role": p.role.value, **act.dates}
            entry = funding.get(p.actor) if p.role is Role.FUNDING else None
            if entry is not None:
                funded.add(p.actor)
                if entry.bad:
                    continue  # its amount had a problem: not written
                if rel_type is RelType.PARTNERS_IN:
                    props["amount"] = entry.amount
                else:
                    self._note("amounts of an activity with a parent are not kept: left out")
            act.rels.append(
                RelWrite(
                    type=rel_type,
                    id=relationship_id(rel_type, p.actor, act.node_id, p.role.value),
                    start=p.actor,
                    end=act.node_id,
                    props=props,
                    where=p.where,
                    merge=True,
                )
            )
        for actor, entry in funding.items():
            if actor not in funded and actor not in self.read.refused:
                self._note(
                    f"incoming transactions from {entry.label}, which is not a funding "
                    "participating-org of the activity: not counted"
                )

    # ------------------------------------------------------------------ places, themes, results

    def _link(self, act: _Activity, rel_type: RelType, end: str, where: str, **props: Any) -> None:
        rel_id = relationship_id(rel_type, act.node_id, end)
        if any(r.id == rel_id for r in act.rels):
            return
        act.rels.append(
            RelWrite(
                type=rel_type,
                id=rel_id,
                start=act.node_id,
                end=end,
                props=props,
                where=where,
                merge=True,
            )
        )

    def _countries(self, act: _Activity) -> None:
        for elem, xpath in act.items("recipient-country"):
            code = _attr(elem, "code")
            mapped, iso3 = self.mapping.country_of(code) if code else (False, None)
            if mapped and iso3 is None:
                self._note(f"recipient-country {code} is left out by the mapping's [countries]")
                continue
            state = member_state_by_iso2(code) if code and not mapped else None
            if iso3 is not None:
                self._link(act, RelType.TARGETS, iso3, self._where(elem, xpath))
                continue
            if state is None:
                self._problem_at(
                    f"recipient-country {code!r} is not the ISO 3166-1 alpha-2 code of a UN "
                    "Member State (a territory can be mapped in the mapping's [countries])",
                    elem,
                    xpath,
                    "recipient-country/@code",
                )
                continue
            self._link(act, RelType.TARGETS, state.iso3, self._where(elem, xpath))

    def _regions(self, act: _Activity) -> None:
        for elem, xpath in act.items("recipient-region"):
            code = _attr(elem, "code") or ""
            vocabulary = _attr(elem, "vocabulary") or _DAC_REGIONS
            targets = self.mapping.regions.get(code) if vocabulary == _DAC_REGIONS else None
            if not targets:
                self._note(
                    f"recipient-region {code} (vocabulary {vocabulary}) is not mapped to a "
                    "target: left out"
                )
                continue
            for target in targets:
                self._link(act, RelType.TARGETS, target, self._where(elem, xpath))

    def _sectors(self, act: _Activity) -> None:
        for elem, xpath in act.items("sector"):
            code = _attr(elem, "code") or ""
            vocabulary = _attr(elem, "vocabulary") or "1"
            theme = self.mapping.sectors.get(code) if vocabulary in _DAC_VOCABULARIES else None
            if theme is None:
                self._note(
                    f"sector {code} (vocabulary {vocabulary}) is not mapped to a thematic "
                    "area: left out"
                )
                continue
            self._link(act, RelType.ADDRESSES, theme, self._where(elem, xpath))

    def _results(self, act: _Activity) -> None:
        for n, (elem, xpath) in enumerate(act.items("result"), start=1):
            code = _attr(elem, "type")
            level = _RESULT_LEVELS.get(code or "")
            if code == _RESULT_OTHER:
                self._note("results of type 9 (Other) have no results-chain level: left out")
                continue
            if level is None:
                self._problem_at(
                    f"result type {code!r} is not 1 (output), 2 (outcome), 3 (impact) or 9 (other)",
                    elem,
                    xpath,
                    "result/@type",
                )
                continue
            title = _narrative(elem.find("title"), act.lang)
            outcome = derived_id("iati", f"{act.identifier}/result/{n}")
            if title is None:
                self._problem_at("the result has no title", elem, xpath, "result/title/narrative")
                if act.identified:
                    self.read.refused[outcome] = NodeKind.OUTCOME
                continue
            props: dict[str, Any] = {"name": title, "level": level.value}
            description = self._bounded(
                _narrative(elem.find("description"), act.lang, collapse=False)
            )
            if description is not None:
                props["description"] = description
            where = self._where(elem, xpath)
            if act.identified:
                self.nodes.append(
                    NodeWrite(NodeKind.OUTCOME, outcome, props, where=where, merge=True)
                )
            self._link(act, RelType.PRODUCED, outcome, where, share=self.mapping.result_share)


def _org_id(mapping: ImportMapping, ref: str | None, name: str | None) -> str:
    """The node id of an organisation not in the mapping: from its ref, else its name."""
    if ref is not None:
        return mapping.organisation_id(ref)
    assert name is not None
    return derived_id("org", name.casefold())


def _day(value: str | None) -> str | None:
    """An ``xsd:date`` (a time zone may follow) as ``YYYY-MM-DD``, or None if it is not one."""
    if value is None or not _DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None
