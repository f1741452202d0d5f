"""Business domain of a JD and the coarse job family (archetype) of its role, from keyword rules."""

from __future__ import annotations

import re

from jdlens_server.nlp.parsed import Domain, DomainInfo

# domain -> alias -> keywords. Keywords are lower-case word sequences matched on whole tokens (hyphens
# read as spaces); a trailing "*" matches any word starting with that stem.
_DOMAINS: dict[str, dict[str, str]] = {
    "Software & SaaS Products": {
        "SaaS": "saas | software as a service | subscription software | cloud based platform",
        "Ad Tech": "ad tech | adtech | programmatic | advertising exchange | ad exchange | real time bidding"
        " | demand side platform | supply side platform | auction | auctions",
        "Software": "software company | software product | software products | software platform"
        " | software development | software solutions | enterprise software | erp software"
        " | tech company | technology company | startup | start up | developer tools | api | apis"
        " | web application | web applications | mobile app | mobile apps",
        "Data & AI": "big data | machine learning | artificial intelligence | data platform | data platforms"
        " | analytics platform",
    },
    "Information Technology & Services": {
        "IT Services": "it services | managed services | it support | helpdesk | help desk"
        " | information technology | ict",
        "Infrastructure": "network infrastructure | data center | data centers | data centre | data centres"
        " | server | servers | system administration",
        "Cybersecurity": "cybersecurity | cyber security | information security | security operations",
    },
    "Banking & Financial Services": {
        "Banking": "bank | banks | banking | branch | branches | loan | loans | deposit | deposits | credit"
        " | microfinance | savings",
        "Insurance": "insurance company | insurance products | insurance policies | insurance claims"
        " | underwriting | insurer",
        "Fintech": "fintech | payments platform | payment processing | payment solutions | mobile money"
        " | digital banking",
        "Investment": "investment bank | investment firm | investment management | asset management"
        " | capital markets | trading desk | private equity",
    },
    "Healthcare & Life Sciences": {
        "Healthcare": "hospital | hospitals | clinic | clinics | patient | patients | medical | clinical"
        " | healthcare | health care | nursing | physician | physicians",
        "Pharmaceuticals": "pharmaceutical | pharmaceuticals | pharmacy | pharmacies | drug | drugs"
        " | medicine"
        " | medicines | dispense | dispensing",
        "Public Health": "public health | hiv | malaria | tuberculosis | immunization | immunisation"
        " | maternal"
        " | epidemiolog* | nutrition",
        "Life Sciences": "biotech* | life sciences | laboratory | laboratories | research institute",
    },
    "Education": {
        "Schools": "school | schools | student | students | teaching | teacher | teachers | curriculum"
        " | classroom | classrooms | kindergarten | lesson plan | lesson plans | academy | pupils"
        " | learners",
        "Higher Education": "university | universities | college | colleges | academic | faculty | lecturer"
        " | lecturers",
        "EdTech": "edtech | ed tech | e learning | elearning | online learning",
    },
    "Hospitality & Food Service": {
        "Hotels": "hotel | hotels | resort | resorts | guest | guests | front office | housekeeping | lodge"
        " | lodges | banquet* | hospitality",
        "Food & Beverage": "restaurant | restaurants | kitchen | kitchens | chef | chefs | food and beverage"
        " | f&b | catering | menu | menus | culinary | bakery | pastry | pastries | cooking",
        "Travel & Tourism": "tourism | tourist | tourists | tour operator | travel agency | airline"
        " | airlines",
    },
    "Construction & Real Estate": {
        "Construction": "construction | civil engineering | contractor | contractors | building works"
        " | road project | road projects | bridge | bridges | site supervision | architect*",
        "Real Estate": "real estate | property | properties | apartment | apartments | housing | realtor",
    },
    "Manufacturing & Industrial": {
        "Manufacturing": "manufactur* | factory | factories | production line | production lines | plant"
        " | plants | assembly | industrial | machinery | quality control",
        "Textiles & Apparel": "garment | garments | textile | textiles | apparel | sewing | pattern making",
        "Food & Beverage Production": "brewery | breweries | bottled | bottling | beverage | beverages"
        " | food processing | processing facility | milling",
        "Chemicals": "chemical | chemicals | detergent | detergents | soap | paint | paints | cement"
        " | plastic"
        " | plastics",
    },
    "Retail & Consumer Goods": {
        "Retail": "retail | store | stores | shop | shops | supermarket | supermarkets | e commerce"
        " | ecommerce"
        " | merchandis*",
        "FMCG": "fmcg | consumer goods | wholesale | distributor | distributors | dealer | dealers",
    },
    "Logistics & Supply Chain": {
        "Logistics": "logistics | freight | shipping | transport | transportation | fleet | courier"
        " | delivery services",
        "Supply Chain": "supply chain | warehous* | inventory | inventories | procurement | sourcing"
        " | stock control | stock management | stock level | stock levels",
    },
    "Non-profit & International Development": {
        "NGO": "ngo | ngos | non profit | nonprofit | not for profit | humanitarian | donor | donors | usaid"
        " | refugee | refugees | beneficiary | beneficiaries | livelihood | livelihoods | civil society"
        " | charity | charitable | international development | development organization"
        " | development organisation | grant | grants",
        "Development Programs": "programme | programmes | project implementation | capacity building"
        " | monitoring and evaluation | m&e | meal | resilience | vulnerable",
        "WASH": "wash | water sanitation | sanitation | hygiene",
    },
    "Government & Public Sector": {
        "Government": "government | ministry | public sector | municipal* | federal | bureau"
        " | public administration | regional state",
    },
    "Agriculture": {
        "Agriculture": "agricultur* | farm | farms | farmer | farmers | farming | crop | crops | livestock"
        " | agronom* | seed | seeds | fertilizer | fertilizers | fertiliser | irrigation | oilseed"
        " | oilseeds | harvest* | agro* | teff | horticultur*",
    },
    "Energy & Utilities": {
        "Energy": "energy | renewable | renewables | solar | power plant | power generation | power sector"
        " | electricity | oil and gas | generator | generators | grid",
        "Utilities": "utility | utilities | water supply | water utility | water network | water treatment"
        " | pump | pumps",
    },
    "Telecommunications": {
        "Telecom": "telecom* | mobile network | isp | 4g | 5g | broadband | mobile phone | mobile phones"
        " | network operator",
    },
    "Media, Marketing & Advertising": {
        "Marketing": "marketing agency | advertising | brand | brands | branding | digital marketing"
        " | campaign"
        " | campaigns | public relations | social media",
        "Media": "broadcast* | tv | television | radio | journalis* | publishing | newspaper | newspapers"
        " | media house | media company | video production",
    },
    "Legal Services": {
        "Legal": "law firm | legal services | legal advice | legal counsel | litigation | attorney"
        " | attorneys"
        " | lawyer | lawyers | court | courts",
    },
    "Consulting & Professional Services": {
        "Consulting": "consulting firm | consulting company | consulting services | consultancy firm"
        " | advisory services | professional services | audit firm | management consult*",
        "Recruitment": "recruitment agency | staffing | talent acquisition | headhunt*",
        "Research": "research firm | research consultancy | survey | surveys | data collection | studies",
    },
    "Automotive & Transportation": {
        "Automotive": "automotive | vehicle | vehicles | car | cars | truck | trucks | tire | tires | tyre"
        " | tyres | garage | garages",
        "Aviation": "aviation | aircraft | airport | airports",
    },
}

