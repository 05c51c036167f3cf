"""Every network's post rules, in one place, counted in each network's own unit.

The composer's live counter (``measure``), the REST API and the publishing engine
(``validate``, ``outgoing_text``, ``telegram_split``) all read the same table, so a post
the composer shows as valid is the post the engine will send. Figures and their sources are
listed in docs/network-limits.md (sections of shared/reference/networks.md); figures marked
unverified there are conservative where the networks are silent.

Pure: no Django, no I/O. Messages are English templates with ``{named}`` parameters plus a
stable ``code``, so the web layer translates by code and formats with ``params``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import regex

from hearth.kit import text_units
from hearth.kit.richtext import find_hashtags, find_mentions

Unit = Literal["utf16", "graphemes", "weighted", "mastodon", "utf8_bytes"]
MediaKind = Literal["image", "video", "gif"]
LinkHandling = Literal["in_text", "separate_field", "not_clickable"]
Severity = Literal["error", "warning"]

UNIT_LABELS: dict[str, str] = {
    "utf16": "UTF-16 code units",
    "graphemes": "graphemes",
    "weighted": "weighted characters",
    "mastodon": "characters (links count 23)",
    "utf8_bytes": "bytes",
}

NETWORK_NAMES: dict[str, str] = {
    "telegram": "Telegram",
    "vk": "VK",
    "odnoklassniki": "Odnoklassniki",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "x": "X",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "pinterest": "Pinterest",
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "sandbox": "Sandbox (demo network)",
}

LINKEDIN_RESERVED = frozenset("\\|{}@[]()<>#*_~")
_ALL_KINDS: frozenset[str] = frozenset({"image", "video", "gif"})
_IMAGE_AND_VIDEO: frozenset[str] = frozenset({"image", "video"})


def escape_linkedin_little_text(text: str) -> str:
    """Backslash-escape LinkedIn "little text" reserved characters.

    An unescaped reserved character makes LinkedIn silently cut the post at that point
    (networks.md §12.2), so every commentary goes through this before it is sent.
    """
    return "".join("\\" + ch if ch in LINKEDIN_RESERVED else ch for ch in text)


@dataclass(frozen=True, slots=True)
class NetworkRules:
    """What one network accepts in a post. ``None`` means "no limit we know of"."""

    network: str
    unit: Unit
    text_limit: int | None
    link_handling: LinkHandling
    caption_limit: int | None = None  # text limit when media is attached, if different
    byte_limit: int | None = None  # second, UTF-8 byte limit on the same text (Bluesky)
    text_field: str = "text"  # what the network calls the draft's text
    media_required: bool = False
    media_kinds: frozenset[str] = _ALL_KINDS
    max_media: int | None = None
    max_images: int | None = None
    video_exclusive: bool = False  # a video or GIF must be the post's only attachment
    max_image_bytes: int | None = None
    image_mimes: frozenset[str] | None = None
    max_dimension_sum: int | None = None  # width + height
    max_aspect_ratio: float | None = None  # longer side / shorter side
    aspect_ratio_range: tuple[float, float] | None = None  # width / height
    max_pixels: int | None = None
    max_hashtags: int | None = None
    max_mentions: int | None = None
    max_cashtags: int | None = None
    title_limit: int | None = None  # counted in UTF-16 code units
    title_required: bool = False
    forbidden_chars: str = ""  # in title and text
    link_limit: int | None = None
    url_length: int | None = None  # fixed width of any URL in the unit (X, Mastodon)
    first_comment: bool = False
    comment_limit: int | None = None  # in the same unit as the text
    escapes_little_text: bool = False  # LinkedIn: the escaped text is what is measured
    splits_caption: bool = False  # Telegram: a long caption is split into caption + message

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    @property
    def name(self) -> str:
        """The network's name as people write it, for messages."""
        return NETWORK_NAMES[self.network]

    @property
    def description_limit(self) -> int | None:
        """Limit of the description field for networks whose text is a description."""
        return self.text_limit if self.text_field == "description" else None

    def limit_for(self, has_media: bool) -> int | None:
        if has_media and self.caption_limit is not None:
            return self.caption_limit
        return self.text_limit


