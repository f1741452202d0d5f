"""How a skill alias from a pack is typed and how the matcher may use it.

Alias types: the preferred label is CANONICAL (and primary), ESCO hidden labels are HIDDEN, a short
all-caps alternative label ("CRM", "GDPR") is an ABBREVIATION, other labels ALTERNATIVE.

Match strategy: an alias that is short (two characters or fewer once folded: "R", "C", "IT") or is a
single ordinary English word ("go", "swift", "access", "design") would fire on text that merely
uses the word, so it is CONTEXT_REQUIRED: the matcher counts it only near supporting context. All
other aliases are CASE_INSENSITIVE. "Ordinary word" is the compact list below: frequent English
words plus the everyday words that double as product names in the packs. A word missing here is
matched freely; that is a precision trade-off the matcher's context rules can tighten later.
"""

from __future__ import annotations

import re

from jdlens_server.nlp.normalize import fold

__all__ = [
    "ABBREVIATION",
    "ALTERNATIVE",
    "CANONICAL",
    "CASE_INSENSITIVE",
    "COMMON_WORDS",
    "CONTEXT_REQUIRED",
    "HIDDEN",
    "alias_type",
    "match_strategy",
]

CANONICAL = "CANONICAL"
ALTERNATIVE = "ALTERNATIVE"
ABBREVIATION = "ABBREVIATION"
HIDDEN = "HIDDEN"

CASE_INSENSITIVE = "CASE_INSENSITIVE"
CONTEXT_REQUIRED = "CONTEXT_REQUIRED"

SHORT_ALIAS_CHARS = 2
_ABBREVIATION_MAX = 5
# Upper-case letters and digits with inner '&', '/', '-' or '.' ("R&D", "PL/I"); two capitals at least.
_ALL_CAPS = re.compile(r"(?=(?:.*[A-Z]){2})[A-Z][A-Z0-9&/.\-]*[A-Z0-9+]")

_COMMON_WORDS_TEXT = """
    a about above access act action active activity add address advice after again age agent air all
    alarm alert also amber analysis and angle answer any apple apply arch area arm art as ask
    assembly at attention aura back bake balance ball bamboo bar base basic bash bass be beam bear
    bed bell best better big bird black block blue board boat body bold bond book boost border boss
    bottle box brain branch brave bridge bright bring broad brush build bus business but button buy
    by cake call camel camera can canvas capital car card care cargo carry case cash cast cat catch
    cell centre center chain chair change charm chart chat check chef chip choose circle city class
    clay clean clear click climb clock close cloud club coach coal coat code coffee cold collect
    colour color come comet common compass complete compose computer concrete conduct connect
    contact control cook cool copper copy core corn cost count cover craft crane create credit crew
    cross crown crystal cube cup curl current cut cycle daily dance dart dash data date day deal
    decide deep delegate delta design desk detect develop dial diamond direct dish do dock dog door
    dot double draft dragon draw dream dress drill drive drop drum dust eagle early earth ease east
    easy echo edge effect egg eight element elite embark end energy engine enter equipment even
    event every excel exchange express eye face fact fair faith falcon fall fast feather feed feel
    field figure file fill film filter find fine fire first fish fit five fix flag flash flat fleet
    flex flight float flow flower fly focus fold follow food foot for force forest form forward
    fountain four fox frame free fresh from front fruit fuel full fun function fund game garden gate
    gear general get give glass globe go goal gold good grade grain grand graph grass great green
    grid ground group grow guard guide gulf hack half hall hammer hand handle harbor harbour
    hardware harmony harvest have hawk head health heart heat help here hero high hill hive hold
    home honey hook hope horizon horse host hot hour house hub human ice idea image impact in index
    information ink insight inspire interview into iron island it item jazz jet job join joy judge
    jump just keep key kind king kit kite lab label lake land lane language large laser last late
    launch law layer lead leaf lean learn less level lever library life lift light lime line link
    lion list live load local lock log logic long look loop lotus love low luck lunar machine magic
    magnet mail main make map marble mark market mars mass master match matrix matter maven may meet
    member memo mercury mesh message metal meter method metro mind mine mint mirror mission mix
    mobile mode model money monitor moon more motion motor mountain mouse move music name nation
    nature near need nest net network new news next night nine no noble north note nova now number
    oak object ocean of off office oil on one open opera optic orange orbit order organ origin out
    over own pace pack page paint pan paper park part partner pass path pattern pay peak pen people
    pepper person phoenix photo pick picture piece pilot pine pioneer pipe pitch place plan plane
    planet plant plate play plus pocket point polar pole pool port post power practice present press
    prime print pro process product program project protect prove pulse pump puppet pure purpose
    push put quality quest quick radar radio rage rain range rapid rate raven reach react read ready
    real record red reef reflex region relay remote report rest ride right ring ripple rise river
    road rock rocket roll room root rose round route rule run rush rust safe sage sail salt sand
    save scale scan scene school science scope score scout scratch screen script sea seal search
    season seat second secure seed select sell send sense serve service set seven shape share sharp
    shell shield shift ship shop short show side sight sign signal silver simple single site six
    size sketch skill sky slate slide small smart snap snow so social solar solid solution sound
    source south space spark speak special speed sphere spider spin spirit split spot spring square
    stack stage staff stamp stand star start state station steam steel step stock stone stop store
    storm story stream street strike strong studio style success suite summit sun support surface
    survey swift switch symbol system table take talent talk target task taste team tech test text
    the theme thing think thread three thunder tide tiger time tip to today token tool top total
    touch tower town trace track trade trail train transfer travel tree trend trip true trust try
    tube turn twin two type union unit unity up use user valley value vault vector venture view
    vision visit voice wall watch water wave way web well west wheel white wide wild win wind window
    wing wire wise with wolf wood word work world write yard year yellow yes you zen zero zone
"""
COMMON_WORDS: frozenset[str] = frozenset(_COMMON_WORDS_TEXT.split())


def alias_type(text: str, *, preferred: bool = False, hidden: bool = False) -> str:
    if preferred:
        return CANONICAL
    if hidden:
        return HIDDEN
    if len(text) <= _ABBREVIATION_MAX and _ALL_CAPS.fullmatch(text):
        return ABBREVIATION
    return ALTERNATIVE


def match_strategy(text: str) -> str:
    """CONTEXT_REQUIRED for short or single common-word aliases, else CASE_INSENSITIVE."""
    folded = fold(text)
    compact = folded.replace(" ", "")
    if len(compact) <= SHORT_ALIAS_CHARS:
        return CONTEXT_REQUIRED
    if " " not in folded and folded in COMMON_WORDS:
        return CONTEXT_REQUIRED
    return CASE_INSENSITIVE
