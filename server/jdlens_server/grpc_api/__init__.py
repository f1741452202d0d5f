"""The gRPC layer: servicers that validate, call the domain core and return protos; the one
interceptor that maps domain errors to status codes; the server process (health, reflection,
graceful shutdown, structured logs)."""
