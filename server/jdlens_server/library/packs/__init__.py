"""Taxonomy packs shipped with jdlens (ESCO, O*NET, the curated tech supplement) and typed readers.

    pack = read_esco()                    # full ESCO v1.1.1, ~3 s
    small = read_esco(occupations_limit=20)   # consistent subset for tests
    pack.problems                         # rows left out, with file and line
    pack.info.digest                      # identity of the shipped bytes (for idempotent imports)

The packs are built from ../shared/data by tools/build_packs.py; attribution is in NOTICE.
"""

from jdlens_server.library.packs.esco import EscoPack, esco_subset, read_esco
from jdlens_server.library.packs.manifest import (
    DATA_DIR,
    ESCO,
    ONET,
    PACK_FILES,
    TECH,
    ManifestError,
    PackFile,
    PackInfo,
    PackManifest,
    pack_info,
    pack_path,
    read_manifest,
    verify_pack,
)
from jdlens_server.library.packs.onet import OnetPack, read_onet
from jdlens_server.library.packs.records import (
    BroaderRelation,
    ConceptType,
    EscoOccupation,
    EscoOccupationSkill,
    EscoSkill,
    EscoSkillGroup,
    IscoGroup,
    OnetAlternateTitle,
    OnetOccupation,
    OnetTask,
    OnetTechnologySkill,
    PackProblem,
    RelationType,
    ReuseLevel,
    SkillType,
    TaskType,
    TechEscoAlias,
    TechSkill,
    UnspscCommodity,
)
from jdlens_server.library.packs.tech import TechPack, read_tech

__all__ = [
    "DATA_DIR",
    "ESCO",
    "ONET",
    "PACK_FILES",
    "TECH",
    "BroaderRelation",
    "ConceptType",
    "EscoOccupation",
    "EscoOccupationSkill",
    "EscoPack",
    "EscoSkill",
    "EscoSkillGroup",
    "IscoGroup",
    "ManifestError",
    "OnetAlternateTitle",
    "OnetOccupation",
    "OnetPack",
    "OnetTask",
    "OnetTechnologySkill",
    "PackFile",
    "PackInfo",
    "PackManifest",
    "PackProblem",
    "RelationType",
    "ReuseLevel",
    "SkillType",
    "TaskType",
    "TechEscoAlias",
    "TechPack",
    "TechSkill",
    "UnspscCommodity",
    "esco_subset",
    "pack_info",
    "pack_path",
    "read_esco",
    "read_manifest",
    "read_onet",
    "read_tech",
    "verify_pack",
]
