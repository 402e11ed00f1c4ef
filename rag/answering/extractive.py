"""The offline answerer: the retrieved sentences that best answer the question, each with its citation.

The question is read once into a model (`question.py`: entities, period, answer type, focus, predicate)
and checked the same way against every candidate (`constraints.py`): a passage is eligible when it is of
the question's period and its release mentions the question's entities; a sentence of an eligible
passage is quotable when it holds the answer type. No quotable sentence means a refusal that says which
constraint failed.

Among quotable sentences the score mixes how much of the question's (idf-weighted) stems a sentence and
its passage's title cover, the cosine between its embedding and the question's, bonuses when it holds
the kind of answer asked for (a name for "кто") and the question's predicate, and its release's rank; the
sentences quoted are chosen from the best down (`selection.py`).
The evidence is the larger of the best coverage of the question's stems (its date words aside) by one of
the top eligible passages and the best sentence cosine; below `min_evidence` the answerer refuses
rather than quote something merely near the question.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterator

import numpy as np

from rag.answering.base import Citation, Draft, refusal, stream_whole
from rag.answering.constraints import (Failure, names_publisher, passage_failure, premise_failure, says_a_forecast,
                                      says_a_topic, sentence_failure, unanswered_clause)
from rag.answering.periods import within
from rag.answering.expected import STRICT, holds, names_another
from rag.answering.question import Question, read_question
from rag.answering.regions import another_region, asked_region
from rag.answering.selection import Candidate, select
from rag.answering.spellings import enforced_entities, unheard_of_topic
from rag.query import DateRange, Query
from rag.retrieval import Passage
from rag.text import normalise, sentences, terms, words

COVERAGE_WEIGHT = 0.6
SIMILARITY_WEIGHT = 0.4
EXPECTED_BONUS = 0.3
PREDICATE_BONUS = 0.1
# A sentence naming what a «какой …» question asks of («какой товарооборот» — «…товарооборота до 2 млрд»).
ASKED_NOUN_BONUS = 0.1
# What happened is not told by a forecast or a plan («инфляция составит 5% по итогам года» for «до какого
# уровня ускорилась инфляция»), though a forecast may be all a release has.
FORECAST_PENALTY = 0.15
RANK_DECAY = 0.1
# A passage's rank among its release's passages counts for this share of a release's rank.
WITHIN_RELEASE_DECAY = 0.5
MIN_SENTENCE_CHARS = 25
# A page's links to other pages, left in a release's text by the site («Смотрите также …», «Дополнительно
# Список документов …»): titles of other releases, which state nothing; nor does the line giving the time a
# release was published («Время публикации пресс-релиза … — 13:30 по московскому времени»).
SIDEBAR = re.compile(r"\s*(?:Смотрите\s+также\b|Дополнительно\s+[А-ЯЁA-Z«]|Время\s+публикации\b)")
EVIDENCE_PASSAGES = 3
# Share of the question (idf-weighted) that the best sentence quoted must say, with its release's title: a
# passage on the topic whose sentences say almost nothing asked («кого назначили послом в Германии» — «Путин
# провёл встречу с губернатором») answers nothing.
MIN_SUPPORT = 0.15
UNKNOWN_WEIGHT = 0.5
# The quotes stay verbatim Russian (no translation ships offline); a question in another language is told so.
FRAMING = {"en": "From the releases, quoted in Russian:", "kk": "Релиздерден үзінділер (орыс тілінде):"}
# Cosine of two words' navec vectors above which they name the same kind of thing («бойцов» ~
# «десантников» 0.47, «беженцев» ~ «переселенцев» 0.65; «электроэнергии» ~ «экспорт» 0.37).
RELATED_COSINE = 0.45
# A release of the period asked that covers less than this share of what the best release of another period
# covers of the question does not answer it.
OTHER_PERIOD_SHARE = 0.6
# ... when that release says nearly all the question asks: a paraphrase matches no release so well.
OTHER_PERIOD_COVERAGE = 0.8
# ... or, when the question names the publisher of that release and the period asked has none of its, a
# good share of it: the publisher's own releases are what it asks about.
PUBLISHER_COVERAGE = 0.6
# A stem said in other words counts for less than said in its own.
REPHRASED_WEIGHT = 0.5


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, idf: Callable[[str], float | None], embed: Callable[[list[str]], np.ndarray],
                 document_terms: Callable[[list[str]], set[str]], spellings: Callable[..., list[str]],
                 max_sentences: int = 3, max_passages: int = 5, min_evidence: float = 0.45):
        self.idf = idf
        self.spellings = spellings
        self.embed = embed
        self.document_terms = document_terms
        self.max_sentences = max_sentences
        self.max_passages = max_passages
        self.min_evidence = min_evidence

    def stream(self, query: Query, passages: list[Passage]) -> Iterator[str | Draft]:
        return stream_whole(self.answer(query, passages))

    def answer(self, query: Query, passages: list[Passage]) -> Draft:
        question = read_question(query)
        if query.language == "kk" and question.focus and all(self.idf(stem) is None for stem in question.focus):
            # What a Kazakh question counts, in a word its glossary has no Russian for («құрбанға»), is in no
            # release's words: unknown, it is held against none. (An English one is mostly a name in Latin
            # letters, "Sukhoi Superjet", that the releases spell so too.)
            question = replace(question, focus=(), focus_word="")
        wanted = {t: w for t in set(query.content_terms) if (w := self.idf(t)) is not None}
        # Stems the corpus never uses (a typo, a paraphrase, or what the corpus does not cover: «биткоин»)
        # count against the evidence, at a fraction of the weight of the rarest stem it has.
        # (Not for Kazakh questions: they are bound to use words a Russian corpus lacks. English ones are
        # searched in Russian words, their names transliterated.)
        unknown = len(set(query.content_terms) - wanted.keys()) if query.language != "kk" else 0
        total = (sum(wanted.values()) + unknown * UNKNOWN_WEIGHT * max(wanted.values(), default=1.0)) or 1.0
        entities, unheard_of = enforced_entities(question, self.spellings, self.idf)
        if unheard_of is not None:
            return refusal(query, passages, 0.0, Failure("entity", unheard_of.text))
        if query.language == "ru" and (topic := unheard_of_topic(query, self.idf)):
            return refusal(query, passages, 0.0, Failure("entity", topic))
        # What explains a refusal is the failure of the best-ranked passage, or, when passages were fine,
        # of the best-ranked sentence: the closest the releases came.
        failures: list[Failure] = []
        top = self._eligible(question, passages, entities, wanted, failures)[: self.max_passages]
        if top:
            failures.clear()
        candidates = []
        region = asked_region(question)
        pairs = [(a, b) for a, b in zip(query.content_terms, query.content_terms[1:]) if a in wanted and b in wanted]
        for candidate in self._candidates(top, wanted, total, question.answer_type, _question_words(query, wanted),
                                          question.asks_topic, pairs):
            failure = (sentence_failure(question, candidate.passage, candidate.text, candidate.context, self._related,
                                        candidate.before)
                       or another_region(region, candidate.text, candidate.context, candidate.passage))
            if failure is None:
                candidates.append(candidate)
            else:
                failures.append(failure)
        if not candidates:
            return refusal(query, passages, 0.0, failures[0] if failures else None)
        if query.latest:
            # «сейчас», «последнее решение»: the newest release that holds an answer, and nothing older.
            newest = max(c.passage.date for c in candidates)
            candidates = [c for c in candidates if c.passage.date == newest]
        self._score(question, candidates)
        # Only the passages that can be quoted speak for the answer: a passage on the topic whose sentences
        # hold no answer must not lend its coverage to another passage's sentence.
        quoted = list({id(c.passage): c.passage for c in candidates}.values())
        evidence = _evidence(quoted, wanted, total, max(c.similarity for c in candidates))
        if evidence < self.min_evidence:
            return refusal(query, passages, evidence)
        chosen = select(candidates, wanted, total, question.asks_several, query.periods, self.max_sentences)
        support = max(c.coverage for c in chosen)
        if support < MIN_SUPPORT:
            return refusal(query, passages, support)
        citations = [
            Citation(n, c.passage.doc_id, c.passage.title, c.passage.date, c.passage.source, c.passage.url,
                     c.text, c.passage.chunk_id)
            for n, c in enumerate(chosen, start=1)
        ]
        text = " ".join(f"{' '.join(c.text.split())} [{n}]" for n, c in enumerate(chosen, start=1))
        framing = " ".join(x for x in (FRAMING.get(query.language, ""), query.about or _as_of(query, chosen)) if x)
        return Draft(answer=f"{framing} {text}" if framing else text, citations=citations, evidence=evidence)

    def _eligible(self, question: Question, passages: list[Passage], entities, wanted: dict[str, float],
                  failures: list) -> list[Passage]:
        """Passages of the question's period whose releases mention its entities (and that state what it
        takes as given), in rank order."""
        held: dict[str, set[str]] = {}
        eligible = []
        for passage in passages:
            needs_terms = entities or question.events or question.query.years or question.figures or (
                question.answer_type == "number" and question.focus)
            if needs_terms and passage.doc_id not in held:
                held[passage.doc_id] = self.document_terms([passage.doc_id])
            failure = passage_failure(question, passage, held.get(passage.doc_id, set()), entities, self._related) \
                or premise_failure(question, passage, wanted)
            if failure is None:
                eligible.append(passage)
            else:
                failures.append(failure)
        unanswered = unanswered_clause(entities, [(p, held.get(p.doc_id, set())) for p in eligible])
        if unanswered is not None:
            failures.insert(0, unanswered)
            return []
        dates = question.query.dates
        named = dates if dates is not None and not dates.whole_years else None
        if eligible and self._better_in_another_period(passages, eligible, failures, wanted, named):
            failures.insert(0, Failure("period"))
            return []
        return eligible

    def _better_in_another_period(self, passages: list[Passage], eligible: list[Passage], failures: list[Failure],
                                  wanted: dict[str, float], named: DateRange | None) -> bool:
        """Whether a release of another period says nearly all the question asks, and those of the period
        asked say far less («ключевая ставка в марте 2025»: the rate decisions are of other
        years; a release of March 2025 that shares a word or two with the question does not answer it)."""
        if not any(f.constraint == "period" for f in failures):
            return False
        total = sum(wanted.values()) or 1.0
        covered: dict[str, float] = {}
        for passage in passages:  # by passage: a long transcript holds most words somewhere
            covered[passage.doc_id] = max(covered.get(passage.doc_id, 0.0), _coverage(passage, wanted, total))
        # A question naming a publisher («что решил ЦБ», "the Bank of Russia's board") asks of its releases;
        # another publisher's release of the period that mentions it does not tell what it decided.
        publisher = next((p.source for p in passages if names_publisher(p.source, wanted)), None)
        own = {p.doc_id for p in passages if p.source == publisher} if publisher else set(covered)
        best = max(own, key=covered.get)
        source = next(p.source for p in passages if p.doc_id == best)
        if named is not None and any(within(p, named) and p.source == source for p in eligible):
            return False  # the same publisher's release of the very day or month asked is the one asked about
        in_period = {p.doc_id for p in eligible}
        if publisher and not any(p.source == publisher for p in eligible):
            return covered[best] >= PUBLISHER_COVERAGE
        return best not in in_period and covered[best] >= OTHER_PERIOD_COVERAGE \
            and max(covered[d] for d in in_period) < OTHER_PERIOD_SHARE * covered[best]

    def _related(self, word: str, text: str) -> bool:
        """Whether the text holds a word whose vector is near the given one's (navec, in the embedder)."""
        others = list({w for w in words(text) if w[0].isalpha()})
        if not others or not word:
            return False
        vectors = self.embed([normalise(word)] + others)
        return bool((vectors[1:] @ vectors[0]).max() >= RELATED_COSINE)

    def _score(self, question: Question, candidates: list[Candidate]) -> None:
        vectors = self.embed([question.query.search_text] + [c.text for c in candidates])
        similarity = vectors[1:] @ vectors[0]
        predicate = set(question.predicate)
        asked_noun = set(question.asked_noun)
        asked = question.asked_stems
        for candidate, sim in zip(candidates, similarity):
            candidate.similarity = float(sim)
            expected = any(names_another(candidate.text, asked) if kind in ("name", "place")
                           else holds(kind, candidate.text) for kind in question.answer_types)
            bonus = EXPECTED_BONUS if expected else 0.0
            if predicate & candidate.terms:
                bonus += PREDICATE_BONUS
            if asked_noun & candidate.terms:
                bonus += ASKED_NOUN_BONUS
            if not question.looks_ahead and says_a_forecast(candidate.text):
                bonus -= FORECAST_PENALTY
            candidate.score = (COVERAGE_WEIGHT * candidate.coverage + SIMILARITY_WEIGHT * candidate.similarity
                               + bonus) * (1.0 - RANK_DECAY * candidate.rank)
        candidates.sort(key=lambda c: c.score, reverse=True)

    def _candidates(self, passages: list[Passage], wanted: dict[str, float], total: float,
                    kind: str | None, question_words: dict[str, str], topic: bool = False,
                    pairs: list[tuple[str, str]] = ()) -> list[Candidate]:
        """`topic`: the question asks what was discussed (`Question.asks_topic`); `pairs`: its stems that
        follow one another, which a release may say in one word (`_compounded`)."""
        result = []
        quotables = [_quotable(passage.text) for passage in passages]
        like = self._like_words(question_words, [s for quotable in quotables for s in quotable])
        # A passage ranks as its release does: among one release's passages, retrieval's order is weak
        # evidence of which sentence answers.
        release_rank = {doc_id: rank for rank, doc_id in enumerate(dict.fromkeys(p.doc_id for p in passages))}
        seen: dict[str, int] = {}
        for passage, quotable in zip(passages, quotables):
            within = seen[passage.doc_id] = seen.get(passage.doc_id, -1) + 1
            rank = release_rank[passage.doc_id] + WITHIN_RELEASE_DECAY * within
            title_terms = set(terms(passage.title))
            own_terms = [set(terms(sentence)) for sentence in quotable]
            for i, (sentence, own) in enumerate(zip(quotable, own_terms)):
                if len(sentence) < MIN_SENTENCE_CHARS or SIDEBAR.match(sentence) or _only_asks(sentence):
                    continue
                said = (own | title_terms) & wanted.keys() | _compounded(pairs, own)
                # Stems asked for that the sentence says in other words («выручка» for «доход»).
                rephrased = {t for t in wanted.keys() - said if like(t, sentence)}
                # A sentence must itself say something asked, or hold the number or sum asked for (or what was
                # discussed) right after or before one that does (a paraphrased question shares no word with
                # the sentence that answers it: «сколько команд сапёров» — «привлечено 110 групп разминирования»;
                # «о чём говорили по телефону?» — «Лидеры обсудили работу комиссии»).
                if not own & wanted.keys() and not rephrased:
                    beside = own_terms[max(0, i - 1) : i] + own_terms[i + 1 : i + 2]
                    answers = (kind in STRICT and holds(kind, sentence)) or (topic and says_a_topic(sentence))
                    if not (answers and any(o & wanted.keys() for o in beside)):
                        continue
                coverage = (sum(wanted[t] for t in said) + REPHRASED_WEIGHT * sum(wanted[t] for t in rephrased)) / total
                context = " ".join(quotable[max(0, i - 1) : i + 2])
                result.append(Candidate(passage, sentence, own, coverage, rank, context=context,
                                        before=quotable[i - 1] if i else ""))
        return result

    def _like_words(self, question_words: dict[str, str], texts: list[str]) -> Callable[[str, str], bool]:
        """`like(stem, sentence)`: whether the sentence holds a word near the question's word for that stem
        (their navec cosine at least RELATED_COSINE), one embedding of each distinct word."""
        vocabulary = list({w for text in texts for w in words(text) if len(w) > 3 and w[0].isalpha()})
        asked = list(question_words.values())
        if not vocabulary or not asked:
            return lambda stem, sentence: False
        vectors = self.embed(asked + vocabulary)
        near = (vectors[len(asked):] @ vectors[: len(asked)].T) >= RELATED_COSINE
        row = {w: i for i, w in enumerate(vocabulary)}
        column = {stem: j for j, stem in enumerate(question_words)}

        def like(stem: str, sentence: str) -> bool:
            j = column.get(stem)
            return j is not None and any(near[row[w], j] for w in words(sentence) if w in row)
        return like


