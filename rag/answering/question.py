"""What a question asks, read once, so that every passage and sentence is checked against the same model.

- entities: the people, places and organisations it names (`names.py`), each as the stems a release that
  speaks of it must hold;
- period: the day, month, season or years it is about (read by `rag.query`);
- answer type: a number, an amount of money, a share, a date, a person or a place (`expected.py`);
- focus: what a "how many" counts («сколько документов» → документ);
- predicate: what happened (its verbs: «подписали», «снизил»);
- events: the kinds of event it is about (a phone call, talks, a decree; `kinds.py`), which its release must report;
- whether it takes something as given: «почему ЦБ снизил ставку?», «считает ли Лавров, что…?» can be
  answered only by a release that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from rag.answering.expected import asks_a_persons_name, asks_who, expected_answer, measured_in
from rag.answering.names import Entity, in_russian, named_entities
from rag.answering.kinds import events_named, kind_of_document
from rag.answering.clauses import entity_clauses, second_asks
from rag.answering.tagging import tag
from rag.query import Query, detect_language, is_month, lists_months, without_dates
from rag.text import normalise, query_terms, terms

COUNTING = {"сколько", "скольких", "скольким", "сколькими"}
KAZAKH_COUNTING = {"қанша", "неше"}
KAZAKH_BE = ("бол", "екен")
# A Kazakh adjective made of a noun («базистік», «шетелдік»): what is counted is the noun after it.
KAZAKH_ADJECTIVE = re.compile(r"\w{3,}(?:лық|лік|дық|дік|тық|тік)$")
COSTING = re.compile(r"^(обош|обой|обход|оцени|стои|стоил|стоят)")
# What is done to a thing says nothing of which thing: «строительство комплекса» is about the complex.
ACTIONS = re.compile(r"^(строительств|реконструкц|создани|реализац|проведени|организац|закупк|покупк|ремонт|"
                     r"модернизац|разработк|производств)")
# «какую долю населения», «сколько процентов голосов»: what a share is of.
SHARE = re.compile(r"^(?:дол[яюие]й?|процент\w*)$")
# "how many pupils will …": the second word is what is counted only if it is no auxiliary or preposition.
ENGLISH_COUNT = re.compile(r"\bhow\s+many\s+(?:new\s+|more\s+|other\s+)?([A-Za-z-]+(?:\s+(?!(?:will|would|did|does|do|are|"
                           r"is|was|were|has|have|had|can|could|should|may|might|must|in|of|at|on|for|from|to|by|with|"
                           r"per|a|an|the|there|they|it|he|she|we|you)\b)[A-Za-z-]+)?)", re.I)
# A why-question, a yes/no question or one asking how someone judged something states what it asks
# about: the premise a release must say («почему ЦБ снизил ставку», «как Жапаров оценил идею …»).
PREMISED = re.compile(r"\b(почему|зачем|за\s+что|по\s+какой\s+причине|с\s+какой\s+целью|ли|why|for\s+what\s+reason|"
                      r"из-за\s+чего|ради\s+чего|что\s+заставил\w*|чем\s+(?:[^\W\d_]+\s+){0,3}?(?:объясн|мотивир)\w*|"
                      r"what\s+(?:made|caused|prompted)|"
                      r"неге|неліктен|не\s+үшін|не\s+себепті|ма|ме|ба|бе|па|пе)\b|^(did|does|do|is|was|were|will|has|have|"
                      r"had|can|could)\b|^как\b(?!\w).{0,80}?\bоцени|^how\s+(?:did|does|do)\b.{0,80}?\b(?:assess|rate|view|"
                      r"judge|evaluate)|қалай\s+бағала", re.I)
# A yes/no or why question about how good something was («правильно ли…», "is the target realistic?") asks
# for a judgement, which only a release making one can answer.
JUDGEMENT = re.compile(r"\b(правильн\w*|неправильн\w*|оправдан\w*|реалистичн\w*|обоснован\w*|разумн\w*|"
                       r"целесообразн\w*|ошиб\w*|успешн\w*|эффективн\w*|right|wrong|wise|realistic|justified|"
                       r"correct|mistaken?|successful|effective|sensible|дұрыс|қате|орынды|тиімді|табысты|сәтті|нәтижелі)\b", re.I)
# «как в ЕС отреагировали на …», «как страховщики отнеслись к …», "how did Kyiv react": a reaction the
# answer must state.
# Who is asked to react is the words between («как сами страховщики отнеслись»: страховщики).
REACTION = re.compile(r"\bкак\s+(?P<who>(?:[^\W\d_]+[\s—–«»\"',-]+){0,6}?)(?:отреагирова\w*|отнесл\w*|отнёсся|"
                      r"отнесся|восприня\w*|прокомментирова\w*|встретил\w*)|"
                      r"\bhow\s+did\s+(?P<who_en>(?:[\w-]+\s+){0,5}?)(?:react|respond|receive)|"
                      r"қалай\s+(?:қабылда|қара|жауап\s+бер|пікір)\w*|қандай\s+баға\s+бер\w*", re.I)
REACTION_VERB = re.compile(r"(?:отреагир|отнесл|отнес|восприня|прокомментир|встрети|react|respond|receiv)")
# Words of «как сами …», «как там …» that are not who reacts.
REACTOR_WORDS = {"сам", "там", "тогда", "сейчас", "publicly", "public"}
# Those outside government whose view a question may ask («по мнению аналитиков», «как оценили эксперты», "do
# economists think", «сарапшылардың пікірінше»), by the Russian stem a release would name them with: official
# releases rarely report their views, and a sentence that does not name them does not give their view.
PUNDITS = (("аналитик", re.compile(r"\b(?:аналитик\w*|analysts?|талдаушы\w*)")),
           ("эксперт", re.compile(r"\b(?:эксперт\w*|experts?|сарапшы\w*)")),
           ("экономист", re.compile(r"\b(?:экономист\w*|economists?)")),
           ("политолог", re.compile(r"\b(?:политолог\w*|political\s+scientists?|саясаттанушы\w*)")),
           ("наблюдател", re.compile(r"\b(?:наблюдател\w*|observers?)")),
           ("комментатор", re.compile(r"\b(?:комментатор\w*|commentators?|pundits?)")))
# What makes it their view asked, not their work told of («консультации экспертов», «наблюдательный совет»).
VIEW_BEFORE = re.compile(r"(?:по\s+(?:мнению|оценк\w*|прогноз\w*)|in\s+the\s+(?:view|opinion)\s+of|do|did|would)"
                         r"\s+(?:[^\W\d_]+\s+){0,2}$")
VIEW_AFTER = re.compile(r"^\w*\s+(?:[^\W\d_]+\s+)?(?:счита|оцени|полага|прогнозир|ожида|дума|уверен|think|believe|expect|"
                        r"view|assess|consider|пікір|болжам|бағала|ой)")
# «какой рост ВВП прогнозирует …», «какой прогноз дал …», "what did X forecast": a forecast the answer must
# state.
FORECAST_ASKED = re.compile(r"\b(прогноз\w*|ожидает|ожидают|рассчитывает|рассчитывают|forecast\w*|predict\w*|"
                            r"expect(?:s|ed|ing)?|anticipat\w*|болжа\w*|күтеді|күтілуде)\b", re.I)
# «о чём говорили», «что обсуждали», "what did they discuss", «не туралы сөйлесті»: what was discussed, which the
# answer must state (the release's announcement of the call does not).
TOPIC_ASKED = re.compile(r"\bо\s+ч[её]м\b|\bчто\s+(?:[^\W\d_]+\s+){0,4}?обсу[дж]\w*|"
                         r"\bкак\w*\s+(?:вопрос\w*|тем\w*)\s+(?:[^\W\d_]+\s+){0,4}?обсу[дж]\w*|"
                         r"\bwhat\s+(?:did|do|does|will|would)\b.{0,80}?\b(?:discuss\w*|talk\w*\s+about)\b|"
                         r"\bwhat\s+was\s+discussed\b|\bне\s+туралы\b|\bне\s+талқыла\w*|"
                         r"\bқандай\s+(?:мәселе\w*|тақырып\w*)\s+(?:[^\W\d_]+\s+){0,3}?талқыла\w*", re.I)
# A premise said in the negative: «почему Токаев не приедет», "why did he refuse", «неге қатыспайтынын».
NEGATED = re.compile(r"\b(не|ни|отказ\w*|not|never|refus\w*|declin\w*|\w+n't|бас\s+тарт\w*)\b|"
                     r"\b\w{2,}(?:май|мей|бай|бей|пай|пей)(?:тын|тін|ды|ді|мын|мін|сыз|сіз)\w*|"
                     r"\b\w{3,}(?:ма|ме|ба|бе|па|пе)(?:ды|ді|ған|ген)\b", re.I)
# Changes that exclude one another: a release saying the rate was raised denies that it was cut.
CHANGES = (("сниз", "сниж", "уменьш", "сокра", "пониз", "пониж"),
           ("повы", "увелич", "нарас", "нараща", "подня", "подним", "вырос"),
           ("сохран", "остав", "неизмен"))
CHANGE_STEMS = tuple(stem for group in CHANGES for stem in group)
ASSESSING = ("оцен",)
# Rates a release gives side by side, by the stem a question names each with and the stems a release says it in.
RATE_WORDS = 6
RATES = (("ключев", ("ключев",), "ключевая ставка"), ("инфляц", ("инфляц", "цен"), "инфляция"),
         ("безработ", ("безработ",), "безработица"), ("ввп", ("ввп",), "ВВП"))
WHICH = re.compile(r"^как(ой|ая|ое|ие|ую|их|им|ими)$")
OTHER_WHICH = re.compile(r"\b(?:which|what|қандай)\s+(\w+(?:\s+\w+)?)", re.I)
PLANNED = {"будет", "будут", "планируется", "планируются", "запланировано", "запланирован", "запланирована",
           "намечено", "намечен", "намечена", "предстоит"}
ENGLISH_FUTURE = re.compile(r"\b(will|going\s+to|scheduled|planned|due\s+to)\b", re.I)
# A question asking what was expected or planned, not what happened.
FORECAST = re.compile(r"\b(прогноз\w*|ожида\w*|предполага\w*|планир\w*|намерен\w*|собира\w*|forecast\w*|expect\w*|"
                      r"predict\w*|project\w*|болжа\w*|күтіл\w*|жоспар\w*)", re.I)
# What else asks of what lies ahead: a plan, a hypothetical ("would", "if they were deployed"), a deadline
# («к 2030 году», «2030 жылға қарай»), a Kazakh future participle («өтетін», «салынатын»), intention, or
# passive present-future («салынады», "will be built"; its past is «салынды»).
AHEAD = re.compile(r"\b(plan(?:s|ned|ning)?|would|could|if\s+(?:\w+\s+){0,3}were|by\s+20\d\d|к\s+20\d\d|"
                   r"20\d\d\s+жыл\w*\s+(?:қарай|дейін)|\w+(?:атын|етін|йтын|йтін)\w*|\w+(?:мақ|мек|пақ|пек)(?:шы|ші)\w*|\w+(?:іледі|ылады|інеді|ынады))\b", re.I)
# A number of the question with the word after it (a month there makes it a day), not part of «21.07.2023».
FIGURE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![.,]?\d)(?:\s*%|\s+([а-яёa-z]+))?")


@dataclass(frozen=True)
class Question:
    query: Query
    entities: tuple[Entity, ...]
    answer_type: str | None
    focus: tuple[str, ...]
    focus_word: str
    # «о чём говорили …?»: what was discussed.
    asks_topic: bool
    # The stems of the noun a «какой …» question asks of («какой товарооборот» → товарооборот), Russian only.
    asked_noun: tuple[str, ...]
    # What a share asked for is of («какую долю населения» → населен): a share of another whole
    # («40 процентов территории») does not answer.
    share_of: tuple[str, ...]
    share_of_word: str
    predicate: tuple[str, ...]
    # «как звали погибшую и сколько ей было лет?»: what each of its questions asks for, in their order
    answer_types: tuple[str, ...] = ()
    who: bool = False  # «кто стал врио губернатора?»: the answer names a person or body the question does not
    person: bool = False  # «как зовут мать?»: and that is a person
    cost_of: tuple[str, ...] = ()  # «во сколько обошлось строительство лодки»: what the sum must be the cost of
    premised: bool = False
    judged: bool = False  # «правильно ли ЦБ поднял ставку?»: a judgement the answer must state
    reaction: bool = False  # «как в ЕС отреагировали на …»: a reaction the answer must state
    reacting: tuple[str, ...] = ()  # and who reacts (ЕС), of whom the sentence or the ones beside it must speak
    pundits: tuple[str, ...] = ()  # «по мнению аналитиков»: whose view is asked, whom the sentence must name
    forecast: bool = False  # «какой рост ВВП прогнозирует министр?»: a forecast the answer must state
    # «какой уровень ключевой ставки», «какая инфляция»: the rate a figure must be of (its stem in the
    # question, the stems releases say it with, its name), as a key-rate release gives the rate, inflation and
    # GDP side by side
    rated: tuple[str, tuple[str, ...], str] | None = None
    negated: bool = False  # «почему он не приедет?»: a premise a release must state in the negative too
    changed: tuple[str, ...] = ()  # «снизил ключевую ставку»: what the question's verb acts on (its nouns)
    # «когда состоится визит?»: what is asked lies ahead of the release, so its date cannot answer "when".
    future: bool = False
    # «какую инфляцию прогнозирует ЦБ», or any question in the future tense: plans and forecasts answer it.
    looks_ahead: bool = False
    events: tuple[tuple[str, ...], ...] = ()  # «по телефону» → ("телефон", "разговор")
    # «сколько домов», "how many ships": things counted one by one, not a substance measured («сколько угля»).
    counted: bool = False
    measured_in: tuple[str, ...] = ()  # «какова длина моста»: the units its number must be of
    # «какие соглашения подписали …»: the kind of document asked for (its word, and the stems releases use
    # for it), which the answer must name
    document_kind: tuple[str, tuple[str, ...]] = ("", ())
    # «кто освобождён …, и кто назначен?», «в июле и в октябре»: more than one thing asked, each maybe in its
    # own release.
    asks_several: bool = False
    # «когда ЦБ поднял ставку до 21%?»: the figures it names (not years, not days of a month), which tell the
    # event it asks about; a release that has none of them speaks of another.
    figures: tuple[str, ...] = ()

    @property
    def asked_stems(self) -> set[str]:
        """Every stem the question says: its content words and its entities' names."""
        return set(self.query.content_terms) | {stem for entity in self.entities for stem in entity.stems}