@dataclass(frozen=True, slots=True)
class RuleOptions:
    """Per-account values a network publishes at run time (Mastodon's instance
    configuration, an X Premium account's longer limit)."""

    max_characters: int | None = None
    characters_reserved_per_url: int | None = None
    max_media_attachments: int | None = None
    image_size_limit: int | None = None


_OPTION_NETWORKS = {
    "mastodon": {
        "max_characters",
        "characters_reserved_per_url",
        "max_media_attachments",
        "image_size_limit",
    },
    "x": {"max_characters"},
}

MB = 1_000_000  # networks say "MB" without saying which; the decimal one is the safe reading

NETWORK_RULES: dict[str, NetworkRules] = {
    r.network: r
    for r in (
        NetworkRules(
            "telegram", "utf16", 4096, "in_text", caption_limit=1024, max_media=10,
            max_image_bytes=10 * MB, max_dimension_sum=10_000, max_aspect_ratio=20,
            splits_caption=True,
        ),
        NetworkRules(
            "vk", "utf16", 16_384, "separate_field", max_media=10, max_image_bytes=50 * MB,
            image_mimes=frozenset({"image/jpeg", "image/png", "image/gif"}),
            max_dimension_sum=14_000, max_aspect_ratio=20, first_comment=True,
        ),
        NetworkRules(
            "odnoklassniki", "utf16", None, "separate_field", media_kinds=_IMAGE_AND_VIDEO,
        ),
        NetworkRules("facebook", "utf16", 63_206, "separate_field", first_comment=True),
        NetworkRules(
            "instagram", "utf16", 2200, "not_clickable", text_field="caption",
            media_required=True, media_kinds=_IMAGE_AND_VIDEO, max_media=10,
            max_image_bytes=8 * MB, image_mimes=frozenset({"image/jpeg"}),
            aspect_ratio_range=(4 / 5, 1.91), max_hashtags=30, max_mentions=20,
            first_comment=True,
        ),
        NetworkRules(
            "x", "weighted", 280, "in_text", max_media=4, max_images=4, video_exclusive=True,
            max_image_bytes=5 * MB, max_cashtags=1, url_length=23, first_comment=True,
            comment_limit=280,
        ),
        NetworkRules(
            "mastodon", "mastodon", 500, "in_text", max_media=4, max_image_bytes=16_777_216,
            url_length=23, first_comment=True, comment_limit=500,
        ),
        NetworkRules(
            "bluesky", "graphemes", 300, "separate_field", byte_limit=3000,
            media_kinds=_IMAGE_AND_VIDEO, max_media=4, max_images=4, video_exclusive=True,
            max_image_bytes=2_000_000, first_comment=True, comment_limit=300,
        ),
        NetworkRules(
            "pinterest", "utf16", 800, "separate_field", text_field="description",
            media_required=True, media_kinds=_IMAGE_AND_VIDEO, max_media=5, title_limit=100,
            link_limit=2048,
        ),
        NetworkRules(
            "youtube", "utf8_bytes", 5000, "in_text", text_field="description",
            media_required=True, media_kinds=frozenset({"video"}), max_media=1,
            title_limit=100, title_required=True, forbidden_chars="<>", first_comment=True,
        ),
        NetworkRules(
            "linkedin", "utf16", 3000, "separate_field", text_field="commentary", max_media=20,
            max_pixels=36_152_320, escapes_little_text=True, first_comment=True,
        ),
        # Hearth's own loopback network for the demo and tests (hearth.sandbox): it follows
        # Mastodon's rules so a sandbox post is checked like a real one.
        NetworkRules(
            "sandbox", "mastodon", 500, "in_text", max_media=4, max_image_bytes=16_777_216,
            url_length=23, first_comment=True, comment_limit=500,
        ),
    )
}  # fmt: skip

NETWORKS: tuple[str, ...] = tuple(NETWORK_RULES)


