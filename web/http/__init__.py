"""The HTTP side: server (the app, /api/ask, /healthz, serve), sparql (the SPARQL 1.1 Protocol
endpoint), auth (loopback-only unless credentials; HTTP Basic), limits (request bodies,
no uploads), page (the /sparql query page)."""
