"""The JSON API at `/api/v1`: token authentication, the operations over the same service
functions as the pages, and the OpenAPI 3.1 document generated from the typed schemas.

`models`/`tokens` own API tokens (stored hashed, scoped, expiring, revocable; `lms tokens`
and `/account/tokens`); `spec` registers each operation with its pydantic schemas and
builds `/api/v1/openapi.json`; `http` holds the request plumbing (authentication, errors,
ETags, cursors); `views_*` are the thin operations.
"""