def read_question(query: Query) -> Question:
    texts = [*query.used_history, query.question]
    docs = {text: tag(text) for text in texts} if query.language != "en" else {}
    entities: dict[tuple[str, ...], Entity] = {}
    asks = second_asks(query.question)
    for text in texts:
        named = named_entities(text, query.language, docs.get(text))
        # an entity of an earlier turn is of every clause (-1): the whole question is about it
        clauses = entity_clauses(text, named, asks, query.language) if text == query.question else [-1] * len(named)
        for (_, entity), clause in zip(named, clauses):
            entities.setdefault(entity.stems, replace(entity, clause=clause))
    tagged = docs.get(query.question) if query.language == "ru" else None
    focus_words = _focus(query.question, query.language, tagged)
    which = _which_noun(tagged)
    rendered = terms(in_russian(query.question, query.language))  # its stems in the releases' Russian
    reaction = REACTION.search(query.question)
    return Question(
        query=query,
        entities=tuple(entities.values()),
        answer_type=expected_answer(query.question),
        answer_types=_answer_types(query.question, asks),
        who=asks_who(query.question),
        person=asks_a_persons_name(query.question),
        focus=tuple(dict.fromkeys(stem for word in focus_words for stem in query_terms(in_russian(word, query.language)))),
        focus_word=" ".join(focus_words),
        share_of=tuple(query_terms(share_word)) if (share_word := _share_of(tagged)) else (),
        share_of_word=share_word,
        cost_of=_cost_of(tagged) if tagged is not None else (),
        # A reaction is to something the release must say happened («как отреагировали на требования»),
        # in its words but the reaction's own.
        predicate=tuple(p for p in _predicate(rendered, tagged) if not (reaction and REACTION_VERB.match(p))),
        premised=(premised := PREMISED.search(query.question.strip()) is not None or reaction is not None),
        judged=premised and JUDGEMENT.search(query.question) is not None,
        reaction=reaction is not None,
        reacting=_reacting(reaction, query.language),
        pundits=_pundits(query.question),
        forecast=FORECAST_ASKED.search(query.question) is not None,
        asks_topic=TOPIC_ASKED.search(query.question) is not None,
        asked_noun=tuple(terms(which)) if which else (),
        negated=premised and NEGATED.search(query.question) is not None,
        rated=_rated(query.question, rendered, query.language),
        changed=_objects(tagged) if tagged is not None else _changed_in_translation(rendered, query.language),
        future=(future := _future(query.question, tagged)),
        looks_ahead=future or FORECAST.search(query.question) is not None or AHEAD.search(query.question) is not None,
        events=events_named(rendered),
        counted=_counted(query.question, query.language, focus_words, tagged),
        measured_in=measured_in(query.question) if query.language == "ru" else (),
        asks_several=bool(asks) or len(query.periods) > 1 or lists_months(query.question),
        document_kind=_document_kind(query.question, tagged, which),
        figures=_figures(in_russian(without_dates(query.question), query.language)),
    )


