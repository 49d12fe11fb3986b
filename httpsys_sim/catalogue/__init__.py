"""The catalogues: rules and their sources, client profiles. Data with import-time checks;
imports nothing above the TLS layer."""
