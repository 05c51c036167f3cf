"""Who clicked: the user-agent class and whether it was a bot, and the referrer's host.

Link-preview fetchers matter most: when a post with a short link is published, Telegram, VK,
Facebook, X, Slack, Discord, WhatsApp, LinkedIn and Skype fetch the link at once to draw a card.
Those fetches are logged (they show the post went out) but are not visits.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

UaClass = Literal["mobile", "desktop", "bot", "other"]
UA_CLASSES: tuple[UaClass, ...] = ("mobile", "desktop", "bot", "other")

# Lower-case substrings of known preview fetchers and crawlers. Substrings, not regexes, so the
# list reads like the vendors' documentation and is cheap to scan.
KNOWN_BOT_TOKENS = (
    # link-preview fetchers of the networks and messengers Hearth publishes to
    "telegrambot",
    "vkshare",
    "vk.com/dev/share",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "twitterbot",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "whatsapp/",
    "linkedinbot",
    "skypeuripreview",
    "pinterestbot",
    "redditbot",
    "odklbot",
    "mastodon/",
    "cardyb",
    "embedly",
    "iframely",
    "qwantify",
    # search engines and other crawlers
    "googlebot",
    "google-inspectiontool",
    "adsbot-google",
    "mediapartners-google",
    "storebot-google",
    "bingbot",
    "bingpreview",
    "yandexbot",
    "yandexmobilebot",
    "yandex.com/bots",
    "duckduckbot",
    "baiduspider",
    "applebot",
    "petalbot",
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    "bytespider",
    "amazonbot",
    "gptbot",
    "claudebot",
    "ccbot",
    "headlesschrome",
    "phantomjs",
)
# Generic signs: a product token named like a bot with a version ("Foobot/1.2"), a contact URL
# ("+http://…") which crawlers put in their UA, or an HTTP library rather than a browser. A bare
# "bot" is not enough: phone models such as "CUBOT X30" would match.
_GENERIC_BOT = re.compile(
    r"[a-z0-9_.-]*(?:bot|crawler|spider|scraper)[a-z0-9_.-]*/\d"
    r"|\+https?://"
    r"|^(?:curl|wget|python-requests|python-urllib|python-httpx|aiohttp|go-http-client|java/"
    r"|okhttp|libwww-perl|axios|node-fetch|undici|apache-httpclient|scrapy|httpie)",
)
_MOBILE = ("mobi", "android", "iphone", "ipad", "ipod", "windows phone", "opera mini", "kaios")
_DESKTOP = ("windows nt", "macintosh", "mac os x", "x11", "cros", "linux x86_64")


def classify_user_agent(user_agent: str | None) -> tuple[UaClass, bool]:
    """``(ua_class, is_bot)``; an empty user agent is a bot, since every browser sends one."""
    ua = (user_agent or "").strip().lower()
    if not ua:
        return "bot", True
    if any(token in ua for token in KNOWN_BOT_TOKENS) or _GENERIC_BOT.search(ua):
        return "bot", True
    if any(token in ua for token in _MOBILE):
        return "mobile", False
    if any(token in ua for token in _DESKTOP):
        return "desktop", False
    return "other", False


def referrer_host(referrer: str | None) -> str:
    """Only the host of the referring page: the path may name a private chat or a search."""
    if not referrer:
        return ""
    try:
        host = urlsplit(referrer.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower()[:255]
