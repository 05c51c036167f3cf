"""`hearth channel add …` and `hearth post publish-now|delete` — automation over connectors.

Secrets are read from environment variables named on the command line, never from
arguments (which show up in `ps` and shell history).
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

# network → [(flag, credential key, from-env?)]; flags ending in -env name a variable.
CREDENTIAL_FLAGS: dict[str, list[tuple[str, str, bool]]] = {
    "bluesky": [
        ("--handle", "identifier", False),
        ("--app-password-env", "app_password", True),
        ("--service", "pds_url", False),
    ],
    "telegram": [("--chat-id", "chat_id", False), ("--bot-token-env", "bot_token", True)],
    "mastodon": [
        ("--instance", "instance_url", False),
        ("--access-token-env", "access_token", True),
    ],
    "vk": [
        ("--group-id", "group_id", False),
        ("--client-id", "client_id", False),
        ("--device-id", "device_id", False),
        ("--access-token-env", "access_token", True),
        ("--refresh-token-env", "refresh_token", True),
    ],
    "sandbox": [("--base-url", "base_url", False), ("--handle", "handle", False)],
}


def register(sub) -> None:
    channel = sub.add_parser("channel", help="connect channels to accounts")
    actions = channel.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="connect a project's channel to an account")
    networks = add.add_subparsers(dest="network", required=True, metavar="NETWORK")
    for network, flags in CREDENTIAL_FLAGS.items():
        p = networks.add_parser(network)
        p.add_argument("--project", required=True, type=int, help="project id")
        p.add_argument("--name", help="channel name (default: the network's account)")
        for flag, _key, _env in flags:
            p.add_argument(flag, required=flag not in {"--service", "--base-url"})
        p.set_defaults(handler=add_channel)

    post = sub.add_parser("post", help="publish or delete a post now, outside the calendar")
    actions = post.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("publish-now")
    p.add_argument("--channel", required=True, type=int, help="channel id")
    p.add_argument("--text", required=True)
    p.add_argument("--image", action="append", default=[], help="image file (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=publish_now)
    p = actions.add_parser("delete")
    p.add_argument("--channel", required=True, type=int)
    p.add_argument("--id", required=True, dest="post_id")
    p.set_defaults(handler=delete_post)


def _fail(message: str) -> int:
    print(f"hearth: {message}", file=sys.stderr)
    return 2


def _credentials(args) -> dict:
    creds: dict = {}
    for flag, key, from_env in CREDENTIAL_FLAGS[args.network]:
        value = getattr(args, flag.lstrip("-").replace("-", "_"))
        if value is None:
            continue
        if from_env:
            secret = os.environ.get(value, "")
            if not secret:
                raise ValueError(f"{flag}: environment variable {value} is empty or unset")
            value = secret
        creds[key] = value
    if args.network == "sandbox":
        # The sandbox hands out tokens itself: create (or reuse) the account.
        import httpx

        from hearth.sandbox.admin import SandboxAdmin

        with httpx.Client(timeout=10) as http:
            creds = SandboxAdmin(http, creds["base_url"]).create_account(creds["handle"])
    return creds


def add_channel(args) -> int:
    from django.utils import timezone

    from hearth.channels import services
    from hearth.connectors import errors
    from hearth.content.models import Channel
    from hearth.kit.http import make_client
    from hearth.strategy.models import Project

    try:
        creds = _credentials(args)
    except ValueError as exc:
        return _fail(str(exc))
    project = Project.objects.filter(pk=args.project).first()
    if project is None:
        return _fail(f"--project: no project {args.project}")
    channel, _ = Channel.objects.get_or_create(
        project=project,
        network=args.network,
        name=args.name or creds.get("identifier") or creds.get("handle") or args.network,
    )
    with make_client() as http:
        try:
            account = services.connect(channel, creds, http=http, clock=timezone.now)
        except errors.ConnectorError as exc:
            return _fail(f"{args.network} refused the account: {exc}")
    print(
        json.dumps(
            {"channel": channel.pk, "account": account.account_label, "state": account.state}
        )
    )
    return 0


def _connection(channel_id: int, http):
    from django.utils import timezone

    from hearth.channels import services
    from hearth.channels.models import ChannelAccount

    account = ChannelAccount.objects.select_related("channel").filter(channel_id=channel_id).first()
    if account is None:
        raise LookupError(f"--channel: channel {channel_id} has no connected account")
    return account, services.connection_for(account, http=http, clock=timezone.now)


def publish_now(args) -> int:
    from hearth.channels import services
    from hearth.connectors import errors
    from hearth.connectors.base import MediaFile, PublishRequest
    from hearth.kit.http import make_client

    images = []
    for path in args.image:
        file = Path(path)
        if not file.is_file():
            return _fail(f"--image: {path} is not a file")
        mime = "image/png" if file.suffix.lower() == ".png" else "image/jpeg"
        images.append(MediaFile(content=file.read_bytes(), mime_type=mime, filename=file.name))
    with make_client() as http:
        try:
            account, connection = _connection(args.channel, http)
            post = connection.publish(
                PublishRequest(
                    text=args.text, idempotency_key=uuid.uuid4().hex, images=tuple(images)
                )
            )
        except LookupError as exc:
            return _fail(str(exc))
        except errors.ConnectorError as exc:
            return _fail(f"{type(exc).__name__}: {exc}")
        services.persist_credentials(account, connection)
    if args.json:
        print(json.dumps({"id": post.id, "url": post.url}))
    else:
        print(f"{post.id} {post.url or ''}".strip())
    return 0


def delete_post(args) -> int:
    from hearth.connectors import errors
    from hearth.kit.http import make_client

    with make_client() as http:
        try:
            _account, connection = _connection(args.channel, http)
            connection.delete(args.post_id)
        except LookupError as exc:
            return _fail(str(exc))
        except errors.ConnectorError as exc:
            return _fail(f"{type(exc).__name__}: {exc}")
    print(f"deleted {args.post_id}")
    return 0
