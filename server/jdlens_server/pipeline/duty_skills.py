"""Library skills a JD states in its duties' own words, linked by embedding.

The dictionary finds a skill where the JD writes one of its labels. ESCO words most skills as verb
phrases ("assess supplier risks", "pass dental instruments", "supervise nursing staff"), and a
posting says the same thing its own way: "Identify and mitigate supplier risk", "Mixing dental
materials and passing instruments", "Supervise and support healthcare assistants, student nurses
and nursing associates". Such duties named no library skill at all: a dental nurse's run listed
none of the chairside work, a procurement manager's no supplier skill.

Stage 1 embeds every duty sentence anyway (the KRA and profile signals read them), so linking them
costs the model nothing: each sentence's nearest library skills (the int8 scan of skill placement)
are taken when all of these hold:
- the sentence is that near the skill: cosine >= SENTENCE_SIM (a sentence names more than a
  skill, so its cosine to a right label is lower than a phrase's would be);
- the skill's name restates the sentence: at least two of its content words (folded; generic
  verbs such as make, manage, ensure left out) are the sentence's, or its one content word is,
  and at least half of them; a content word of the name that the sentence lacks must be a verb of
  the library's lead-verb lexicon opening the name ("prepare", "drive"; not "set" of "make set
  construction drawings", theatre scenery) or appear elsewhere in the JD: "maintain the
  veterinary reception area" is no clinic's reception;
- the skill is not transversal (ESCO's "make decisions", "manage time": every job's; the
  dictionary finds them where a JD names them) and the dictionary has not found it already;
- where the sentence lacks the verb that opens the name, cosine >= VERBLESS_SIM;
- at most PER_SENTENCE skills a sentence, each skill once (at its nearest sentence).
Measured on 60 review postings written for the purpose (health, trades, hospitality, retail,
finance, legal, HR, data, engineering, IT, science, creative): 44 links, about nine in ten right
("drive ambulance under emergency conditions", "pass dental instruments", "handle customer
complaints", "assess supplier risks", "read engineering drawings"; wrong: a
dental surgery's "prepare patients for surgery", "cook seafood" from a restaurant's blurb). At
0.56 instead of 0.60, 34 more, too many wrong; without VERBLESS_SIM, 15 more, two in three wrong
("use firearms" for a guard who reports firearms, "work in shifts" from a rota). It costs ~2.5
CPU-ms per JD (the scan), ~6% of the stream. A link is a
library skill, secondary (the duties imply it; a named skill outranks it), with source EMBEDDING,
its sentence as its evidence and the cosine as its confidence. The links are listed, not used as
the skill signal's votes for roles (see pipeline/extract).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import numpy.typing as npt

from jdlens_server.library.snapshot import LibrarySnapshot
from jdlens_server.nlp import parsed
from jdlens_server.nlp.stemming import fold_token
from jdlens_server.pipeline.skill_placement import nearest_skills_many
from jdlens_server.pipeline.skill_resolution import per_snapshot_item
from jdlens_server.pipeline.skill_senses import TRANSVERSAL
from jdlens_server.pipeline.skills import ExtractedSkillCandidate

__all__ = ["content_words", "linked_duty_skills", "restates"]

FloatArray = npt.NDArray[np.float32]

SENTENCE_SIM = 0.60
# A link whose sentence lacks the name's verb ("use firearms" for "Report any firearms found to
# the police") needs to be this near: "assess supplier risks" for "Identify and mitigate supplier
# risk" is (0.74).
VERBLESS_SIM = 0.66
PER_SENTENCE = 2
# How many nearest skills of each sentence are looked at (10 found one link more, a near-duplicate).
_NEAREST = 5
# Verbs and small words any duty and skill name may have: shared, they say nothing of the skill.
_GENERIC_WORDS = """
    make manage perform use using ensure maintain provide work deal support carry conduct apply handle
    assist operate do take give keep including include other others various all new and or of the a
    an to in on for with by at from as their your our its this that
