"""How search reads a reader's words: spelling variants, hyphen and space forms, and the
keys synonym sets and promotions are matched by. Pure functions, no database.

Spelling uses a variant table (not a general rule such as "ae → e", which would turn
"aerobic" into "erobic"): each row pairs a British and an American fragment of a medical
word, applied both ways, so "anaemia" also searches "anemia" and "estrogen" "oestrogen". A
variant that is no word matches nothing, so the table can be generous; it cannot be wrong
about a word it does not contain.
"""

import re
import unicodedata

# (British, American, where): "any" replaces the fragment anywhere in the word, "end" only
# as its ending. Fragments, not whole words, so "haem" covers haemoglobin, haematoma,
# haemorrhage and haemophilia.
SPELLING_VARIANTS = [
    ("anaem", "anem", "any"),
    ("haem", "hem", "any"),
    ("aemia", "emia", "any"),
    ("aemic", "emic", "any"),
    ("oestr", "estr", "any"),
    ("oedem", "edem", "any"),
    ("oesoph", "esoph", "any"),
    ("paed", "ped", "any"),
    ("foet", "fet", "any"),
    ("faec", "fec", "any"),
    ("aetiol", "etiol", "any"),
    ("rrhoea", "rrhea", "any"),
    ("pnoea", "pnea", "any"),
    ("coeli", "celi", "any"),
    ("caesar", "cesar", "any"),
    ("anaes", "anes", "any"),
    ("gynaec", "gynec", "any"),
    ("sulph", "sulf", "any"),
    ("tumour", "tumor", "any"),
    ("behaviour", "behavior", "any"),
    ("colour", "color", "any"),
    ("labour", "labor", "any"),
    ("odour", "odor", "any"),
    ("centre", "center", "any"),
    ("fibre", "fiber", "any"),
    ("litre", "liter", "any"),
    ("titre", "titer", "any"),
    ("aluminium", "aluminum", "any"),
    ("ageing", "aging", "any"),
    ("programme", "program", "any"),
    ("isation", "ization", "end"),
    ("ise", "ize", "end"),
    ("ised", "ized", "end"),
    ("ises", "izes", "end"),
    ("ising", "izing", "end"),
    ("yse", "yze", "end"),
    ("ysed", "yzed", "end"),
]
MAX_VARIANTS = 4
# A letter word then a short number ("SGLT 2", "COVID 19", "type 2") may be written as one.
SHORT_NUMBER = re.compile(r"\d{1,3}")
WORD = re.compile(r"[^\W_]+")
MAX_PHRASE_WORDS = 6


def _replace(word, old, new, where):
    if where == "end":
        return word[: -len(old)] + new if word.endswith(old) else word
    return word.replace(old, new)


def american(word: str) -> str:
    """The word with every British fragment of the table in its American form."""
    for british, us, where in SPELLING_VARIANTS:
        word = _replace(word, british, us, where)
    return word


def spelling_variants(word: str) -> list[str]:
    """The word first, then its other spellings (at most MAX_VARIANTS in all)."""
    forms = [word, american(word)]
    us = forms[1]
    for british, us_fragment, where in SPELLING_VARIANTS:
        forms.append(_replace(us, us_fragment, british, where))
    return list(dict.fromkeys(forms))[:MAX_VARIANTS]


def fold(text: str) -> str:
    """Case and accents folded, as the search indexes fold them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text; hyphens, slashes and punctuation separate words."""
    return WORD.findall(fold(text))


def _joinable(first: str, second: str) -> bool:
    return first.isalpha() and SHORT_NUMBER.fullmatch(second) is not None


def units(text: str) -> list[str]:
    """The words of a text with "sglt 2" and "sglt-2" as one unit, "sglt2"."""
    found = words(text)
    result = []
    index = 0
    while index < len(found):
        if index + 1 < len(found) and _joinable(found[index], found[index + 1]):
            result.append(found[index] + found[index + 1])
            index += 2
        else:
            result.append(found[index])
            index += 1
    return result


def split_compound(unit: str) -> tuple[str, ...] | None:
    """ "sglt2" as ("sglt", "2"), how an index that splits letters from digits holds it; None
    when the unit is not letters followed by a short number."""
    match = re.fullmatch(r"([^\W\d_]+)(\d{1,3})", unit)
    return match.groups() if match else None


def key(text: str) -> str:
    """What two spellings of one term share: folded, American, "sglt-2" as "sglt2". Synonym
    terms and promoted queries are matched by this key."""
    return " ".join(american(unit) for unit in units(text))


def vocabulary_words(text: str) -> set[str]:
    """The words of a text worth suggesting: three letters or more, not bare numbers."""
    return {
        word
        for word in words(text)
        if 3 <= len(word) <= 60 and any(character.isalpha() for character in word)
    }
