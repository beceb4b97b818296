"""One module per mutation; each returns the changed object and ``errors { field message code }``."""
