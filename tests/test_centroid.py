"""A role's centroid: its profile as a prior worth PROFILE_PRIOR_JDS JDs, then the running mean of
the JDs filed under it (pipeline/updates.fold_into_centroid), on SQLite and PostgreSQL."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from jdlens_server.pipeline.updates import PROFILE_PRIOR_JDS, fold_into_centroid
from jdlens_server.store.db import make_engine, session_factory
from jdlens_server.store.models import RoleRow

DIM = 8


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def test_the_first_jds_move_the_profile_instead_of_replacing_it(db_url: str) -> None:
    profile, jds = _unit(0), [_unit(s) for s in (1, 2, 3)]
    engine = make_engine(db_url)
    try:
        factory = session_factory(engine)
        with factory.begin() as session:
            with_profile = RoleRow(
                slug="with-profile", display_name="With profile", pack="test", embedding=profile.tobytes()
            )
            without = RoleRow(slug="without-profile", display_name="Without profile", pack="test")
            session.add_all([with_profile, without])
            session.flush()
            ids = (with_profile.id, without.id)
        for k, jd in enumerate(jds, 1):
            with factory.begin() as session:
                mean, n = fold_into_centroid(session, ids[0], jd)
                assert n == k
                expected = (profile * PROFILE_PRIOR_JDS + sum(jds[:k])) / (PROFILE_PRIOR_JDS + k)
                np.testing.assert_allclose(mean, expected, atol=1e-6)
        # The stored centroid is the one returned, and the count is of JDs only.
        with factory() as session:
            stored, count = session.execute(
                select(RoleRow.centroid, RoleRow.centroid_n).where(RoleRow.id == ids[0])
            ).one()
        np.testing.assert_allclose(np.frombuffer(stored, dtype=np.float32), mean, atol=1e-7)
        assert count == len(jds)
        # A role with no profile has no prior: its centroid is the mean of its JDs.
        for jd in jds[:2]:
            with factory.begin() as session:
                mean, n = fold_into_centroid(session, ids[1], jd)
        np.testing.assert_allclose(mean, (jds[0] + jds[1]) / 2, atol=1e-6)
        assert n == 2
    finally:
        engine.dispose()
