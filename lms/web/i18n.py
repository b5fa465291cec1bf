"""Interface language: the user's preference, then a cookie, then Accept-Language."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from flask import Blueprint, Flask, abort, current_app, g, has_request_context, redirect, request
from flask_babel import format_decimal, get_locale, get_translations
from flask_login import current_user

from lms.extensions import babel, db

RTL_LANGUAGES = frozenset({"ur", "ar", "fa"})
LANGUAGE_NAMES = {"en": "English", "ur": "اردو", "id": "Bahasa Indonesia"}
COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    preferred = getattr(current_user, "language", None) if current_user else None
    if preferred in languages:
        return preferred
    cookie = request.cookies.get(COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or languages[0]


def _translations():
    """The request's translations, looked up once per request instead of once per string."""
    try:
        return g._lms_translations
    except AttributeError:
        g._lms_translations = translations = get_translations()
        return translations


def number(value, pattern: str = "#,##0.#") -> str:
    """A number as the reader's language writes it (40.5 in English, 40,5 in Indonesian)."""
    return format_decimal(value, pattern) if value is not None else "—"


def reader_locale(country: str | None = None) -> Locale:
    """The reader's language with the cohort's country when CLDR knows the pair (en_PK
    writes 02-Dec-2026, not the US 12/2/26), else the language alone."""
    language = str(get_locale() or "en")
    if country:
        try:
            return Locale.parse(f"{language}_{country.upper()}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(language)


def local_datetime(moment: datetime | None, timezone: str = "UTC", country: str | None = None):
    """A stored (naive UTC) time in `timezone`, as the reader's locale writes it, with the
    zone's abbreviation: "02-Dec-2026, 10:24 am PKT"."""
    if moment is None:
        return "—"
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    locale = reader_locale(country)
    day = format_date(local, "medium", locale=locale)
    return f"{day}, {format_time(local, 'short', locale=locale)} {local.tzname()}"


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def language_context() -> dict:
        from flask_babel import get_locale

        code = str(get_locale() or "en")
        return {
            "current_language": code,
            "text_direction": "rtl" if code in RTL_LANGUAGES else "ltr",
            "language_names": {c: LANGUAGE_NAMES.get(c, c) for c in app.config["LANGUAGES"]},
        }


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site paths: no scheme, no host, no `//` or backslash tricks."""
    if not target:
        return fallback
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/language")
def set_language():
    """Remember the chosen language (cookie, and the profile when signed in)."""
    code = request.form.get("language", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated and hasattr(current_user, "language"):
        current_user.language = code
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
