"""Which of a few languages a course text is written in, from its most common words.

Source catalogues copy texts between language fields (Aalto's Swedish field often holds the Finnish or English
text) or write some modules of a German handbook in English (FU Berlin). Function words tell Finnish, Swedish,
German and English apart reliably on a sentence or more; titles are too short for this.
"""

import re

_WORDS = re.compile(r"[^\W\d_]+")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _set(
        "the and of to in is are will be for with on this can students student course how their as an by from"
        " or able basic understand"
    ),
    "fi": _set(
        "ja on opiskelija opiskelijat kurssin kurssilla kurssi osaa sekä että tai jälkeen kanssa ovat voi"
        " oppii tuntee perusteet hallitsee ymmärtää miten"
    ),
    "de": _set(
        "und der die das ist sind werden können kann studierenden mit für von zu den im in des eine einer sie"
        " grundlagen verstehen kenntnisse"
    ),
    "sv": _set(
        "och att är en ett som av för med på till kan studenten studerande kursen efter eller de har kunna"
        " förstå grundläggande"
    ),
}
MIN_HITS = 3


def guess_language(text: str, candidates: tuple[str, ...] = ("fi", "sv", "en")) -> str | None:
    """The candidate language with the most function words in `text`; None when too few words tell."""
    words = [word.casefold() for word in _WORDS.findall(text)]
    counts = {language: sum(word in FUNCTION_WORDS[language] for word in words) for language in candidates}
    best = max(counts, key=lambda language: counts[language])
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] < MIN_HITS or (len(ranked) > 1 and ranked[0] < 1.5 * ranked[1]):
        return None
    return best


def guess_by_letters(text: str, candidates: tuple[str, ...] = ("fi", "sv", "en")) -> str | None:
    """A weaker guess for short texts (keyword lists, one sentence): å is Swedish, ä/ö Finnish, neither English."""
    lowered = text.casefold()
    if "å" in lowered and "sv" in candidates:
        return "sv"
    if lowered.count("ä") + lowered.count("ö") >= 2 and "fi" in candidates:
        return "fi"
    if len(_WORDS.findall(text)) >= 3 and not re.search(r"[äöå]", lowered) and "en" in candidates:
        return "en"
    return None