def _compounded(pairs: list[tuple[str, str]], own: set[str]) -> set[str]:
    """The question's stems a sentence says in one word made of two of them: «водному хозяйству» in
    «водохозяйственных», «Чёрного моря» in «черноморских»."""
    said = set()
    for first, second in pairs:
        head, tail = first[: max(3, len(first) - 1)], second[: max(4, len(second) - 2)]
        if any(len(t) > len(first) + 3 and t.startswith(head) and tail in t[len(head):] for t in own):
            said |= {first, second}
    return said


AS_OF = {"ru": "По данным последнего релиза, от {date}:", "en": "As of the latest release, of {date}:",
         "kk": "Соңғы релиз бойынша, {date}:"}


def _as_of(query: Query, chosen: list[Candidate]) -> str:
    """A question about the present is answered with the date its answer is valid for."""
    date = chosen[0].passage.date
    return AS_OF.get(query.language, AS_OF["ru"]).format(date=date) if query.latest and date else ""


def _question_words(query: Query, wanted: dict[str, float]) -> dict[str, str]:
    """A word of the question (as searched, in Russian) for each stem asked for."""
    found: dict[str, str] = {}
    for word in words(query.search_text):
        for stem in terms(word):
            if stem in wanted:
                found.setdefault(stem, word)
    return found


