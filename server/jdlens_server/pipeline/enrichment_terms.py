"""Curated word lists behind the offline enrichment: AI vocabulary, tech-stack maturity terms and
the kinds of work. Data only; ``enrichment`` does the matching.

Each entry is a display name and its spellings. Spellings are matched as whole tokens (see
``Vocabulary``), spaces also match hyphens, and a plural "s" is allowed. A spelling written in
``CASE:`` form is matched case-sensitively: names that are also words or
abbreviations that are also words ("AI", "ML", "RAG", "Spark", "Claude", "Go") count only as
written.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

__all__ = [
    "AI_BUILDS_PRODUCTS",
    "AI_TEAM",
    "AI_TITLE_EXTRA",
    "AI_VOCABULARY",
    "MATURITY",
    "WORK_FAMILIES",
    "Tokens",
    "Vocabulary",
]


# Words (letters, digits, underscore) and single symbols; "-" and "·" are dropped so that
# "real-time" and "real time", "DALL·E" and "DALL E" give the same tokens.
_TOKEN = re.compile(r"\w+|[^\w\s\-\u00b7]")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


class Tokens:
    """A stretch of text cut into tokens once, for every vocabulary that searches it."""

    __slots__ = ("_end", "_spans", "_start", "_text", "folded", "words")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.words: list[str] = _TOKEN.findall(text, start, end)
        self.folded: list[str] = list(map(str.casefold, self.words))
        self._text, self._start, self._end = text, start, end
        self._spans: list[tuple[int, int]] | None = None

    @classmethod
    def of(cls, text: str, start: int = 0, end: int | None = None) -> Tokens:
        return cls(text, start, len(text) if end is None else end)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets in the whole text of tokens ``first`` to ``last`` (inclusive)."""
        if self._spans is None:  # only a stretch with a term needs offsets: found on the first
            self._spans = [m.span() for m in _TOKEN.finditer(self._text, self._start, self._end)]
        return self._spans[first][0], self._spans[last][1]


class Vocabulary:
    """Terms of one or more categories, found by token n-gram lookup in one pass over the text.

    Matching is on whole tokens, so "Java" never fires inside "JavaScript", and a final plural "s"
    of the text is tolerated ("LLMs", "neural networks"). Spec lines: ``Name | spelling | ...``
    (the name is a spelling too)."""

    def __init__(self, **categories: str) -> None:
        self._exact: dict[tuple[str, ...], tuple[str, str]] = {}
        self._folded: dict[tuple[str, ...], tuple[str, str]] = {}
        self.names: dict[str, list[str]] = {}
        # The most tokens of a term by the folded form of its first token (a plural "s" is only
        # ever dropped from the last token, so longer terms need their first token as spelt).
        self._longest_from: dict[str, int] = {}
        for category, spec in categories.items():
            self.names[category] = []
            for line in spec.strip().splitlines():
                spellings = [p.strip() for p in line.split("|") if p.strip()]
                name = spellings[0].removeprefix("CASE:")
                self.names[category].append(name)
                for spelling in spellings:
                    case_sensitive = spelling.startswith("CASE:")
                    key = tuple(t for t, _, _ in _tokens(spelling.removeprefix("CASE:")))
                    first = key[0].casefold()
                    self._longest_from[first] = max(self._longest_from.get(first, 1), len(key))
                    if case_sensitive:
                        self._exact.setdefault(key, (category, name))
                    else:
                        self._folded.setdefault(tuple(t.casefold() for t in key), (category, name))
        # Tokens that can open a term, and what they (or their plural) fold to: a text token whose
        # folded form is not among the latter opens nothing, whatever its case.
        self._openers = {k[0] for k in self._exact} | {k[0] for k in self._folded}
        folded_openers = {o.casefold() for o in self._openers}
        self._opener_folds = folded_openers | {o + "s" for o in folded_openers}

    def _lookup(self, key: tuple[str, ...], folded: tuple[str, ...]) -> tuple[str, str] | None:
        for candidate, table in ((key, self._exact), (folded, self._folded)):
            hit = table.get(candidate)
            last = candidate[-1]
            # A name written as it is cased takes a plural only as an acronym ("LLMs"): "Springs"
            # is a place's name, not Spring.
            if (
                hit is None
                and len(last) > 2
                and last.endswith("s")
                and (table is self._folded or last[:-1].isupper())
            ):
                hit = table.get((*candidate[:-1], last[:-1]))
            if hit is not None:
                return hit
        return None

    def find(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[str, str, int, int]]:
        """(category, term name, start, end) of every match in ``text[start:end]``, longest first,
        without overlaps."""
        return self.find_in(Tokens.of(text, start, end))

    def find_in(self, tokens: Tokens) -> Iterator[tuple[str, str, int, int]]:
        """``find`` over text already cut into tokens."""
        words, folded = tokens.words, tokens.folded
        openers, opener_folds = self._openers, self._opener_folds
        i = 0  # the first token not inside a term found
        for at in [k for k, f in enumerate(folded) if f in opener_folds]:
            if at < i:
                continue
            w, f = words[at], folded[at]
            plural = w.endswith("s") and (w[:-1] in openers or f[:-1] in openers)
            if not (w in openers or f in openers or plural):
                continue
            for n in range(min(self._longest_from.get(f, 1), len(words) - at), 0, -1):
                hit = self._lookup(tuple(words[at : at + n]), tuple(folded[at : at + n]))
                if hit is not None:
                    yield (hit[0], hit[1], *tokens.span(at, at + n - 1))
                    i = at + n
                    break

    def search(self, text: str) -> list[str]:
        """Names of the terms found in a short text (a title, a skill name)."""
        return list(_search(self, text))