def rules_for(network: str, options: RuleOptions | Mapping[str, int] | None = None) -> NetworkRules:
    """The rules of ``network``, with run-time ``options`` applied (Mastodon, X only)."""
    try:
        rules = NETWORK_RULES[network]
    except KeyError:
        raise ValueError(f"unknown network {network!r}; known: {', '.join(NETWORKS)}") from None
    if options is None:
        return rules
    if isinstance(options, Mapping):
        unknown = set(options) - {f.name for f in dataclasses.fields(RuleOptions)}
        if unknown:
            raise ValueError(f"unknown rule option(s) {sorted(unknown)}")
        options = RuleOptions(**options)
    given = {k: v for k, v in dataclasses.asdict(options).items() if v is not None}
    unsupported = set(given) - _OPTION_NETWORKS.get(network, set())
    if unsupported:
        raise ValueError(f"{network} takes no option(s) {sorted(unsupported)}")
    changes: dict[str, Any] = {}
    if "max_characters" in given:
        changes["text_limit"] = given["max_characters"]
        if rules.comment_limit is not None:
            changes["comment_limit"] = given["max_characters"]
    if "characters_reserved_per_url" in given:
        changes["url_length"] = given["characters_reserved_per_url"]
    if "max_media_attachments" in given:
        changes["max_media"] = given["max_media_attachments"]
    if "image_size_limit" in given:
        changes["max_image_bytes"] = given["image_size_limit"]
    return dataclasses.replace(rules, **changes)


# --- counting ------------------------------------------------------------------------------------


def count(rules: NetworkRules, text: str) -> int:
    """Length of ``text`` in the network's unit, as the network will see it."""
    if rules.escapes_little_text:
        text = escape_linkedin_little_text(text)
    if rules.unit == "utf16":
        return text_units.utf16_length(text)
    if rules.unit == "graphemes":
        return text_units.grapheme_count(text)
    if rules.unit == "utf8_bytes":
        return text_units.utf8_length(text)
    if rules.unit == "weighted":
        return text_units.x_weighted_length(text, url_length=rules.url_length or 23)
    return text_units.mastodon_length(text, characters_reserved_per_url=rules.url_length or 23)


@dataclass(frozen=True, slots=True)
class Measurement:
    """A live-counter reading. ``over`` is true when this limit *or any in ``also``* is
    exceeded, so a counter can turn red on one flag. ``splits`` marks a Telegram caption
    that is over 1024 but will be sent as caption + follow-up message rather than refused."""

    used: int
    limit: int | None
    unit: str
    over: bool
    also: tuple[Measurement, ...] = ()
    splits: bool = False

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.used


def _reading(used: int, limit: int | None, unit: str) -> Measurement:
    return Measurement(used, limit, unit, limit is not None and used > limit)


def measure(
    network: str,
    text: str,
    has_media: bool = False,
    *,
    options: RuleOptions | Mapping[str, int] | None = None,
) -> Measurement:
    """How much of the network's limit ``text`` uses (for the composer's live counter)."""
    rules = rules_for(network, options)
    primary = _reading(count(rules, text), rules.limit_for(has_media), rules.unit)
    also: tuple[Measurement, ...] = ()
    if rules.byte_limit is not None:
        also = (_reading(text_units.utf8_length(text), rules.byte_limit, "utf8_bytes"),)
    over = primary.over or any(m.over for m in also)
    splits = (
        primary.over and rules.splits_caption and has_media and _telegram_splittable(text, rules)
    )
    return Measurement(primary.used, primary.limit, primary.unit, over, also, splits)


def telegram_split(text: str, caption_limit: int = 1024) -> tuple[str, str]:
    """Split a long Telegram caption into (caption, follow-up message).

    The caption is the longest prefix within ``caption_limit`` UTF-16 units that ends on
    whitespace (a hard cut on a grapheme boundary when a single word is longer than the
    limit); whitespace at the cut is dropped. ``rest`` is empty when the text already fits.
    """
    if text_units.utf16_length(text) <= caption_limit:
        return text, ""
    fitting_end = 0
    used = 0
    for cluster in text_units.graphemes(text):
        used += text_units.utf16_length(cluster)
        if used > caption_limit:
            break
        fitting_end += len(cluster)
    if fitting_end == 0:  # one grapheme longer than the limit (stacked combining marks)
        while _utf16_within(text[: fitting_end + 1], caption_limit):
            fitting_end += 1
    head = text[:fitting_end]
    cut = max((i for i, ch in enumerate(head) if ch.isspace()), default=-1)
    if fitting_end < len(text) and text[fitting_end].isspace():
        cut = fitting_end
    if cut > 0 and head[:cut].strip():
        return text[:cut].rstrip(), text[cut:].lstrip()
    return head, text[fitting_end:]