def _only_asks(sentence: str) -> bool:
    """A question put in a transcript («А что вы думаете о сроках?») states nothing; a statement with a short
    question joined to it («…собрали 5 миллионов тонн. И что?») still does."""
    text = sentence.rstrip()
    return text.endswith("?") and re.search(r"[.!?…]\s", text[:-1]) is None


def _quotable(text: str) -> list[str]:
    """Sentences, a short one joined to the one before it: in a transcript the answer is often a reply of a
    few words («А.Труфанов: 498 дней.») that means nothing without the question it follows."""
    spans: list[tuple[int, int]] = []
    for sentence in sentences(text):
        if spans and min(sentence.end - sentence.start, spans[-1][1] - spans[-1][0]) < MIN_SENTENCE_CHARS:
            spans[-1] = (spans[-1][0], sentence.end)
        else:
            spans.append((sentence.start, sentence.end))
    return [text[start:end] for start, end in spans]


def _evidence(top: list[Passage], wanted: dict[str, float], total: float, best_similarity: float) -> float:
    known_share = sum(wanted.values()) / total
    coverage = max(_coverage(p, wanted, total) for p in top[:EVIDENCE_PASSAGES])
    return max(coverage, best_similarity * known_share)


def _coverage(passage: Passage, wanted: dict[str, float], total: float) -> float:
    present = set(terms(passage.title)) | set(terms(passage.text))
    return sum(w for t, w in wanted.items() if t in present) / total