# Every run asks about its title and each skill name, and library skill names recur from JD to JD.
@functools.lru_cache(maxsize=1 << 14)
def _search(vocabulary: Vocabulary, text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for _, name, _, _ in vocabulary.find(text)))


_AI_ASSISTANTS = """
GitHub Copilot | CASE:Copilot
ChatGPT | Chat GPT
CASE:Claude | Claude Code
CASE:Gemini
Cursor AI | Cursor IDE
Amazon CodeWhisperer | CodeWhisperer | Amazon Q Developer
Tabnine
Codeium | Windsurf IDE
Perplexity AI
Midjourney
DALL-E | DALL·E
"""

_AI_FRAMEWORKS = """
TensorFlow
PyTorch
Keras
scikit-learn | scikit learn | sklearn
CASE:JAX
Hugging Face | HuggingFace | Hugging Face Transformers
LangChain
LangGraph
LlamaIndex
DSPy
Semantic Kernel
AutoGen
CrewAI
spaCy
NLTK
OpenCV
XGBoost
LightGBM
CatBoost
MLflow
Kubeflow
SageMaker | Amazon SageMaker
Vertex AI
Azure Machine Learning | CASE:Azure ML
Azure OpenAI
Amazon Bedrock | AWS Bedrock
OpenAI API | CASE:OpenAI
Anthropic API | CASE:Anthropic
vLLM
ONNX
TensorRT
Pinecone
Weaviate
Milvus
FAISS
pgvector
MLlib
fastai | fast.ai
MXNet
"""

_AI_MODELS_CONCEPTS = """
machine learning
deep learning
artificial intelligence
CASE:AI
CASE:ML
generative AI | CASE:GenAI | CASE:Gen AI
large language model | CASE:LLM
natural language processing | CASE:NLP
computer vision
neural network
reinforcement learning
retrieval-augmented generation | retrieval augmented generation | CASE:RAG
prompt engineering
transformer model
CASE:GPT | CASE:GPT-4 | CASE:GPT-4o | CASE:GPT-3.5
CASE:BERT
diffusion model
foundation model
vector database | vector search | vector store
AI agent | agentic AI | agentic
MLOps | LLMOps
predictive modeling | predictive modelling
recommendation system | recommender system | recommendation engine
speech recognition
supervised learning
unsupervised learning
feature engineering
model training
"""