def _utf16_within(text: str, limit: int) -> bool:
    return text_units.utf16_length(text) <= limit


def _telegram_splittable(text: str, rules: NetworkRules) -> bool:
    caption, rest = telegram_split(text, rules.caption_limit or 1024)
    return bool(caption) and text_units.utf16_length(rest) <= (rules.text_limit or 4096)


# --- drafts and problems -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MediaItem:
    """One attachment as the media library knows it; unknown facts are ``None``."""

    kind: MediaKind
    mime: str = ""
    width: int | None = None
    height: int | None = None
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class PostDraft:
    """One channel variant of a content item, before publishing.

    ``hashtags`` (without "#") are appended to the text by ``outgoing_text`` unless already in
    it; ``link`` goes where the network takes links (see ``NetworkRules.link_handling``).
    """

    text: str = ""
    media: Sequence[MediaItem] = ()
    link: str | None = None
    title: str = ""
    hashtags: Sequence[str] = ()
    first_comment: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "media", tuple(self.media))
        object.__setattr__(self, "hashtags", tuple(self.hashtags))


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a draft can't be published as is (``severity="error"``) or what will happen that
    the author should know (``"warning"``). ``message`` is an English template over
    ``params``; ``used``/``limit`` are in ``unit`` (a key of ``UNIT_LABELS``, or "items",
    "bytes", "pixels")."""

    code: str
    message: str
    field: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    severity: Severity = "error"
    used: int | None = None
    limit: int | None = None
    unit: str | None = None

    @property
    def text(self) -> str:
        return self.message.format(**self.params)


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def outgoing_text(network: str, draft: PostDraft) -> str:
    """The text the connector sends (before any transport escaping such as LinkedIn's):
    the draft text, then the link when the network carries links in the text, then the
    hashtags not already present, separated by blank lines."""
    rules = rules_for(network)
    pieces = [draft.text.strip()]
    if draft.link and rules.link_handling != "separate_field" and draft.link not in draft.text:
        pieces.append(draft.link)
    present = {span.value.casefold() for span in find_hashtags(draft.text)}
    tags = []
    for tag in draft.hashtags:
        tag = tag.strip().lstrip("#＃")
        if tag and tag.casefold() not in present:
            present.add(tag.casefold())
            tags.append("#" + tag)
    if tags:
        pieces.append(" ".join(tags))
    return "\n\n".join(piece for piece in pieces if piece)


def _problem(
    code: str,
    field_name: str,
    message: str,
    *,
    severity: Severity = "error",
    used: int | None = None,
    limit: int | None = None,
    unit: str | None = None,
    **params: Any,
) -> Problem:
    """Build a Problem whose params always carry the measured value, limit and unit label."""
    if used is not None:
        params |= {"used": used, "limit": limit, "unit_label": UNIT_LABELS.get(unit or "", unit)}
    return Problem(code, message, field_name, params, severity, used, limit, unit)


_TOO_LONG = "{what} is {used} {unit_label} long; the limit is {limit}."
_TOO_MANY = "{used} {what}; at most {limit} allowed."


def validate(
    network: str,
    draft: PostDraft,
    *,
    options: RuleOptions | Mapping[str, int] | None = None,
) -> list[Problem]:
    """Everything wrong with publishing ``draft`` on ``network``; empty when it can go.

    Problems with ``severity="warning"`` do not block publishing (see ``has_errors``)."""
    rules = rules_for(network, options)
    text = outgoing_text(network, draft)
    problems = _text_problems(rules, text, has_media=bool(draft.media))
    problems += _media_problems(rules, draft.media, empty_post=not text)
    problems += _title_problems(rules, draft.title.strip())
    if draft.link:
        problems += _link_problems(rules, draft.link)
    if draft.first_comment.strip():
        problems += _first_comment_problems(rules, draft.first_comment.strip())
    return problems


def _text_problems(rules: NetworkRules, text: str, *, has_media: bool) -> list[Problem]:
    if not text and not has_media:
        what = "media" if rules.media_required else "text or media"
        return [_problem("empty_post", "text", "The post is empty: add {what}.", what=what)]
    problems = []
    limit = rules.limit_for(has_media)
    used = count(rules, text)
    what = rules.text_field.capitalize()
    if limit is not None and used > limit:
        if rules.splits_caption and has_media:
            problems.append(_caption_split_problem(rules, text, used, limit))
        else:
            problems.append(
                _problem("text_too_long", "text", _TOO_LONG, used=used, limit=limit,
                         unit=rules.unit, what=what)
            )  # fmt: skip
    if rules.byte_limit is not None and (size := text_units.utf8_length(text)) > rules.byte_limit:
        problems.append(
            _problem("text_too_long", "text", _TOO_LONG, used=size, limit=rules.byte_limit,
                     unit="utf8_bytes", what=what)
        )  # fmt: skip
    counted = (
        ("too_many_hashtags", "hashtags", rules.max_hashtags, lambda: len(find_hashtags(text))),
        ("too_many_mentions", "mentions", rules.max_mentions, lambda: len(find_mentions(text))),
        ("too_many_cashtags", "cashtags", rules.max_cashtags, lambda: len(_CASHTAG.findall(text))),
    )
    for code, what_many, most, how_many in counted:
        if most is not None and (found := how_many()) > most:
            problems.append(
                _problem(code, "text", _TOO_MANY, used=found, limit=most, unit="items",
                         what=what_many)
            )  # fmt: skip
    return problems + _forbidden(rules, text, "text")


def _caption_split_problem(rules: NetworkRules, text: str, used: int, limit: int) -> Problem:
    """Telegram: an over-long caption is a warning when caption + one message can carry it."""
    caption, rest = telegram_split(text, limit)
    rest_used = text_units.utf16_length(rest)
    message_limit = rules.text_limit or 0
    if rest_used > message_limit:
        return _problem("text_too_long", "text", _TOO_LONG, used=rest_used, limit=message_limit,
                        unit=rules.unit, what="The message after the caption")  # fmt: skip
    return _problem(
        "caption_will_split",
        "text",
        "The caption is {used} {unit_label} long, over {limit}: the first {caption_used} go "
        "with the media and the rest follows as a message.",
        severity="warning",
        used=used,
        limit=limit,
        unit=rules.unit,
        caption_used=text_units.utf16_length(caption),
    )


def _forbidden(rules: NetworkRules, value: str, field_name: str) -> list[Problem]:
    found = sorted({ch for ch in value if ch in rules.forbidden_chars})
    if not found:
        return []
    message = "{network} does not allow {chars} in the {field}."
    return [_problem("forbidden_character", field_name, message, network=rules.name,
                     chars=" ".join(found), field=field_name)]  # fmt: skip


def _media_problems(
    rules: NetworkRules, media: Sequence[MediaItem], *, empty_post: bool
) -> list[Problem]:
    problems: list[Problem] = []
    network = rules.name
    if rules.media_required and not media and not empty_post:  # empty_post already says so
        kinds = " or ".join(sorted(rules.media_kinds))
        message = "{network} needs at least one {kinds}."
        problems.append(_problem("media_required", "media", message, network=network, kinds=kinds))
    images = sum(1 for m in media if m.kind == "image")
    for code, what, most, found in (
        ("too_many_media", "attachments", rules.max_media, len(media)),
        ("too_many_images", "images", rules.max_images, images),
    ):
        if most is not None and found > most:
            problems.append(
                _problem(code, "media", _TOO_MANY, used=found, limit=most, unit="items", what=what)
            )
    if rules.video_exclusive and len(media) > 1 and images < len(media):
        problems.append(_problem("video_not_alone", "media",
                                 "On {network} a video or GIF must be the only attachment.",
                                 network=network))  # fmt: skip
    for index, item in enumerate(media):
        problems += _item_problems(rules, f"media[{index}]", item)
    return problems


def _item_problems(rules: NetworkRules, where: str, item: MediaItem) -> list[Problem]:
    network = rules.name
    if item.kind not in rules.media_kinds:
        message = "{network} does not accept {kind} attachments."
        return [_problem("media_kind_unsupported", where, message, network=network, kind=item.kind)]
    if item.kind != "image":
        return []
    problems = []
    if rules.image_mimes is not None and item.mime and item.mime not in rules.image_mimes:
        allowed = ", ".join(sorted(rules.image_mimes))
        problems.append(_problem("image_format_unsupported", where,
                                 "{network} accepts {allowed} images, not {mime}.",
                                 network=network, allowed=allowed, mime=item.mime))  # fmt: skip
    limit, size = rules.max_image_bytes, item.size_bytes
    if limit is not None and size is not None and size > limit:
        problems.append(_problem("image_too_large", where,
                                 "The image is {used} bytes; the limit is {limit}.",
                                 used=size, limit=limit, unit="bytes"))  # fmt: skip
    if item.width and item.height:
        problems += _shape_problems(rules, where, item.width, item.height)
    return problems


def _shape_problems(rules: NetworkRules, where: str, width: int, height: int) -> list[Problem]:
    problems = []
    shape: dict[str, Any] = {"width": width, "height": height, "network": rules.name}
    if rules.max_dimension_sum is not None and width + height > rules.max_dimension_sum:
        problems.append(_problem("image_dimensions_too_large", where,
                                 "{width}×{height}: width + height must be at most {limit}.",
                                 used=width + height, limit=rules.max_dimension_sum,
                                 unit="pixels", **shape))  # fmt: skip
    if rules.max_pixels is not None and width * height > rules.max_pixels:
        problems.append(_problem("image_too_many_pixels", where,
                                 "{width}×{height} is over {limit} pixels.",
                                 used=width * height, limit=rules.max_pixels, unit="pixels",
                                 **shape))  # fmt: skip
    ratio = width / height
    too_elongated = (
        rules.max_aspect_ratio is not None and max(ratio, 1 / ratio) > rules.max_aspect_ratio
    )
    low, high = rules.aspect_ratio_range or (0.0, float("inf"))
    if too_elongated or not low <= ratio <= high:
        problems.append(_problem("aspect_ratio_unsupported", where,
                                 "{width}×{height} has an aspect ratio {network} does not accept.",
                                 **shape))  # fmt: skip
    return problems


def _title_problems(rules: NetworkRules, title: str) -> list[Problem]:
    problems = []
    if rules.title_required and not title:
        problems.append(_problem("title_required", "title", "{network} needs a title.",
                                 network=rules.name))  # fmt: skip
    if rules.title_limit is not None:
        used = text_units.utf16_length(title)
        if used > rules.title_limit:
            problems.append(_problem("title_too_long", "title", _TOO_LONG, used=used,
                                     limit=rules.title_limit, unit="utf16",
                                     what="Title"))  # fmt: skip
        problems += _forbidden(rules, title, "title")
    return problems


def _link_problems(rules: NetworkRules, link: str) -> list[Problem]:
    problems = []
    if not link.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in link):
        problems.append(
            _problem("link_invalid", "link", "The link must be an http(s) URL without spaces.")
        )
    if rules.link_limit is not None and len(link) > rules.link_limit:
        problems.append(_problem("link_too_long", "link", _TOO_LONG, used=len(link),
                                 limit=rules.link_limit, unit="utf16",
                                 what="The link"))  # fmt: skip
    if rules.link_handling == "not_clickable":
        problems.append(_problem("link_not_clickable", "link",
                                 "Links in {network} posts are not clickable.",
                                 severity="warning", network=rules.name))  # fmt: skip
    return problems


def _first_comment_problems(rules: NetworkRules, comment: str) -> list[Problem]:
    if not rules.first_comment:
        return [_problem("first_comment_unsupported", "first_comment",
                         "{network} cannot post a first comment.", network=rules.name)]  # fmt: skip
    used = count(rules, comment)
    if rules.comment_limit is not None and used > rules.comment_limit:
        return [_problem("first_comment_too_long", "first_comment", _TOO_LONG, used=used,
                         limit=rules.comment_limit, unit=rules.unit,
                         what="The first comment")]  # fmt: skip
    return []


# X allows at most one $CASHTAG per post (networks.md §7.2).
_CASHTAG = regex.compile(r"(?<=^|\s)\$[a-z]{1,6}(?:[._][a-z]{1,2})?(?![\w$])", regex.IGNORECASE)