def _answer_types(question: str, asks: list[int]) -> tuple[str, ...]:
    parts = [question] + [question[start:end] for start, end in zip([0, *asks], [*asks, None])]
    return tuple(dict.fromkeys(kind for part in parts if (kind := expected_answer(part))))


def _pundits(question: str) -> tuple[str, ...]:
    """Whose view outside government the question asks (`PUNDITS`), where it asks their view."""
    text = normalise(question)
    return tuple(stem for stem, said in PUNDITS for m in said.finditer(text)
                 if VIEW_BEFORE.search(text[: m.start()]) or VIEW_AFTER.search(text[m.end() - 1 :]))


def _reacting(reaction: re.Match | None, language: str) -> tuple[str, ...]:
    who = reaction and (reaction.group("who") or reaction.group("who_en"))
    if not who:
        return ()
    stems = [stem for stem in query_terms(in_russian(who, language)) if stem not in REACTOR_WORDS]
    # «российские бизнес-объединения»: an adjective of a country speaks of too many to tell who
    return tuple(stem for stem in stems if not stem.endswith("ск")) or tuple(stems)


def _figures(text: str) -> tuple[str, ...]:
    """The numbers a question names, as the releases' terms spell them, leaving out years and days."""
    found = []
    text = normalise(text)
    for match in FIGURE.finditer(text):
        number, before = match.group(1), text[: match.start()].split()[-1:] or [""]
        if not (len(number) == 4 and number[:2] in ("19", "20")) and not is_month(match.group(2) or "") \
                and not is_month(before[0]):
            found += terms(number)
    return tuple(dict.fromkeys(found))


