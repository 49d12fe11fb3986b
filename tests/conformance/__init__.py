"""Conformance of the ``openssl`` TLS personality against the real OpenSSL library."""