_Key = tuple[str, str]  # (domain, alias)
# first word -> [(rest of the words, last word is a stem, key)]
_PHRASES: dict[str, list[tuple[tuple[str, ...], bool, _Key]]] = {}
_STEMS: dict[str, _Key] = {}  # one-word stems
for _domain, _aliases in _DOMAINS.items():
    for _alias, _spec in _aliases.items():
        for _kw in (k.strip() for k in _spec.split("|")):
            _words = _kw.split()
            _stem = _words[-1].endswith("*")
            if _stem:
                _words[-1] = _words[-1][:-1]
            if len(_words) == 1 and _stem:
                _STEMS[_words[0]] = (_domain, _alias)
            else:
                _PHRASES.setdefault(_words[0], []).append((tuple(_words[1:]), _stem, (_domain, _alias)))
_STEM_TUPLE = tuple(_STEMS)
_TOKEN = re.compile(r"[a-z0-9&+]+")
_MIN_SCORE = 3.0


def _keyword_counts(text: str) -> dict[tuple[_Key, str], int]:
    """Occurrences of each keyword (identified by its key and matched words)."""
    toks = _TOKEN.findall(text.lower().replace("'", ""))
    counts: dict[tuple[_Key, str], int] = {}
    # Most tokens start no keyword: test each distinct token once, then visit only the positions of hits.
    distinct = set(toks)
    starters = distinct.intersection(_PHRASES)
    starters.update(t for t in distinct if t.startswith(_STEM_TUPLE))
    for i in [i for i, tok in enumerate(toks) if tok in starters]:
        tok = toks[i]
        for rest, stem, key in _PHRASES.get(tok, ()):
            n = len(rest)
            if n == 0:
                counts[(key, tok)] = counts.get((key, tok), 0) + 1
                continue
            cand = toks[i + 1 : i + 1 + n]
            if (
                len(cand) == n
                and all(c == r for c, r in zip(cand[:-1], rest[:-1], strict=True))
                and (cand[-1].startswith(rest[-1]) if stem else cand[-1] == rest[-1])
            ):
                kw = " ".join((tok, *rest))
                counts[(key, kw)] = counts.get((key, kw), 0) + 1
        if tok.startswith(_STEM_TUPLE):
            for stem_word, key in _STEMS.items():
                if tok.startswith(stem_word):
                    counts[(key, stem_word)] = counts.get((key, stem_word), 0) + 1
    return counts