AI_VOCABULARY = Vocabulary(
    assistants=_AI_ASSISTANTS, frameworks=_AI_FRAMEWORKS, models_concepts=_AI_MODELS_CONCEPTS
)
# Title words that mark an AI job beyond the vocabulary above.
_AI_TITLE_EXTRA = """
Prompt Engineer
Applied Scientist
"""

AI_TITLE_EXTRA = Vocabulary(title=_AI_TITLE_EXTRA)

_AI_WORD = (
    r"(?:AI|ML|GenAI|LLM|NLP|(?i:machine[\s-]+learning|artificial[\s-]+intelligence|generative[\s-]+AI|"
    r"deep[\s-]+learning|computer[\s-]+vision|data[\s-]+science|applied[\s-]+(?:AI|ML|science)))"
)
# "our ML team", "the Applied AI group", "AI Research lab".
AI_TEAM = re.compile(
    rf"(?<![A-Za-z0-9]){_AI_WORD}(?:[\s-]+(?i:research|platform|engineering|products?))?[\s-]+"
    r"(?i:teams?|groups?|org|organi[sz]ation|labs?|departments?|squads?|units?|division)(?![A-Za-z0-9])"
)
# Building AI: a build verb and an AI object in the same clause ("develop LLM-powered features",
# "train and deploy machine learning models", "ship AI agents").
AI_BUILDS_PRODUCTS = re.compile(
    r"(?i:\b(?:build|develop|design|ship|deploy|train|fine[\s-]*tun|create|deliver|launch|productioni[sz]|"
    r"engineer|integrat|implement)\w*)[^.;:\n]{0,60}?"
    # Up to three lower-case words may qualify the product ("an LLM-powered clinical documentation
    # product"): letters only, so a hyphen is always a separator (no ambiguous splits to backtrack
    # over), and not "tools" or a function word ("AI tools and existing systems" builds nothing).
    rf"(?<![A-Za-z0-9])(?:{_AI_WORD}[\s-]*(?i:powered|driven|based|native|enabled)?"
    r"(?:[\s-]+(?!(?:tools?|and|or|for|with|on|to|in|of|the|a|an|our|your|their)(?![a-z]))[a-z]+){0,3}?[\s-]+"
    r"(?i:products?|features?|applications?|apps|systems?|solutions?|services?|agents?|assistants?|models?|"
    r"platforms?|pipelines?)"
    r"|(?i:(?:large[\s-]+)?language[\s-]+models?|chatbots?|copilots?|recommendation[\s-]+(?:systems?|engines?)|"
    r"neural[\s-]+networks?))(?![A-Za-z0-9])"
)


