"""jdlens server: a gRPC service over a domain core (pipeline, library, nlp, llm, store)."""

__version__ = "0.1.0"
