"""What kind of answer a question expects (a number, a person or place, a date), read from its wording,
and whether a sentence holds one. Extractive answering prefers sentences that do."""

from __future__ import annotations

import re

from rag.text import normalise, terms

# What a "какой/какую …" question measures when it asks for a number («какую годовую инфляцию»).
MEASURES = (r"длин\w*|протяженност\w*|высот\w*|глубин\w*|ширин\w*|площад\w*|мощност\w*|уровень|уровне|ставк\w*|процент\w*|дол(?:я|ю|и|ей)\b|сумм\w+|размер\w*|инфляц\w*|курс\w*|объ?ем\w*|"
            r"цен\w*|численност\w*|количеств\w*|темп\w*|рост\w*|показател\w*|прогноз\w*|продолжительност\w*|"
            r"длительност\w*|скорост\w*|рекорд\w*|прирост\w*|увеличени\w*|част(?:ь|и)\b|дол(?:е|ей)\b|"
            r"спад\w*|снижени\w*|сокращени\w*|падени\w*|замедлени\w*|ускорени\w*|дефицит\w*|профицит\w*")
EXPECTS = {
    "money": re.compile(
        r"\b(во\s+сколько\s+(обош\w+|обой\w+|обход\w+|оцен\w+)|сколько\s+(?:будет\s+|будут\s+|может\s+)?(стои\w+|денег|средств)|"
        r"сколько\s+(?:\w+\s+){0,3}?(?:зарабат\w+|заработа\w+)|"
        r"как\w+\s+(?:\w+(?:ую|ой|ый|ий|ая|ое|ые|ых)\s+)?(сумм\w+|стоимост\w*|бюджет\w*|доход(?:а|ы|ов|ом|у)?|выручк\w*|прибыл(?:ь|и|ью)|"
        r"зарплат\w*|инвестици(?:[йяию]|ям|ях|ями))|how\s+much\b.{0,80}?\bcost|what\s+did\b.{0,80}?\bcost|"
        r"what\s+(?:[\w-]+\s+){0,2}?(?:revenue|income|profit|earnings|turnover|dollar\s+value|budget)\b|"
        r"what\s+(?:[\w-]+\s+){0,4}?(?:loan|mortgage|payment|grant|subsidy|allowance)\s+(?:amount|sum|size)\b|"
        r"қанша\s+(теңге|доллар|рубль|сом|ақша|қаржы|қаражат)\w*|қандай\s+сома\w*|сома\w*\s+қанша|құны\s+қанша|"
        r"қанша\s+тұра\w*|"
        r"бағасы\s+қанша)\b"),
    "percent": re.compile(
        r"\b(сколько|на\s+сколько|как\w+)\s+(процент\w*|дол(?:я|ю|и|ей)\b)|what\s+(percentage|share)\b|"
        # a rate is a percentage: «какая сейчас ключевая ставка», «какой была годовая инфляция»
        r"\bкак\w+\s+(?:был\w*\s+|сейчас\s+|теперь\s+)?(?:\w+(?:ую|ой|ый|ий|ая|ое|ые|ых)\s+)?"
        r"(?:ставк\w*|инфляц\w*|доходност\w*|безработиц\w*)|"
        r"\bwhat\s+(?:is|was|were)\s+(?:the\s+)?(?:[\w']+\s+){0,5}(?:rate|inflation|unemployment)\b|"
        # "what key rate did …", "what share of …", "what inflation rate …"
        r"\bwhat\s+(?:[\w-]+\s+){0,2}(?:(?<!birth\s)(?<!fertility\s)(?<!exchange\s)rate|share|percentage|proportion)\b|"
        # «қанша бөлігі», «қандай үлесі», «неше пайыз»: what share
        r"\b(?:қанша|қандай|неше)\s+(?:бөлі\w*|үлес\w*|пайыз\w*)"),
    "number": re.compile(
        r"\b(сколько|скольк\w+|на\s+сколько|насколько|до\s+как\w+\s+(уровня|отметки|значения)|"
        rf"как\w+\s+(был\w*\s+|стал\w*\s+|будет\s+|сейчас\s+|теперь\s+)?(\w+(?:ую|ой|ый|ий|ая|ое|ые|ых|ей)\s+)?({MEASURES})|"
        r"how\s+(many|much|large|big|high|long|fast|far)|what\s+(level|rate)|"
        r"what\s+(?:[\w-]+\s+){0,2}?(?:capacity|growth|figure|temperature|pressure|speed|population|record|output)\b|what\s+(?:is|was|were|will\s+be)\s+the\s+(?:\w+\s+)?(?:value|volume|"
        r"amount|size|number|level|figure)|қанша|неше|қандай\s+(?:деңгей|көрсеткіш|мөлшер|көлем)\w*)\b"
    ),
    # A day, not just a year: «какого числа», «в какой день», «на какое число назначено» (not «какое число
    # санкций», a number).
    "day": re.compile(r"\b(какого\s+числа|(?:на\s+какое|к\s+какому)\s+числ[оу]|в\s+какой\s+день|какую\s+дату|(?:on\s+)?what\s+(?:exact\s+|precise\s+)?(?:day|date)|"
                      r"қай\s+күн\w*)\b"),
    # «…, когда они встретились» and "… when they met" tell of the event asked about, not when it was; a
    # "when" that asks starts the question or is followed by its auxiliary ("…, when did Putin say …").
    "date": re.compile(r"\b((?<!,\s)когда|(?:^\s*|\b(?:and|or|but)\s+)when|when(?=\s+(?:did|do|does|was|were|is|are|will|would|could|can|has|have|had)\b)|қашан|в\s+как(?:ом|ие|ой)\s+(?:году|сроки|срок)|к\s+какому\s+(?:сроку|году)|"
                       r"какого\s+года|(?:in\s+)?(?:what|which)\s+year|by\s+when|қай\s+жылы)\b"),
    # English "who" asks only where a clause starts ("Who replaced…", "…, and who took over"); after a noun it
    # is a relative pronoun ("the share of leavers who go on to work").
    "name": re.compile(r"\b(кто|кого|кому|кем|как\s+(?:\w+\s+)?(?:зовут|звали|называ\w*|назван\w*)|кім)\b|"
                       r"(?:^|[,;:]\s*|\b(?:and|but|or|then)\s+)(?:(?:to|with|by|from|for|of)\s+)?(who|whom)\b"),
    "place": re.compile(r"\b(где|куда|откуда|в\s+как\w+\s+(город\w*|стран\w*|регион\w*|мест\w*)|where|қай\s+жерде)\b"),
}
# Digits, or a number in words («четверо погибших», «две трети», «полтора миллиона»).
NUMBER = re.compile(r"\d|\b(один|одна|одно|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|двое|трое|четверо|пятеро|"
                    r"сто|сотн\w*|тысяч\w*|миллион\w*|миллиард\w*|триллион\w*|половин\w*|трет(?:ь|и|ью|ей)|четверт(?:ь|и|ью|ей)|полтор\w+|"
                    r"дважды|вдвое|втрое|\w+надцат\w*|\w+десят\w*)\b")