_LEGACY = """
COBOL
mainframe
AS/400 | AS400 | iSeries
CASE:JCL
CASE:CICS
CASE:RPG | RPG IV
Fortran
CASE:PL/I
Visual Basic 6 | CASE:VB6 | VBScript
Classic ASP
ColdFusion
PowerBuilder
CASE:Delphi
Lotus Notes
Silverlight
Adobe Flash | ActionScript
CASE:Perl
Subversion | CASE:SVN
J2EE
CASE:EJB
Apache Struts | CASE:Struts
WebSphere
WebLogic
CASE:SOAP
Oracle Forms
Informix
Sybase
CASE:DB2
z/OS
"""
_MAINSTREAM = """
Java
SQL
C# | CASE:C#
.NET | ASP.NET
C++
Python
JavaScript
PHP
Ruby on Rails | CASE:Ruby
CASE:Oracle
MySQL
PostgreSQL | Postgres
SQL Server | MSSQL
MongoDB
Redis
Linux
Unix
Git
CASE:REST | RESTful
Spring Boot | CASE:Spring
Hibernate
Tableau
Power BI
Jenkins
Maven
Hadoop
CASE:Hive
Bash | shell scripting
CASE:Scala
HTML
CSS
jQuery
Angular
Node.js | NodeJS
Elasticsearch
VMware
Ansible
CASE:Excel
Salesforce
CASE:SAP
CASE:Workday
Microsoft Dynamics | Dynamics 365
ServiceNow
Splunk
CASE:Jira
CASE:Confluence
SharePoint
Zendesk
NetSuite
QuickBooks
Google Analytics
Google Ads
Marketo
"""
_MODERN = """
Kubernetes | CASE:k8s
Docker
containerization | containerisation
Kafka
CASE:Spark | Apache Spark
Flink
Airflow
Terraform
CASE:AWS | Amazon Web Services
CASE:GCP | Google Cloud
CASE:Azure
CASE:Snowflake
Databricks
CASE:dbt
CASE:React | React.js
Vue.js | CASE:Vue
Next.js
TypeScript
Golang
CASE:Rust
HubSpot
CASE:Looker
Figma
CASE:Amplitude
CrowdStrike
Kotlin
GraphQL
gRPC
microservices
serverless
CASE:Trino
CASE:Presto
StarRocks
ClickHouse
BigQuery
Redshift
Delta Lake
CASE:Iceberg | Apache Iceberg
CASE:Pulsar
Kinesis
DynamoDB
Cassandra
CI/CD
GitOps
Argo CD | ArgoCD
CASE:Helm
Prometheus
Grafana
OpenTelemetry
Istio
event-driven
stream processing | streaming data | real-time streaming
lakehouse
infrastructure as code
Ceph
"""
_AI_NATIVE = """
large language model | CASE:LLM
generative AI | CASE:GenAI
retrieval-augmented generation | CASE:RAG
vector database | vector search | vector store
LangChain
LangGraph
LlamaIndex
prompt engineering
AI agent | agentic
foundation model
CASE:OpenAI
CASE:Anthropic
Hugging Face
Pinecone
Weaviate
Milvus
pgvector
vLLM
embeddings
Model Context Protocol
"""
MATURITY = Vocabulary(LEGACY=_LEGACY, MAINSTREAM=_MAINSTREAM, MODERN=_MODERN, AI_NATIVE=_AI_NATIVE)


