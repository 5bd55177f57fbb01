"""The cull and its storage: the session model, the catalog, XMP sidecars, moves and journal."""