# An amount of money names its currency, or is millions and billions of nothing else: «260 млн долларов»,
# «по 2,5 миллиона каждому», but not «18 миллионов тонн» (nor «рубежей»).
MONEY = re.compile(
    r"\b(руб(?:л\w*|\.)|долл\w*|евро\b|юан\w*|тенге\b|сом(?:ов|а|ы)?\b)|[$€₽]|"
    r"\b(?:млн|млрд|трлн|миллион\w*|миллиард\w*|триллион\w*)\b(?!\.?\s+(?:тонн|кубометр|человек|км|квт|кв|баррел|"
    r"штук|голов|пассажир|единиц|жител|зрител|доз|кв\.|солдат|военн|дет|ребен|семей|семь|граждан|пенсионер|студент|"
    r"школьник|учащ|люд|турист|посетител|участник|подписчик|абонент|пользовател|вопрос|звонк|обращен|заяв|экземпляр|"
    r"книг|голос|избирател|сотрудник|работник|специалист|пациент|гектар|квадратн|кубическ|литр|километр|метр|"
    r"процедур|дел\b|случа|прививок|вакцин|автомобил|машин|квартир|дом|мест|рабочих))")
PERCENT = re.compile(r"%|\bпроцент\w*|\bп\.\s?п\.|\bб\.\s?п\.|\bдол[ияюе]\b|\bполовин\w*|\bтрет(?:ь|и|ью|ей)\b")
# What an extractive answer cannot do without: a "how much" question quoted without any number is no answer.
STRICT = ("money", "percent", "number")
# A year is a number of 19xx or 20xx not followed by what it counts: «в 2024 году», «2024,» but not «на 1931 мест».
DATE = re.compile(r"\b\d{1,2}\s+(январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)|"
                  r"\b(19|20)\d\d\b(?!\s+(?!год|г\.|гг)[а-яё])")
