"""The library: store access, packs, importer, review queue, search and the live snapshot."""
