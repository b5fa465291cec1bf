"""Portable credentials: every certificate as a signed Open Badges 3.0 credential.

`loader` serves the shipped JSON-LD contexts (never the network); `dataintegrity` signs and
verifies `eddsa-rdfc-2022` proofs; `keys` holds the issuer's Ed25519 keys; `issuer` names
the issuer (did:web) and its DID document; `build` turns a certificate into its
`OpenBadgeCredential`; `status` publishes the Bitstring Status List; `verify` checks a
credential offline. Credentials are computed on request from the database, so the same
certificate always yields the same signed document.
"""