DAY = re.compile(DATE.pattern.split("|\\b(19")[0] + r"|\b\d{1,2}\.\d{1,2}\.(19|20)\d\d\b")
# A capitalised word that does not start the sentence: a name of a person, place or organisation.
PROPER = re.compile(r"(?<=[^.!?\s]\s)[А-ЯЁA-Z][а-яёa-z]+")


# «Как зовут …», «как звали …»: the name of a person.
PERSON_NAMED = re.compile(r"как\s+(?:\w+\s+)?(?:зовут|звали)")


def asks_who(question: str) -> bool:
    """Whether its first question asks who did something («кто стал врио», "who replaced", «кім басқарады») or
    a person's name («как зовут»): a person or body the answer must name. «Кому», «кого» may be answered by a
    group («семьям с детьми»)."""
    word = _name_asked(question)
    return word is not None and (word in ("кто", "who", "кім") or PERSON_NAMED.fullmatch(word) is not None)


def asks_a_persons_name(question: str) -> bool:
    word = _name_asked(question)
    return word is not None and PERSON_NAMED.fullmatch(word) is not None


def _name_asked(question: str) -> str | None:
    """The words a question asking for a name asks with («кто», "who", «как зовут»), if it asks for one."""
    if expected_answer(question) != "name":
        return None
    match = EXPECTS["name"].search(normalise(question))
    return match[1] or match[2]


def expected_answer(question: str) -> str | None:
    """The kind its first question word asks for («кто принял его, когда он приехал?» asks who), the more
    specific kind where two start together («сколько процентов» is a share before it is a number)."""
    text = normalise(question)
    found = [(match.start(), order, kind) for order, (kind, pattern) in enumerate(EXPECTS.items())
             if (match := pattern.search(text))]
    return min(found)[2] if found else None


# Dates, years and times of day are numbers a "how many" question does not ask for («в декабре 2023 года
# мы запускали…», «время публикации — 13:30»).
# So is the number of a figure of speech («буквально два слова о …», «пару слов»).
# So are the digits of an address («accredit@may9.ru», «www.cbr.ru/press/pr/?file=20122024») and of a name
# («Волгонефть-239», «Су-57»).
# «один из тезисов» is one of several, no count.
NOT_AN_AMOUNT = re.compile(rf"\b(?:два|пару|пара)\s+слов\w*|\b(?:один|одна|одно|одного|одной|одним|одну|одном)\s+из\b|\S+@\S+|(?:https?://|www\.)\S+|\b[\w.-]+\.(?:ru|рф|com|org|net|kz)\b\S*|"
                           rf"(?<=[^\W\d_])[-‑]\d+\w*|"
                           rf"{DATE.pattern}|\b\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}\b|\b\d{{1,2}}:\d{{2}}\b")


