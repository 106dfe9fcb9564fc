"""Interface strings in the site languages. Templates call `t("key")`.

Date words (month and weekday names) belong to dates.py; these are the
words of the interface around the briefings.
"""
from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home", "topics": "Topics", "archive": "Archive", "feed": "RSS feed",
        "latest": "Latest briefings", "briefings": "briefings", "briefing": "briefing",
        "page": "Page", "of": "of", "previous_page": "Newer", "next_page": "Older",
        "previous": "Previous briefing", "next": "Next briefing", "related": "Related briefings",
        "reading_time": "{n} min read", "published": "Published", "topic_feed": "Feed for this topic",
        "not_found": "Page not found", "not_found_text": "This page does not exist or has moved.",
        "back_home": "Back to the latest briefings", "skip": "Skip to content",
        "months": "Months", "years": "Years", "all_topics": "All topics", "summary": "Summary",
        "in_topic": "In", "pagination": "Pagination", "main_nav": "Main navigation",
        "source": "Source", "month_of": "Briefings of {label}", "year_of": "Briefings of {label}",
        "undated_in_year": "Dated only by year",
    },
    "fr": {
        "home": "Accueil", "topics": "Sujets", "archive": "Archives", "feed": "Flux RSS",
        "latest": "Derniers briefings", "briefings": "briefings", "briefing": "briefing",
        "page": "Page", "of": "sur", "previous_page": "Plus récents", "next_page": "Plus anciens",
        "previous": "Briefing précédent", "next": "Briefing suivant", "related": "Briefings liés",
        "reading_time": "{n} min de lecture", "published": "Publié", "topic_feed": "Flux de ce sujet",
        "not_found": "Page introuvable", "not_found_text": "Cette page n’existe pas ou a été déplacée.",
        "back_home": "Retour aux derniers briefings", "skip": "Aller au contenu",
        "months": "Mois", "years": "Années", "all_topics": "Tous les sujets", "summary": "Résumé",
        "in_topic": "Dans", "pagination": "Pagination", "main_nav": "Navigation principale",
        "source": "Source", "month_of": "Briefings de {label}", "year_of": "Briefings de {label}",
        "undated_in_year": "Datés seulement par l’année",
    },
}


def translate(lang: str, key: str, **values: object) -> str:
    """The string for `key` in `lang` (English when missing), with `{name}` values filled in."""
    text = STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"].get(key, key)
    return text.format(**values) if values else text