def find_domain(text: str) -> DomainInfo:
    """Primary and secondary domain by keyword evidence: each distinct keyword scores 1, repeats up to +1."""
    alias_score: dict[_Key, float] = {}
    for (key, _kw), n in _keyword_counts(text).items():
        alias_score[key] = alias_score.get(key, 0.0) + 1.0 + 0.5 * (min(n, 3) - 1)
    domain_score: dict[str, float] = {}
    for (domain, _alias), score in alias_score.items():
        domain_score[domain] = domain_score.get(domain, 0.0) + score
    ranked = sorted(domain_score.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < _MIN_SCORE:
        return DomainInfo()

    def build(domain: str, score: float) -> Domain:
        aliases = sorted(
            ((a, s) for (d, a), s in alias_score.items() if d == domain), key=lambda x: (-x[1], x[0])
        )
        return Domain(domain, tuple(a for a, s in aliases if s >= 2.0) or (aliases[0][0],), round(score, 2))

    primary = build(*ranked[0])
    secondary = None
    if len(ranked) > 1 and ranked[1][1] >= max(_MIN_SCORE, 0.5 * ranked[0][1]):
        secondary = build(*ranked[1])
    return DomainInfo(primary, secondary)


# ---------------------------------------------------------------- archetype

# First rule whose pattern matches the normalised title wins; order is most specific first.
_ARCHETYPES: list[tuple[str, str]] = [
    (
        "Data",
        r"data\s+(?:engineer|scien\w*|analy\w*|architect|platform)|machine\s+learning|\bml\b|\bai\b|"
        r"analytics|business\s+intelligence|\bbi\b|statistic\w*|data\s+manag\w*|database",
    ),
    (
        "Engineering",
        r"software|developer|programmer|dev\s?ops|\bsre\b|front[-\s]?end|back[-\s]?end|full[-\s]?stack|"
        r"web\s+\w*|mobile\s+(?:engineer|developer)|\bqa\b|test\s+(?:engineer|automation)|"
        r"cloud\s+engineer|platform\s+engineer|site\s+reliability|ios|android",
    ),
    (
        "IT",
        r"\bit\b|\bict\b|system(?:s)?\s+admin\w*|network\s+\w+|help\s?desk|technical\s+support|"
        r"support\s+engineer|security\s+analyst|cyber\w*|computer",
    ),
    (
        "Product & Design",
        r"product\s+(?:manager|owner|designer)|ux|ui\b|graphic\w*|designer|creative|animator|"
        r"illustrator|cad\b|draft\w*",
    ),
    (
        "Healthcare",
        r"nurs\w*|midwi\w*|physician|doctor|medical|clinical|pharmac\w*|therap\w*|radiolog\w*|"
        r"p(?:a)?ediatric\w*|surgeon|dentist|health|laboratory|lab\s+tech\w*|general\s+practitioner|"
        r"\bgp\b|optometrist|anesthe\w*|psycholog\w*|hygiene|caregiver|epidemiolog\w*",
    ),
    (
        "Education",
        r"teacher|lecturer|instructor|tutor|professor|educat\w*|school|trainer|academic|registrar|"
        r"curriculum|principal",
    ),
    (
        "Hospitality & Food",
        r"chef|cook|commis?|kitchen|pastry|baker|waiter|waitress|barista|bartender|"
        r"f\s*&\s*b|food\s+and\s+beverage|hotel|housekeep\w*|front\s+desk|reception\w*|"
        r"concierge|duty\s+manager|banquet|restaurant|camp\s+admin\w*",
    ),
    (
        "Sales",
        r"sales|account\s+(?:executive|manager)|business\s+development|key\s+account|promoter|"
        r"merchandis\w*|telesales|real\s+estate",
    ),
    (
        "Marketing & Communications",
        r"marketing|communicat\w*|brand\w*|public\s+relations|\bpr\b|seo|"
        r"social\s+media|content|copywriter|advertis\w*|promotion",
    ),
    (
        "Customer Service",
        r"customer\s+(?:service|experience|support|care|success)|call\s+cent\w*|"
        r"client\s+service",
    ),
    (
        "Finance & Accounting",
        r"account\w*|financ\w*|audit\w*|bookkeep\w*|cashier|treasur\w*|tax|payroll|"
        r"budget|credit|loan|banking|teller|controller|cost\s+account\w*|investment",
    ),
    (
        "Human Resources",
        r"\bhr\b|human\s+resource\w*|recruit\w*|talent|people\s+(?:partner|operations)|"
        r"training\s+(?:officer|coordinator)|personnel",
    ),
    ("Legal", r"legal|lawyer|attorney|paralegal|counsel|compliance|contract\s+(?:manager|officer)"),
    (
        "Operations & Logistics",
        r"logistic\w*|supply\s+chain|procurement|purchas\w*|store\s?keeper|warehouse|"
        r"inventory|fleet|dispatch\w*|operations|receiving\s+clerk|tender|driver|"
        r"shipping|import|export",
    ),
    (
        "Program & Development",
        r"program\w*|project\s+(?:officer|coordinator|assistant)|\bm\s?&\s?e\b|meal|"
        r"monitoring|evaluation|wash|resilience|livelihood|nutrition|humanitarian|"
        r"grant\w*|advisor|adviser|resource\s+mobili\w*|gender|protection|disaster",
    ),
    (
        "Civil & Industrial Engineering",
        r"civil|mechanical|electrical|structural|chemical\s+engineer|"
        r"material\w*\s+engineer|construction|site\s+\w+|surveyor|architect|"
        r"planning\s+(?:and\s+)?\w*\s*engineer|quantity\s+surveyor|technician|"
        r"mechanic|electrician|welder|plumber|generator|tire|engineer",
    ),
    (
        "Science & Research",
        r"chemist|biolog\w*|scien\w*|research\w*|laborator\w*|geolog\w*|entomolog\w*|"
        r"data\s+collector|enumerator|fellow\w*",
    ),
    (
        "Media & Creative",
        r"video\w*|photograph\w*|editor|journalist|broadcast\w*|producer|translator|"
        r"interpreter|writer|sign\s+language",
    ),
    (
        "Administration",
        r"assistant|secretar\w*|clerk|administrat\w*|office\s+(?:manager|assistant)|"
        r"data\s+(?:entry|encoder)|encoder|digitizer|typist|registrar|coordinator",
    ),
    ("Management", r"manager|director|head|chief|president|\bceo\b|general\s+manager|supervisor|lead"),
    ("Agriculture", r"agricultur\w*|agronom\w*|farm\w*|livestock|veterinar\w*|horticultur\w*|oilseed\w*"),
    ("Security", r"security\s+guard|guard|security\s+officer"),
]
_ARCHETYPE_RES = [(name, re.compile(p, re.IGNORECASE)) for name, p in _ARCHETYPES]
_DOMAIN_FAMILY = {
    "Healthcare & Life Sciences": "Healthcare",
    "Education": "Education",
    "Hospitality & Food Service": "Hospitality & Food",
    "Banking & Financial Services": "Finance & Accounting",
    "Software & SaaS Products": "Engineering",
    "Information Technology & Services": "IT",
    "Logistics & Supply Chain": "Operations & Logistics",
    "Non-profit & International Development": "Program & Development",
    "Agriculture": "Agriculture",
    "Legal Services": "Legal",
}


def find_archetype(normalized_title: str, domain: DomainInfo) -> str | None:
    """Job family from the title's words; the domain decides when the title says nothing."""
    if normalized_title:
        for name, rx in _ARCHETYPE_RES:
            if rx.search(normalized_title):
                return name
    if domain.primary is not None:
        return _DOMAIN_FAMILY.get(domain.primary.name)
    return None