"""
_GENERIC = frozenset(fold_token(w) for w in _GENERIC_WORDS.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def content_words(text: str) -> set[str]:
    """The folded words of ``text`` that may name what a skill is about."""
    return {k for k in (fold_token(w) for w in _WORD.findall(text)) if k not in _GENERIC}


def restates(
    name: tuple[str, frozenset[str]],
    sentence_words: set[str],
    jd_words: Callable[[], set[str]],
    verbs: frozenset[str],
) -> bool:
    """Whether a skill's name (its folded opening word and content words) restates a sentence's
    content words: two shared at least (or its only one), half of its own; any other is its
    opening verb (one of ``verbs``) or a word of the JD (``jd_words``, read lazily)."""
    verb, name_words = name
    if not name_words:
        return False  # "manage work": nothing but generic words to restate
    shared = name_words & sentence_words
    if len(shared) < min(2, len(name_words)) or 2 * len(shared) < len(name_words):
        return False
    # Only the name's opening word may be a verb the sentence puts otherwise ("prepare dental
    # instruments for sterilization"): "set" of "make set construction drawings" is scenery.
    rest = [w for w in name_words - shared if not (w == verb and w in verbs)]
    return not rest or all(w in jd_words() for w in rest)


def _has_verb(verb: str, words: set[str]) -> bool:
    """Whether the sentence has the verb (folded, so any inflection) or its noun ("assistance" of
    "assist", "analysis" of "analyse", "maintenance" of "maintain", "supervision" of
    "supervise"); not a word that only starts alike ("users" of "use", "instance" of "install")."""
    if verb in words:
        return True
    stems = {verb[: len(verb) - cut] for cut in (0, 1) if len(verb) - cut >= _MIN_STEM}
    nouns = {stem + ending for stem in stems for ending in _NOUN_ENDINGS}
    if verb.endswith("ain"):
        nouns.add(verb[:-3] + "enanc")  # maintain -> maintenance
    return not nouns.isdisjoint(words)


# What a verb's noun adds to the verb's stem, folded ("assist-anc", "analy-sis", "supervi-sion").
_NOUN_ENDINGS = ("anc", "enc", "tion", "ation", "ition", "lation", "sion", "ment", "ement", "sis", "al")
_MIN_STEM = 4


def _name_words(snapshot: LibrarySnapshot, skill_id: int) -> tuple[str, frozenset[str]]:
    """The folded first word of a skill's name and its content words."""
    name = snapshot.skill_names[skill_id]
    first = _WORD.match(name)
    return (fold_token(first.group()) if first else ""), frozenset(content_words(name))


def linked_duty_skills(
    snapshot: LibrarySnapshot,
    jd: parsed.ParsedJd,
    sentence_vecs: FloatArray,
    known: Iterable[int],
    lead_verbs: frozenset[str],
) -> list[ExtractedSkillCandidate]:
    """The library skills the JD's duty sentences restate (see the module's rule), in text order.
    ``sentence_vecs[i]`` embeds ``jd.responsibility_sentences[i]``; ``known``: skills found already;
    ``lead_verbs``: the matcher's lead-verb lexicon (folded)."""
    sentences = jd.responsibility_sentences
    if not sentences or len(sentence_vecs) != len(sentences):
        return []
    taken = set(known)

    @cache
    def jd_words() -> set[str]:  # read only when a name has a word the sentence lacks
        return content_words(jd.plain_text)

    best: dict[int, tuple[float, int]] = {}  # skill -> (cosine, sentence index)
    for i, (sentence, nearest) in enumerate(
        zip(sentences, nearest_skills_many(snapshot, sentence_vecs, k=_NEAREST), strict=True)
    ):
        if sentence.plain_start < 0:
            continue
        folded = {fold_token(w) for w in _WORD.findall(sentence.plain)}
        words = folded - _GENERIC
        linked = 0
        for n in nearest:
            if linked >= PER_SENTENCE or n.similarity < SENTENCE_SIM:
                break
            info = snapshot.skills[n.skill_id]
            if n.skill_id in taken or info.reuse_level == TRANSVERSAL or not info.is_extractable:
                continue
            name = per_snapshot_item(snapshot, "duty_skill_words", _name_words, n.skill_id)
            if not restates(name, words, jd_words, lead_verbs):
                continue
            verb = name[0]
            if (
                (verb in lead_verbs or verb in _GENERIC)
                and n.similarity < VERBLESS_SIM
                and not _has_verb(verb, folded)
            ):
                continue  # "use firearms" for "Report any firearms found to the police"
            linked += 1
            if n.skill_id not in best or n.similarity > best[n.skill_id][0]:
                best[n.skill_id] = (n.similarity, i)
    out: list[ExtractedSkillCandidate] = []
    for skill_id, (similarity, i) in sorted(best.items(), key=lambda kv: (kv[1][1], -kv[1][0])):
        s = sentences[i]
        out.append(
            ExtractedSkillCandidate(
                name=snapshot.skill_names[skill_id],
                skill_id=skill_id,
                is_primary=False,
                confidence=round(similarity, 4),
                evidence=((s.plain_start, s.plain_end, s.section_kind.value),),
                source="embedding",
                matched_alias=snapshot.skill_names[skill_id],
                is_new=False,
            )
        )
    return out
