"""Run history: how a jdlens.v1.Run is kept in the store and read back (get, list, read masks)."""
