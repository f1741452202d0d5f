"""Role aliases whose acronym the tech supplement reads another way.

ESCO v1.1.1 lists "AI engineer", "AI specialist" and "AI technician" as labels of the animal
artificial insemination technician: its labels spell "AI" out as "artificial insemination". The
tech supplement (jdlens's curated vocabulary of current tech work) defines "AI" as artificial
intelligence, which is what the acronym means in nearly every job title written today. Matched as
written, such a label sends every "AI Engineer" posting to the insemination role, the kind of link
that makes a library untrustworthy.

The rule, general over acronyms: a role's label is left out of the title lookup (the exact alias
map and the alias embeddings) when it contains an acronym that
- the role's own labels spell out (a run of words whose initials are the acronym: "artificial
  insemination"), and
- the tech supplement defines as a skill alias whose skill's name spells it out differently
  ("principles of artificial intelligence").
The role keeps its other labels ("artificial insemination technician"), so its own postings still
reach it by title, duties and profile. ESCO's own acronym readings are not compared with each other
("ICT" is also ESCO's in-circuit test): only the curated pack's reading is trusted to be the current
one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from jdlens_server.library.tech_import import PACK as CURATED_SOURCE
from jdlens_server.nlp.normalize import singular

__all__ = ["ACRONYM", "CURATED_SOURCE", "acronym_expansions", "conflicting_role_aliases"]

# Skill aliases with this source carry the curated reading of an acronym.
ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")
_WORD = re.compile(r"[A-Za-z]+")


def acronym_expansions(acronym: str, labels: Iterable[str]) -> set[str]:
    """Every run of words in ``labels`` whose initials are ``acronym``, lower-cased and singular:
    ("AI", ["artificial insemination technician"]) -> {"artificial insemination"}."""
    initials = acronym.lower()
    found: set[str] = set()
    for label in labels:
        words = [w.lower() for w in _WORD.findall(label)]
        for i in range(len(words) - len(initials) + 1):
            run = words[i : i + len(initials)]
            # "AI infrastructure" spells "AI" with the acronym itself: no reading of it.
            if initials not in run and "".join(w[0] for w in run) == initials:
                # "resources" and "resource" spell the same acronym the same way.
                found.add(" ".join(map(singular, run)))
    return found


def conflicting_role_aliases(
    role_labels: Mapping[int, list[str]], curated_acronyms: Mapping[str, list[str]]
) -> set[tuple[int, str]]:
    """(role id, alias text) pairs to leave out of the title lookup (see the module's rule).

    ``role_labels``: per role its display name and alias texts; ``curated_acronyms``: per acronym
    the tech supplement defines as a skill alias, the names of the skills it stands for."""
    curated = {acronym: acronym_expansions(acronym, names) for acronym, names in curated_acronyms.items()}
    conflicts: set[tuple[int, str]] = set()
    for role_id, labels in role_labels.items():
        for label in labels:
            for acronym in set(ACRONYM.findall(label)):
                meant = curated.get(acronym)
                if not meant:
                    continue
                own = acronym_expansions(acronym, labels)
                if own and not own & meant:
                    conflicts.add((role_id, label))
    return conflicts