# Units of measure a number may be of: «37 тысяч квадратных метров» counts no people.
UNITS = ("метр", "километр", "км", "тонн", "гектар", "га", "рубл", "доллар", "евро", "юан", "тенге", "процент", "%",
         "год", "лет", "месяц", "недел", "дня", "дней", "день", "суток", "час", "минут", "секунд", "градус", "литр",
         "кубометр", "баррел", "квт", "мвт", "гвт", "мегаватт", "киловатт", "гигаватт", "ватт", "кг", "килограмм",
         "б.п", "п.п")
# What a question about a size asks to be measured in («какова длина моста» → metres or kilometres).
LENGTH = ("метр", "километр", "км", "сантиметр", "миллиметр")
MEASURED = {"длин": LENGTH, "протяжен": LENGTH, "высот": LENGTH, "глубин": LENGTH, "ширин": LENGTH,
            "площад": ("метр", "километр", "гектар", "га", "км"),
            "мощност": ("квт", "мвт", "гвт", "мегаватт", "киловатт", "гигаватт", "ватт", "тонн"),
            "вес": ("тонн", "кг", "килограмм"), "масс": ("тонн", "кг", "килограмм")}
MEASURING = re.compile(r"\b(?:как\w*|како\w+)\s+(?:\w+(?:ую|ой|ый|ий|ая|ое|ые|ых)\s+)?(" + "|".join(MEASURED) + r")\w*")
AMOUNT = re.compile(r"(?<![\d,.])\d[\d\s]*(?:[.,]\d+)?\s*(?:тыс\w*\.?|млн|млрд|трлн|миллион\w*|миллиард\w*|триллион\w*)?"
                    r"\s*-?\s*(%|[а-яёa-z.]+)?(?:\s+([а-яёa-z.]+))?")


def measured_in(question: str) -> tuple[str, ...]:
    """The units a question about a size wants its number in; () if it asks no size."""
    match = MEASURING.search(normalise(question))
    return MEASURED[match[1]] if match else ()


def holds_measure(units_wanted: tuple[str, ...], sentence: str) -> bool:
    """Whether the sentence gives a number in one of these units («1 250 метров», «более тысячи километров»)."""
    words = re.findall(r"[а-яёa-z]+", normalise(sentence))
    return holds("number", sentence) and any(w.startswith(unit) for w in words for unit in units_wanted)


def units(sentence: str) -> list[str | None]:
    """For each number of a sentence (dates and times aside), the unit of measure it is of, if it is one
    («37 тысяч квадратных метров» → метр; «10 812 жилых домов» → None)."""
    found = []
    for match in AMOUNT.finditer(NOT_AN_AMOUNT.sub(" ", normalise(sentence))):
        following = [w for w in match.groups() if w]
        found.append(next((unit for w in following for unit in UNITS if w.startswith(unit)), None))
    return found


def names_another(sentence: str, known: set[str]) -> bool:
    """Whether the sentence names someone or somewhere whose stem is not in `known` (the question's own): «кто
    принял Бектенова?» is not answered by «Олжас Бектенов подчеркнул…»."""
    return any(not set(terms(name)) <= known for name in PROPER.findall(sentence))


def holds(kind: str | None, sentence: str) -> bool:
    if kind == "money":
        return bool(MONEY.search(normalise(sentence)))
    if kind == "percent":
        return bool(PERCENT.search(normalise(sentence)))
    if kind == "number":
        return bool(NUMBER.search(NOT_AN_AMOUNT.sub(" ", normalise(sentence))))
    if kind == "date":
        return bool(DATE.search(normalise(sentence)))
    if kind == "day":
        return bool(DAY.search(normalise(sentence)))
    if kind in ("name", "place"):
        return bool(PROPER.search(sentence))
    return False
