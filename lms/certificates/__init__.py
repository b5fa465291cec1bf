"""Certificates: issuing, verification codes, PDF rendering, revocation and reissue."""