def _predicate(rendered: list[str], tagged) -> tuple[str, ...]:
    """Its verbs' stems; for an English or Kazakh question, untagged, the changes and assessments its Russian
    rendering names («cut the key rate» → снизить, "how did he assess" → оценил)."""
    if tagged is not None:
        verbs = [t for t in tagged.tokens if t.pos == "VERB"]
        # What it says happened is its finite verbs («отозвал»), not what they govern («посетить»).
        finite = [t for t in verbs if t.feats.get("VerbForm") == "Fin"] or verbs
        return tuple(dict.fromkeys(stem for token in finite for stem in terms(token.text)))
    return tuple(dict.fromkeys(stem for stem in rendered if stem.startswith(CHANGE_STEMS + ASSESSING)))


def _changed_in_translation(rendered: list[str], language: str) -> tuple[str, ...]:
    """What an untagged question changes, in its Russian rendering: the two stems after its change ("hike the
    key rate"), or before it in a Kazakh one, whose verb comes last («мөлшерлемені неге көтерді»); not the
    other words of the change («ставки повышения повысить»)."""
    at = next((i for i, stem in enumerate(rendered) if stem.startswith(CHANGE_STEMS)), None)
    if at is None:
        return ()
    after = [stem for stem in rendered[at + 1 :] if not stem.startswith(CHANGE_STEMS)][:2]
    before = [stem for stem in rendered[:at] if not stem.startswith(CHANGE_STEMS)][-2:]
    return tuple(before or after) if language == "kk" else tuple(after or before)


