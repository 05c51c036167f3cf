"""Tenant isolation over every registered page and API route.

A member of workspace A asks for workspace B's pages and objects, by every route
the project registers: each answer is 404, never B's data.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from hearth.api import api
from hearth.workspaces.models import ApiToken
from tests import tenant_objects
from tests.factories import PASSWORD, make_user, make_workspace

SECRET_MARK = "Bravo-Tenant-Marker"


def _page_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("api/"):
                continue  # the API is covered by its own schema below
            yield from _page_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


PAGE_ROUTES = sorted(set(_page_routes()))
WORKSPACE_PAGE_ROUTES = [r for r in PAGE_ROUTES if "<slug:ws>" in r[0]]


def _api_routes():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield path, method


API_ROUTES = sorted(set(_api_routes()))
SCHEMA = api.get_openapi_schema()


def _sample(schema: dict):
    """A valid value for a JSON schema, so validation passes and scoping is what answers."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _sample(SCHEMA["components"]["schemas"][name])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _sample(schema[key][0])
    if "enum" in schema:
        return schema["enum"][-1]
    kind = schema.get("type", "object")
    if kind == "object":
        return {k: _sample(v) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}))]
    if schema.get("format") == "date-time":
        return "2030-01-01T00:00:00Z"
    if schema.get("format") == "date":
        return "2030-01-01"
    return {"string": "someone@example.com", "integer": 1, "number": 1.5, "boolean": True}.get(kind)


def _body(path: str, method: str) -> str:
    import json

    operation = SCHEMA["paths"][path][method]
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return json.dumps(_sample(content["schema"])) if content else "{}"


@pytest.fixture
def two_tenants(db):
    alice = make_user("alice")
    bob = make_user("bob")
    a = make_workspace("Alpha", owner=alice)
    b = make_workspace(SECRET_MARK, owner=bob)
    return alice, bob, a, b


def _fill(pattern: str, b, bob, style: str) -> str:
    names = (
        re.findall(r"<(?:\w+:)?(\w+)>", pattern)
        if style == "page"
        else re.findall(r"{(\w+)}", pattern)
    )
    values = {}
    for name in names:
        if name == "ws":
            values[name] = b.slug
            continue
        maker = tenant_objects.MAKERS.get(name)
        assert maker is not None, (
            f"add a maker for route parameter {name!r} to tests/tenant_objects.py"
        )
        values[name] = str(maker(b, bob))
    if style == "page":
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], pattern)
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], pattern)


def test_routes_were_found():
    assert len(WORKSPACE_PAGE_ROUTES) >= 7
    assert len(API_ROUTES) >= 7


@pytest.mark.parametrize(("pattern", "name"), WORKSPACE_PAGE_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_of_another_workspace_are_404(client, two_tenants, pattern, name, method):
    alice, bob, _a, b = two_tenants
    client.login(username=alice.username, password=PASSWORD)
    url = _fill(pattern, b, bob, "page")
    response = getattr(client, method)(url)
    assert response.status_code == 404, (
        f"{method.upper()} {url} ({name}) answered {response.status_code}"
    )
    assert SECRET_MARK not in response.content.decode()


@pytest.mark.parametrize(("pattern", "name"), [r for r in PAGE_ROUTES if "<" not in r[0]])
def test_pages_without_workspace_never_show_another_tenant(client, two_tenants, pattern, name):
    alice, _bob, _a, _b = two_tenants
    client.login(username=alice.username, password=PASSWORD)
    response = client.get("/" + pattern, follow=True)
    assert SECRET_MARK not in response.content.decode()


@pytest.mark.parametrize(("path", "method"), API_ROUTES)
def test_api_objects_of_another_workspace_are_404(client, two_tenants, path, method):
    alice, bob, _a, b = two_tenants
    _token, raw = ApiToken.issue(alice, "mine")
    url = _fill(path, b, bob, "api")
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.generic(
        method.upper(),
        url,
        data=_body(path, method),
        content_type="application/json",
        headers=headers,
    )
    body = response.content.decode()
    assert SECRET_MARK not in body
    if "{" in path:
        assert response.status_code == 404, (
            f"{method.upper()} {url} answered {response.status_code}: {body}"
        )
        assert response.json()["code"] == "not_found"
    else:
        assert response.status_code in {200, 201, 204, 405, 422}, body
