"""jdlens client: generated gRPC stubs (``jdlens.v1``) and a small typed client (``jdlens.client``)."""
