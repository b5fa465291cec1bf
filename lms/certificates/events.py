"""Events the certificate package publishes: issued and revoked."""

from __future__ import annotations

from dataclasses import dataclass

from lms.certificates.models import Certificate


@dataclass(frozen=True)
class CertificateIssued:
    certificate: Certificate


@dataclass(frozen=True)
class CertificateRevoked:
    certificate: Certificate