# Kinds of work, each with the words that signal it in responsibility sentences.
WORK_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE))
    for label, body in (
        (
            "Data pipeline development",
            r"data[\s-]+pipelines?|pipelines?|ETL|ELT|data[\s-]+(?:platforms?|infrastructure|warehous\w*|lakes?|"
            r"ingestion|delivery|flows?|integration)|ingest\w*|streaming|batch(?:es)?|data[\s-]+model\w*",
        ),
        (
            "Software development",
            # "permit applications" and "food services" are no software: applications and services
            # count with a software word before them.
            r"software|code|coding|(?:web|mobile|software|cloud|desktop)[\s-]+(?:applications?|apps?|services?)|"
            # "web" and "mobile" alone are channels ("mobile banking", "web orders"), not software work
            r"APIs?|features?|debug\w*|programm\w*|front[\s-]*end|back[\s-]*end|full[\s-]*stack|"
            r"(?:web|mobile)[\s-]+(?:development|developers?|engineering|platforms?|UI)|micro[\s-]*services?",
        ),
        (
            "Machine learning and AI",
            # A model or an algorithm of learning, not a BIM, business or financial model; the
            # training of a model, not of staff.
            r"machine[\s-]+learning|ML|AI|LLMs?|neural|deep[\s-]+learning|"
            r"(?:predictive|statistical|language|learning|generative|foundation|recommendation|ranking|"
            r"classification|computer[\s-]+vision|NLP)[\s-]+(?:models?|algorithms?)|"
            r"model[\s-]+(?:training|inference|serving|evaluation|deployment)|inference",
        ),
        (
            "Data analysis and reporting",
            # Reports of data, not the "monthly reports" every role writes.
            r"analy[sz]\w*|insights?|dashboards?|(?:analytical|data|BI|statistical)[\s-]+report\w*|"
            r"reporting[\s-]+(?:tools?|automation)|metrics|KPIs?|visuali[sz]\w*|statistic\w*",
        ),
        (
            "Infrastructure and operations",
            # Monitoring and performance of systems, not of projects, staff or sales.
            r"infrastructure|deploy\w*|cloud|servers?|networks?|incidents?|reliability|uptime|DevOps|SRE|"
            r"(?:system|server|network|infrastructure|application|production)s?[\s-]+(?:monitoring|performance)|"
            r"monitor\w*[\s-]+(?:(?:the|our)[\s-]+)?(?:production|systems?|servers?|services|infrastructure|networks?)|"
            r"monitoring[\s-]+(?:tools?|(?:and|&)[\s-]+alerting|alerts?|dashboards?)|alerting|observability|"
            r"on[\s-]?call|performance[\s-]+tuning",
        ),
        ("Research", r"research\w*|experiments?|publish\w*|hypothes\w*|studies|scientific"),
        (
            # Managing people, not "manage the platform" or "stakeholders": every role has those.
            "People leadership and management",
            r"(?:manag\w*|lead\w*|supervis\w*)[\s-]+(?:(?:a|the|our|your)[\s-]+)?(?:\w+[\s-]+)?(?:teams?|people|staff|"
            r"engineers|analysts)|line[\s-]+manag\w*|people[\s-]+manag\w*|mentor\w*|coach\w*|hir(?:e|ing)|"
            r"budgets?|direct[\s-]+reports?|team[\s-]+members?",
        ),
        (
            "Sales and business development",
            # "Accounts" alone is bookkeeping as often as selling: only client accounts count.
            r"sales?|sell\w*|revenue|quotas?|prospect\w*|deals?|negotiat\w*|business[\s-]+development|"
            r"(?:key|client|customer|new|named|strategic|enterprise)[\s-]+accounts?|account[\s-]+(?:management|executives?)|"
            r"cross[\s-]*sell\w*|up[\s-]*sell\w*|acquir\w*[\s-]+new[\s-]+(?:\w+[\s-]+)?customers",
        ),
        (
            # Serving customers, not "customer orders" or "support the team".
            "Customer support and service",
            r"customer[\s-]+(?:service|support|care|queries|inquir\w*|complaints?|experience|success)|"
            r"tickets?|help[\s-]*desk|complaints?|(?:serve|assist|help)[\s-]+customers",
        ),
        (
            "Marketing and communications",
            r"marketing|campaigns?|SEO|SEM|PPC|social[\s-]+media|content|newsletters?|email[\s-]+(?:marketing|flows?)|"
            r"lead[\s-]+(?:generation|scoring|nurtur\w*)|communications|press|public[\s-]+relations",
        ),
        (
            "Warehouse and logistics",
            # Physical goods only: "continuous delivery", "load balancers", "vulnerability scanners"
            # and "stock of cloud costs" are software work.
            r"warehouse\w*|pick(?:ing)?[\s-]+(?:and|&)[\s-]+pack\w*|picking|unload\w*|loading[\s-]+bays?|goods|"
            r"delivery[\s-]+(?:vehicles?|notes?|drivers?|routes?)|stock[\s-]+(?:control|rotation|checks?|takes?|levels?|room)|"
            # Goods dispatched, not a 911 dispatcher's units.
            r"dispatch(?:ing|es)?[\s-]+(?:of[\s-]+)?(?:goods|orders|shipments|parcels|stock|deliveries)|goods[\s-]+dispatch|"
            r"forklifts?|pallets?|(?:RF|handheld)[\s-]+scanners?|freight|couriers?|parcels?",
        ),
        (
            "Finance and accounting",
            r"accounting|bookkeep\w*|ledgers?|reconcil\w*|payroll|invoic\w*|audit\w*|tax(?:es|ation)?|"
            r"financial[\s-]+(?:statements?|reports?|reporting|close)|month[\s-]+end|accounts[\s-]+(?:payable|receivable)|"
            r"journal[\s-]+entries|budgets?|forecast\w*|variance[\s-]+analys\w*|budget[\s-]+variances?|financial[\s-]+model\w*|P&L|FP&A|cash[\s-]+flow|"
            r"credit[\s-]+(?:risk|analysis|applications?|reviews?|limits?)|loans?",
        ),
        (
            "Engineering design and construction",
            r"civil|structural|construction|site[\s-]+(?:plans?|work|visits?|development)|drainage|grading|"
            r"permits?|drawings?|(?-i:CAD)|surveys?|stormwater|plans[\s-]+and[\s-]+specifications|utilities|"
            r"roadways?|earthwork",
        ),
        (
            "Food and drink service",
            r"coffee|espresso|drinks?|beverages?|menus?|kitchen|food[\s-]+(?:preparation|safety|service)|"
            r"baristas?|cook\w*|bak(?:e|ing)|dining|chefs?|recipes?|mise[\s-]+en[\s-]+place|dishes|plating|pastry|sauces?",
        ),
        (
            "Hospitality and guest service",
            r"guests?|check[\s-]*ins?|check[\s-]*outs?|reservations?|front[\s-]+(?:desk|office)|housekeeping|"
            r"hotels?|concierge",
        ),
        (
            "Driving and transport",
            r"driv(?:e|es|ing)|drivers?|CDL|routes?|trucks?|lorr(?:y|ies)|vans?|tractor[\s-]+trailers?|haul\w*|vehicles?|"
            r"miles|(?-i:DOT)|logbooks?|ELDs?",
        ),
        (
            "Human resources",
            r"(?-i:HR)|human[\s-]+resources?|recruit\w*|onboard\w*|employee[\s-]+relations|benefits[\s-]+administration|"
            r"personnel|hiring|talent[\s-]+acquisition|HRIS|leave[\s-]+(?:requests?|programs?|management)",
        ),
        (
            "Care and treatment",
            r"patients?|care|treatment|therap\w*|clinical|diagnos\w*|nursing|dispens\w*[\s-]+(?:medicines?|medications?|prescriptions?|drugs)|prescriptions?|"
            r"medicines?|medications?|pharmac\w*|social[\s-]+work|child[\s-]+protection|safeguarding|home[\s-]+visits|caseloads?",
        ),
        (
            "Legal work",
            # Law as the work, not "comply with regulations and policies", which every job does.
            # ("HIV counselling" is care: only a lawyer's counsel counts.)
            r"legal|contracts?|agreements?|(?:legal|general|corporate|in[\s-]+house|outside|product)[\s-]+counsel\w*|"
            r"litigation|intellectual[\s-]+property|statutory|lawyers?|attorneys?|court[\s-]+(?:hearings?|filings?|"
            r"proceedings|cases?)|legislation|lawsuits?|"
            r"regulat\w*[\s-]+(?:advice|guidance|filings?|matters|frameworks?)",
        ),
        (
            "Programmes, policy and community work",
            # Grants, proposals and indicators of programmes ("grants user access", "sales proposals" and
            # KPIs are not).
            r"programmes?|programs?[\s-]+(?:implementation|activities|sites?|quality)|implementing[\s-]+partners?|"
            r"(?:performance|programme|program|project|outcome|output|logframe)[\s-]+indicators?|"
            r"monitoring[\s-]+(?:and|&)[\s-]+evaluation|(?-i:M&E|MEAL)|logframes?|donors?|"
            r"grant[\s-]+(?:writing|proposals?|applications?|funding|management)|(?:funding|donor|grant)[\s-]+proposals?|"
            r"fundrais\w*|beneficiar\w*|communit(?:y|ies)|households?|outreach|humanitarian|"
            # Policy as the work ("draft policy briefs"), not the employer's policies every job follows.
            r"policy[\s-]+(?:development|analysis|research|briefs?|papers?|advice|options|making)|public[\s-]+policy|"
            r"consultations?",
        ),
        ("Teaching and training", r"teach\w*|students?|curricul\w*|lessons?|instruct\w*|learners?"),
        (
            "Design and creative work",
            r"UX|UI|user[\s-]+experience|graphic\w*|visual|creative|brand\w*|illustrat\w*|wirefram\w*|prototyp\w*|"
            r"(?-i:Figma)|usability|user[\s-]+research|interaction[\s-]+design|design[\s-]+systems?",
        ),
        (
            "Operations and administration",
            r"schedul\w*|administ\w*|documentation|records?|compliance|coordinat\w*|logistics|inventory|"
            r"procurement|invoic\w*",
        ),
        (
            "Hands-on technical work",
            r"install\w*|repair\w*|equipment|machines?|machinery|operat(?:e|ing)|inspect\w*|assembl\w*|weld\w*",
        ),
    )
)
