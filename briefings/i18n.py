"""Interface strings in the site languages. Templates call `t("key")`.

Date words (month and weekday names) belong to dates.py; these are the
words of the interface around the briefings.
"""
from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home", "topics": "Topics", "archive": "Archive", "feed": "RSS feed",
        "latest": "Latest briefings", "briefings": "briefings", "briefing": "briefing",
        "page": "Page", "previous_page": "Newer", "next_page": "Older",
        "previous": "Previous briefing", "next": "Next briefing", "related": "Related briefings",
        "reading_time": "{n} min read", "published": "Published", "topic_feed": "Feed for this topic",
        "not_found": "Page not found", "not_found_text": "This page does not exist or has moved.",
        "back_home": "Back to the latest briefings", "skip": "Skip to content",
        "months": "Months", "years": "Years", "all_topics": "All topics", "summary": "Summary",
        "in_topic": "In", "pagination": "Pagination", "main_nav": "Main navigation",
        "source": "Source", "month_of": "Briefings of {label}", "year_of": "Briefings of {label}",
        "undated_in_year": "Dated only by year",
        "search": "Search", "search_title": "Search the archive", "search_label": "Words to look for",
        "search_intro": "Search every briefing, in French and English; accents and case do not matter.",
        "search_noscript": "Search needs JavaScript. Browse by topic or by month instead.",
        "search_from_disk": "Search needs the site to be served by a web server: it does not work on a page opened from a file. Browse by topic or by month instead.",
        "search_unavailable": "Search is not available: the search index of this site was not found.",
        "search_count": "{n} results", "search_count_one": "{n} result", "search_none": "No result",
        "search_more": "More results",
        "filter_topic": "Topic", "filter_year": "Year", "filter_language": "Language", "meta_date": "Date",
        "translations": "Also available in", "years_covered": "Years", "month_topics": "Topics this month",
        "atom_feed": "Atom feed", "json_feed": "JSON Feed", "topic_description": "{count} briefings on {topic}",
    },
    "fr": {
        "home": "Accueil", "topics": "Sujets", "archive": "Archives", "feed": "Flux RSS",
        "latest": "Derniers briefings", "briefings": "briefings", "briefing": "briefing",
        "page": "Page", "previous_page": "Plus récents", "next_page": "Plus anciens",
        "previous": "Briefing précédent", "next": "Briefing suivant", "related": "Briefings liés",
        "reading_time": "{n} min de lecture", "published": "Publié", "topic_feed": "Flux de ce sujet",
        "not_found": "Page introuvable", "not_found_text": "Cette page n’existe pas ou a été déplacée.",
        "back_home": "Retour aux derniers briefings", "skip": "Aller au contenu",
        "months": "Mois", "years": "Années", "all_topics": "Tous les sujets", "summary": "Résumé",
        "in_topic": "Dans", "pagination": "Pagination", "main_nav": "Navigation principale",
        "source": "Source", "month_of": "Briefings de {label}", "year_of": "Briefings de {label}",
        "undated_in_year": "Datés seulement par l’année",
        "search": "Rechercher", "search_title": "Rechercher dans les archives", "search_label": "Mots à rechercher",
        "search_intro": "Recherche dans tous les briefings, en français et en anglais, sans tenir compte des accents ni des majuscules.",
        "search_noscript": "La recherche nécessite JavaScript. Parcourez plutôt les sujets ou les mois.",
        "search_from_disk": "La recherche nécessite que le site soit servi par un serveur web : elle ne fonctionne pas sur une page ouverte depuis un fichier. Parcourez plutôt les sujets ou les mois.",
        "search_unavailable": "La recherche n’est pas disponible : l’index de recherche du site est introuvable.",
        "search_count": "{n} résultats", "search_count_one": "{n} résultat", "search_none": "Aucun résultat",
        "search_more": "Plus de résultats",
        "filter_topic": "Sujet", "filter_year": "Année", "filter_language": "Langue", "meta_date": "Date",
        "translations": "Également disponible en", "years_covered": "Années", "month_topics": "Sujets du mois",
        "atom_feed": "Flux Atom", "json_feed": "JSON Feed", "topic_description": "{count} briefings sur le sujet {topic}",
    },
}

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
"""Each language's name for itself: language links and the search's language filter."""
OG_LOCALES = {"fr": "fr_FR", "en": "en_US"}
"""Open Graph locales (`og:locale`) of the site languages."""


def translate(lang: str, key: str, **values: object) -> str:
    """The string for `key` in `lang` (English when missing), with `{name}` values filled in."""
    text = STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"].get(key, key)
    return text.format(**values) if values else text
