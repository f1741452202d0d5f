"""Role aliases that are a bare occupation word: "operator" for the shotfirer.

ESCO's labels include one-word labels that name no field: "operator" is a label of the shotfirer,
"clerk" of the lottery cashier, "inspector" of the private detective, "installer" of the tent
installer, "designer" of the art director, "apprentice" of the cook. Matched as an exact alias,
every posting titled "Operator" became a shotfirer with confidence 1.0 (on the dev titles, 49 of
69 such one-word alias hits were wrong); embedded, the label pulls every title whose field the
model does not know toward the one role that holds it.

The rule: a one-word label of a role is left out of the title lookup (the exact alias map and the
alias embeddings) when it is not the role's own name and either
- the word heads the names of at least GENERIC_HEAD_ROLES roles ("operator" heads 283 of ESCO's:
  "crane operator", "kiln operator", ...): it names a kind of work found in every field; or
- it is a grade word (apprentice, trainee, intern, executive): a level, not an occupation.
A two-word label of a word for a group of workers and an occupation word ("team leader", a label
of the zoo section leader; "shift supervisor") is left out too: it names no field either. So is a
label that the names of two roles or more end in (the label's own role counted: "risk manager"
of the financial and the corporate risk managers), unless it is the role's own name:
"teaching assistant" of the university teaching assistant names the kind that the primary,
secondary and early years teaching assistants share too, and matched as that one role's exact
alias it made every school's teaching assistant a university's, with confidence 1.0
("sales representative" names the medical, technical and commercial ones).
Specific one-word labels stay: "geologist" of the geologist roles, "electrician" (which heads 9
names), "cashier" of the cashier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from jdlens_server.nlp.normalize import singular
from jdlens_server.nlp.title import is_role_head, normalize_key, normalize_title

__all__ = ["GENERIC_HEAD_ROLES", "generic_role_aliases"]

GENERIC_HEAD_ROLES = 10
_GRADE_WORDS = frozenset({"apprentice", "trainee", "intern", "executive"})
# Words for a group of workers, not a field: with an occupation word after them ("team leader",
# "section leader", "shift supervisor") a label still names no field.
_UNIT_WORDS = frozenset({"team", "section", "shift", "crew"})  # not "line" (a line cook) or "group"


def generic_role_aliases(
    role_names: Mapping[int, str], aliases: Iterable[tuple[int, str, str]]
) -> set[tuple[int, str]]:
    """(role id, alias text) of the aliases the rule leaves out; ``role_names``: each role's own
    name, ``aliases``: (role id, text, normalized key) of every role alias."""
    heads = Counter(_head(name) for name in role_names.values() if len(name.split()) > 1)
    # Alias keys are title-normalised (the lookup's form): the role's own name is compared so too.
    own = {role_id: normalize_title(name) for role_id, name in role_names.items()}
    # The last two and three words of each role's name, counted: how many roles a kind names.
    tails = Counter(tail for name in own.values() for tail in _tails(name))
    out: set[tuple[int, str]] = set()
    for role_id, text, key in aliases:
        if not key or key == own.get(role_id):
            continue
        words = key.split()
        if len(words) == 2 and words[0] in _UNIT_WORDS and is_role_head(words[1]):
            out.add((role_id, text))  # "team leader" of the zoo section leader
            continue
        if tails[key] > 1:
            out.add((role_id, text))  # "teaching assistant" of the university teaching assistant
            continue
        if len(words) > 1:
            continue
        word = singular(key)
        if heads[word] >= GENERIC_HEAD_ROLES or word in _GRADE_WORDS:
            out.add((role_id, text))
    return out


def _tails(name: str) -> tuple[str, ...]:
    """The last two and three words of a name of more words ("school teaching assistant",
    "teaching assistant" of "primary school teaching assistant")."""
    words = name.split()
    return tuple(" ".join(words[-n:]) for n in (2, 3) if len(words) > n)


def _head(name: str) -> str:
    """The last word of a role's name, singular: "crane operators" -> "operator"."""
    return singular(normalize_key(name).rsplit(" ", 1)[-1])