def _focus(question: str, language: str, tagged) -> list[str]:
    """The words naming what a "how many" counts: the noun after «сколько» (past its adjectives), the word
    after «қанша», «неше», or the one or two words after "how many"."""
    if language == "en":
        match = ENGLISH_COUNT.search(question)
        return match[1].split() if match else []
    if language == "kk":
        words = [word.strip("?,.!") for word in question.split()]
        # «қанша болатынын»: the verb "to be" says nothing of what is counted.
        after = next((words[i + 1 :] for i, word in enumerate(words) if word.lower() in KAZAKH_COUNTING), [])
        if len(after) > 1 and KAZAKH_ADJECTIVE.match(after[0].lower()):
            after = after[1:]
        return [] if not after or after[0].lower().startswith(KAZAKH_BE) else after[:1]
    if tagged is None:
        return []
    noun = _noun_past_adjectives(tagged, lambda word: word in COUNTING, ("ADJ", "DET", "NUM"))
    return [noun] if noun else []


def _noun_past_adjectives(tagged, starts: Callable[[str], bool], passed: tuple[str, ...]) -> str:
    """The noun right after a word `starts` accepts (lowercased), past words of the parts of speech `passed`
    («сколько новых школ» → школ), for the first such word followed by one."""
    tokens = tagged.tokens
    for index, token in enumerate(tokens):
        if not starts(token.text.lower()):
            continue
        for following in tokens[index + 1 : index + 4]:
            if following.pos == "NOUN":
                return following.text
            if following.pos not in passed:
                break
    return ""


