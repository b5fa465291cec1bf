"""What the people package publishes: a person was erased (packages above it that hold
personal data of their own, such as API tokens or sign-in codes, subscribe)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonErased:
    user_id: int
