"""Places a release names otherwise than a question: capitals that stand for their countries' governments
(«Астана рассчитывает нарастить поставки», «согласованный Москвой и Вашингтоном список», "relations with
Baku"), whose release says the country's name; and regions made of countries («лидеры Центральной Азии»,
«Орталық Азия»), whose release may name only the countries."""

from __future__ import annotations

import re

from rag.answering.names import Entity, in_russian

# By the stem of the capital's name (rag.text.query_terms): the country as releases name it.
CAPITALS = {
    "москв": "Россия", "астан": "Казахстан", "бишкек": "Киргизия Кыргызстан", "ташкент": "Узбекистан",
    "душанб": "Таджикистан", "ашхабад": "Туркмения Туркменистан", "бак": "Азербайджан", "баку": "Азербайджан",
    "ереван": "Армения", "тбилис": "Грузия", "минск": "Белоруссия Беларусь", "киев": "Украина",
    "кишин": "Молдавия Молдова", "вашингтон": "США", "пекин": "Китай КНР", "токио": "Япония", "ток": "Япония",
    "тегеран": "Иран", "анкар": "Турция", "берлин": "Германия", "париж": "Франция", "лондон": "Великобритания",
}
# By the region's name in Russian (as rendered from the question's language): its countries as releases name them.
REGIONS = {
    re.compile(r"центральн\w*\s+ази"): "Казахстан Киргизия Кыргызстан Таджикистан Туркмения Туркменистан Узбекистан",
    re.compile(r"(?:южн|юг)\w*\s+(?:\w+\s+)?кавказ|закавказ"): "Азербайджан Армения Грузия",
    re.compile(r"прибалти"): "Латвия Литва Эстония",
    re.compile(r"скандинав"): "Швеция Норвегия Дания",
}
# After a preposition of place («в Бишкеке», «из Ташкента», "in Baku") a capital is the city itself; so is a
# Kazakh one in a case of place («Бішкекте», «Астанадан»).
PLACE_BEFORE = re.compile(r"\b(?:в|во|из|до|через|под|около|близ|по|in|at|to|from|into|near|around|across)\s+$",
                          re.IGNORECASE)
KAZAKH_PLACE_CASE = re.compile(r"(?:да|де|та|те|нда|нде|дан|ден|тан|тен|нан|нен)$")


def country_of(entity: Entity, question: str, language: str) -> str | None:
    """The country whose government a capital named in the question stands for, if it stands for one."""
    if entity.kind not in ("LOC", "NAME") or len(entity.stems) != 1 or entity.stems[0] not in CAPITALS:
        return None
    at = question.find(entity.text)
    if at >= 0 and PLACE_BEFORE.search(question[:at]):
        return None
    if language == "kk" and KAZAKH_PLACE_CASE.search(entity.text.lower()):
        return None
    return CAPITALS[entity.stems[0]]


def countries_of(entity: Entity, language: str) -> str | None:
    """The countries of a region named in the question, if it names one."""
    rendered = in_russian(entity.text, language).lower()
    return next((countries for region, countries in REGIONS.items() if region.search(rendered)), None)