def _which_noun(tagged) -> str:
    """The first noun of the three words after a Russian question's first «какой», «какая», …"""
    if tagged is None:
        return ""
    for index, token in enumerate(tagged.tokens):
        if WHICH.match(token.text.lower()):
            return next((t.text for t in tagged.tokens[index + 1 : index + 4] if t.pos == "NOUN"), "")
    return ""


def _share_of(tagged) -> str:
    """The word naming what the share asked for is of: the noun after «доля», «процент» (past its
    adjectives), in a Russian question (an English or Kazakh word's Russian is too often a guess)."""
    return _noun_past_adjectives(tagged, SHARE.match, ("ADJ", "DET")) if tagged is not None else ""


def _document_kind(question: str, tagged, which: str) -> tuple[str, tuple[str, ...]]:
    """The stems of the kind of document a «какой/какие …» question asks for (its first noun, `which`), if it
    asks for one: a sentence that names no such document cannot say which."""
    if tagged is None:
        # "which agreements …", «қандай келісімдер …»: the word after the question word, in Russian
        match = OTHER_WHICH.search(question)
        language = detect_language(question)
        words = match[1].split() if match else []
        return next(((word, kind) for word in words if (kind := kind_of_document(in_russian(word, language)))), ("", ()))
    kind = kind_of_document(which) if which else ()
    return (which, kind) if kind else ("", ())


def _rated(question: str, rendered: list[str], language: str) -> tuple[str, tuple[str, ...], str] | None:
    """The rate a question asks the figure of: the first one it names, among its first words when it is
    Russian («какой была годовая инфляция … в пресс-релизе о ключевой ставке» asks inflation; «каким был
    темп прироста денежной массы … о ключевой ставке» asks no rate of these)."""
    stems = terms(" ".join(question.split()[:RATE_WORDS])) if language == "ru" else rendered
    found = [(i, rate) for i, stem in enumerate(stems) for rate in RATES if stem.startswith(rate[0])]
    return min(found)[1] if found else None


def _counted(question: str, language: str, focus_words: list[str], tagged) -> bool:
    if language == "en":
        return ENGLISH_COUNT.search(question) is not None
    return tagged is not None and any(t.text in focus_words and t.feats.get("Number") == "Plur" for t in tagged.tokens)


def _future(question: str, tagged) -> bool:
    if tagged is None:
        return ENGLISH_FUTURE.search(question) is not None
    return any(token.feats.get("Tense") == "Fut" or token.text.lower() in PLANNED for token in tagged.tokens)


def _objects(tagged) -> tuple[str, ...]:
    """The stem of the first noun after each verb, past its adjectives («снизил ключевую ставку» → ставк)."""
    found = []
    tokens = tagged.tokens
    for index, token in enumerate(tokens):
        if token.pos != "VERB":
            continue
        for following in tokens[index + 1 : index + 4]:
            if following.pos == "NOUN":
                found += terms(following.text)
                break
            if following.pos not in ("ADJ", "DET", "NUM"):
                break
    return tuple(dict.fromkeys(found))


def _cost_of(tagged) -> tuple[str, ...]:
    """The nouns after «во сколько обошлось / обойдётся / оценивается / стоит»: what the sum is the cost of."""
    tokens = tagged.tokens
    for index, token in enumerate(tokens):
        if COSTING.match(token.text.lower()) and any(t.text.lower() == "сколько" for t in tokens[max(0, index - 2):index]):
            nouns = [t.text for t in tokens[index + 1 : index + 6] if t.pos in ("NOUN", "PROPN")
                     and not ACTIONS.match(t.text.lower())]
            return tuple(nouns[:2])
    return ()
