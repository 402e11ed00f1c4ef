"""The kinds of event a question asks about (a phone call, talks, a decree), which its release must report, and
the kinds of document a «какой …» question asks for, which the sentence quoted must name."""

from __future__ import annotations

from rag.text import terms

# Kinds of event releases report, by the stems that name them (in any of a kind's words): a question about
# a phone call is not answered by a greeting that names the same president.
EVENT_KINDS = (("телефон", "разговор"), ("переговор", "встреч", "бесед", "визит", "совещан", "заседан"),
               ("указ", "распоряжен"), ("интервью",), ("поздрав", "телеграм"), ("пресс-конференц",))
# Kind stems that also begin other words' stems, so they name the kind only whole: «указал», «указание»,
# «указывал» are no decrees.
WHOLE_KIND_STEMS = frozenset({"указ"})
# Kinds of document, each with the words releases use for it.
DOCUMENT_KINDS = (("соглашен", "договор", "меморандум", "контракт", "конвенц"),
                  ("документ", "соглашен", "договор", "меморандум", "заявлен", "деклараци", "программ", "план"),
                  ("указ",), ("закон",))


def events_named(stems: list[str]) -> tuple[tuple[str, ...], ...]:
    """The kinds of event these stems (a question's, in the releases' Russian) name."""
    return tuple(kind for kind in EVENT_KINDS if any(names_kind(stem, kind) for stem in stems))


def names_kind(stem: str, kind: tuple[str, ...]) -> bool:
    """Whether a word's stem names an event of the kind: it begins with one of the kind's stems («телефонн»
    of «телефонный»), or is one of the `WHOLE_KIND_STEMS`."""
    return any(stem == own if own in WHOLE_KIND_STEMS else stem.startswith(own) for own in kind)


def kind_of_document(word: str) -> tuple[str, ...]:
    """The stems of the kind of document a word names («соглашения» → соглашен, договор, …), or ()."""
    stems = terms(word)
    return next((kind for kind in DOCUMENT_KINDS if stems and stems[0].startswith(kind)), ())
