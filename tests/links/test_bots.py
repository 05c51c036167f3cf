import pytest

from hearth.links.bots import classify_user_agent, referrer_host

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID_CUBOT = (
    "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)
TELEGRAM_ANDROID_WEBVIEW = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A; wv) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 Telegram-Android/10.9.1"
)

PREVIEW_FETCHERS = [
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "WhatsApp/2.23.20.0 A",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
]
CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (compatible; SomeNewCrawler/0.1)",
    "curl/8.5.0",
    "python-httpx/0.28.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0 Safari/537.36",
]


@pytest.mark.parametrize("ua", PREVIEW_FETCHERS + CRAWLERS)
def test_preview_fetchers_and_crawlers_are_bots(ua):
    assert classify_user_agent(ua) == ("bot", True)


@pytest.mark.parametrize("ua", ["", "   ", None])
def test_an_empty_user_agent_is_a_bot(ua):
    assert classify_user_agent(ua) == ("bot", True)


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (IPHONE, "mobile"),
        (ANDROID_CUBOT, "mobile"),  # "CUBOT" contains "bot" but is a phone
        (TELEGRAM_ANDROID_WEBVIEW, "mobile"),  # a person in Telegram's in-app browser
        (WINDOWS, "desktop"),
        (MAC, "desktop"),
        ("SmartTV/1.0 NetCast", "other"),
    ],
)
def test_people_are_classified_by_device(ua, expected):
    assert classify_user_agent(ua) == (expected, False)


@pytest.mark.parametrize(
    ("referrer", "host"),
    [
        ("https://vk.com/wall-1_2?reply=3", "vk.com"),
        ("https://User:pw@T.ME:443/private_chat/123", "t.me"),
        ("android-app://org.telegram.messenger/", "org.telegram.messenger"),
        ("", ""),
        (None, ""),
        ("not a url", ""),
        ("http://[::1", ""),
    ],
)
def test_only_the_referrer_host_is_kept(referrer, host):
    assert referrer_host(referrer) == host
