"""Fictional organisation names.

Being listed as a counter-terrorism partner can put a real organisation in danger, so every
non-state actor in seed and test data gets an invented name: a pseudo-word built from
syllables (so it is vanishingly unlikely to be a real organisation's name) plus a generic
descriptor. Every generated record is also flagged ``illustrative``.
"""

from __future__ import annotations

import random

_ONSETS = ["b", "d", "f", "k", "l", "m", "n", "r", "s", "t", "v", "z", "dr", "kh", "th", "sh"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ia"]
_CODAS = ["", "", "", "n", "r", "l", "m", "s", "th"]

CSO_DESCRIPTORS = {
    "YOUTH": ["Youth Collective", "Youth Forum", "Young Leaders Circle"],
    "WOMEN": ["Women's Circle", "Women Peacebuilders", "Mothers' Alliance"],
    "FAMILIES": ["Family Support Network", "Parents' Circle"],
    "RELIGIOUS_LEADERS": ["Interfaith Council", "Faith Leaders Dialogue"],
    "CULTURAL_LEADERS": ["Cultural Heritage Guild", "Arts for Dialogue"],
    "EDUCATION_LEADERS": ["Teachers' Network", "Learning Commons"],
    "VICTIMS_ASSOCIATIONS": ["Survivors' Association", "Victims' Solidarity Union"],
    "MEDIA": ["Media Literacy Lab", "Community Radio Collective"],
    "HUMAN_RIGHTS": ["Rights Watchers", "Legal Aid Circle"],
    "LOCAL_COMMUNITIES": ["Community Resilience Forum", "Neighbourhood Trust"],
}
COMPANY_DESCRIPTORS = {
    "TECH_PLATFORM": ["Social", "Stream", "Networks"],
    "TELECOMMUNICATIONS": ["Telecom", "Mobile"],
    "FINANCIAL_SERVICES": ["Payments", "Bank", "Remit"],
    "TRANSPORT_AND_TRAVEL": ["Airways", "Logistics"],
    "SECURITY_SERVICES": ["Secure Systems", "Risk Analytics"],
    "MEDIA_AND_ENTERTAINMENT": ["Media Group", "Games"],
    "CONSULTING": ["Advisory", "Consulting"],
}
ACADEMIC_DESCRIPTORS = {
    "UNIVERSITY": ["University of {w}", "{w} State University"],
    "THINK_TANK": ["{w} Centre for Security Studies", "{w} Policy Institute"],
    "RESEARCH_INSTITUTE": ["{w} Institute for Peace Research", "{w} Research Centre"],
}
NSA_DESCRIPTORS = {
    "FOUNDATION": ["{w} Foundation", "{w} Trust"],
    "NETWORK": ["{w} Network for Prevention", "{w} Alliance"],
    "ASSOCIATION": ["{w} Association", "{w} Professional Union"],
}


def pseudo_word(rng: random.Random) -> str:
    syllables = rng.choice([2, 2, 3])
    word = "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
    )
    return word.capitalize()


class NameMaker:
    """Unique fictional names from one seeded generator, so seeding is deterministic."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def make(self, template: str) -> str:
        while True:
            word = pseudo_word(self._rng)
            name = template.format(w=word) if "{w}" in template else f"{word} {template}"
            if name not in self._used:
                self._used.add(name)
                return name
