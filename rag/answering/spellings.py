"""How the releases spell what a question names, so that a passage's release can be checked for each entity
(`constraints.passage_failure`): a name in any inflection or a rarer form the dictionary gives, a place by its
adjective, a name of two words by the one adjective made of them, a compound abbreviation by the noun it says
whole, a capital or a region by its countries; the corpus's stems come from
`rag.store.lexical.LexicalIndex.spellings`. Also the question whose every noun no release uses
(`unheard_of_topic`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from rag.answering.names import Entity
from rag.answering.places import countries_of, country_of
from rag.answering.question import Question
from rag.answering.wordforms import is_noun
from rag.query import Query, without_dates
from rag.text import query_terms, stem_head
from rag.translate import english_names, to_russian

RARE_SHARE = 0.75
LATIN = re.compile(r"[A-Za-z]")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@dataclass(frozen=True)
class Named:
    """An entity as the corpus spells it: the inflections of its rare stems."""
    entity: Entity
    spellings: frozenset[str]


def enforced_entities(question: Question, spellings: Callable[..., list[str]],
                      idf: Callable[[str], float | None]) -> tuple[list[Named], Entity | None]:
    """The entities a release must mention, and the first entity of a Russian question that no release
    mentions at all (then nothing can answer it). An English name is also known by the corpus's names of
    the same consonants; English and Kazakh names the corpus does not know are not held against it: their
    Russian spelling is a guess."""
    known = []
    for entity in question.entities:
        if all(_acronym(word) for word in entity.text.split()):
            continue
        # A name in Latin letters («Airbus») is rendered in Russian letters: its spelling is a guess.
        # (An English name the glossary renders whole is no guess: "Emir of Kuwait" → «эмир кувейт».)
        language = question.query.language
        guessed = language == "kk" or (LATIN.search(entity.text) is not None
                                       and not _rendered_whole(entity.text, language))
        # A stem no release has may be of a form the releases do not use («Корея» → коре; «Кореи» → кор).
        # (Only then: the other forms' stems would also make a common word of a name rare.)
        found = {stem: variants for stem in entity.stems
                 if (variants := spellings(stem, guessed) or [other for own, other in entity.forms
                                                              if own == stem and idf(other) is not None])}
        for own, other in entity.also_named:  # «Генпрокуратуры» is also «Генеральной прокуратуры»
            if idf(other) is not None:
                found[own] = [*found.get(own, []), other]
        if entity.kind == "LOC":
            # a place is also named by its adjective: «Пермь» by «Пермского края», «Камчатка» by «Камчатский»
            for stem in (s for s in entity.stems if not s.endswith("ск")):
                adjectives = [a for a in dict.fromkeys((stem + "ск", stem_head(stem) + "ск")) if idf(a) is not None]
                if adjectives:
                    found[stem] = [*found.get(stem, []), *adjectives]
        for first, second in zip(entity.stems, entity.stems[1:]):
            # a name of two words is also said in one adjective: «Чёрное море» by «Черноморской инициативы»,
            # «Дальний Восток» by «дальневосточных»
            if joined := _joined(first, second, spellings):
                found[first] = [*found.get(first, []), *joined]
                found[second] = [*found.get(second, []), *joined]
        if countries := countries_of(entity, question.query.language):  # «Центральная Азия»: its countries
            found = {stem: [*found.get(stem, []), *(v for country in query_terms(countries) for v in spellings(country))]
                     for stem in entity.stems}
        # A place or organisation is named by all its words («Курганской области»): one the corpus never
        # uses makes it one no release speaks of. A person may be named by fewer (a surname alone).
        partly_unknown = entity.kind in ("LOC", "ORG") and len(found) < len(entity.stems)
        # An English name rendered by the glossary is named by its name words ("Kuwait" of "Emir of Kuwait"):
        # none of them in any release, no release speaks of it, whatever its title.
        unnamed = language == "en" and not guessed and entity.name_stems and not found.keys() & set(entity.name_stems)
        if found and not (partly_unknown and not guessed) and not unnamed:
            # Its name words, when it has words for its kind too («Курганской» of «Курганской области»).
            # (When the last of its name words, a surname, is spelled unlike any the corpus has, its name is
            # a guess that failed: then all its words found speak for it.)
            naming = {stem: variants for stem, variants in found.items() if stem in entity.name_stems} \
                if entity.name_stems and entity.name_stems[-1] in found else {}
            naming = naming or found
            rarity = {stem: max(idf(v) or 0.0 for v in variants) for stem, variants in naming.items()}
            # Its rare words, any of which a release may use (a surname alone; «Киргизия» or «Кыргызстан»);
            # the common ones («Банк» of «Банк России») do not tell one entity from another.
            rare = [stem for stem in naming if rarity[stem] >= RARE_SHARE * max(rarity.values())]
            named = {v for stem in rare for v in found[stem]}
            # and its other forms' stems, which count for no rarity («Китай» → кита, «Китая» → кит)
            named |= {other for own, other in entity.forms if own in rare and idf(other) is not None}
            if country := country_of(entity, question.query.question, question.query.language):
                named |= {v for stem in query_terms(country) for v in spellings(stem)}
            known.append(Named(entity, frozenset(named)))
        elif not guessed:
            if all(other.clause == entity.clause for other in question.entities if other.clause >= 0):
                return known, entity
            known.append(Named(entity, frozenset()))  # its clause cannot be answered; another may be
    return known, None


def _joined(first: str, second: str, spellings: Callable[..., list[str]]) -> list[str]:
    """The corpus's stems of one word made of two joined by «о» or «е» (черн + мор → черноморск)."""
    prefixes = {head + vowel + stem_head(second) for head in (first, stem_head(first)) for vowel in "ое"}
    return list(dict.fromkeys(v for prefix in sorted(prefixes) for v in spellings(prefix) if v.startswith(prefix)))


def _acronym(word: str) -> bool:
    """ЦДУМ, G20, СПбГУ (two capitals or more, and more capitals than small letters): an acronym is as
    often spelled out in a release as not, so it cannot be required."""
    capitals = sum(ch.isupper() for ch in word)
    return capitals >= 2 and capitals > sum(ch.islower() for ch in word)


def unheard_of_topic(query: Query, idf: Callable[[str], float | None]) -> str | None:
    """The first noun of a Russian question, when no release uses any of its nouns (names, which
    `enforced_entities` reads, and dates aside): what it asks about is nothing the releases speak of («Как
    приготовить борщ с пампушками?», «Сколько стоит биткоин?»). (One noun unheard of among known ones may be a
    paraphrase: «потолок» of a «предельный размер».)"""
    nouns = [word for at, word in enumerate(WORD.findall(without_dates(query.question)))
             if not (at and word[0].isupper()) and is_noun(word)]
    unheard = [word for word in nouns if (stems := query_terms(word)) and all(idf(stem) is None for stem in stems)]
    return unheard[0] if nouns and len(unheard) == len(nouns) else None


def _rendered_whole(name: str, language: str) -> bool:
    """Whether every word of an English name is the glossary's (so its Russian is no transliteration)."""
    return language == "en" and not english_names(name) and not LATIN.search(to_russian(name))
