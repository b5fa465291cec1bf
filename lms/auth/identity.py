"""Logins: e-mail addresses (lower-cased) and mobile numbers (E.164)."""

from __future__ import annotations

import re

import phonenumbers
from flask_babel import gettext as _

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")


class InvalidLogin(ValueError):
    """The text is neither a valid e-mail address nor a valid phone number."""


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    if not EMAIL_RE.match(email) or ".." in email:
        raise InvalidLogin(_("This is not a valid e-mail address."))
    return email


def normalise_phone(raw: str, region: str = "PK") -> str:
    """The number in E.164 (+923001234567); `region` applies when no +country is typed."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidLogin(_("This is not a valid mobile number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidLogin(_("This is not a valid mobile number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_login(raw: str, region: str = "PK") -> tuple[str, str]:
    """("email", address) or ("phone", E.164 number) for what a person typed."""
    if "@" in raw:
        return "email", normalise_email(raw)
    return "phone", normalise_phone(raw, region)


def account_key(typed: str, default_country: str) -> str:
    """The account as stored (E.164 phone, lower-case e-mail), so spellings share a count."""
    try:
        return parse_login(typed, default_country)[1]
    except InvalidLogin:
        return " ".join(typed.lower().split())
