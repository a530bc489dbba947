"""The AsyncAPI contract for other systems: `/asyncapi.json` as generated from `contracts/`, and
`/asyncapi`, the same document as a page a person reads (rendered here: no script at all)."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse

from contracts.asyncapi import document

router = APIRouter(tags=["contract"])
PAGE_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1c2430;background:#f5f6f8}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #d8dde5}h3{margin-bottom:.25rem}
section.message{background:#fff;border:1px solid #d8dde5;border-radius:8px;padding:1rem}
code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:#0f1720;color:#e6edf3;padding:.75rem;border-radius:6px;overflow-x:auto}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #e5e8ee;vertical-align:top}
.tag{display:inline-block;background:#e8eefc;color:#1e4fb4;border-radius:4px;padding:0 .4rem}
"""


@cache
def _document() -> dict[str, Any]:
    return document()


@router.get("/asyncapi.json", response_class=JSONResponse)
async def asyncapi_json() -> dict[str, Any]:
    """The AsyncAPI 3 document of the public events and channels."""
    return _document()


@router.get("/asyncapi", response_class=HTMLResponse)
async def asyncapi_page() -> HTMLResponse:
    """The AsyncAPI document as a page."""
    return HTMLResponse(
        _page(),
        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
    )


@cache
def _page() -> str:
    doc = _document()
    info = doc["info"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(info['title'])}</title><style>{PAGE_CSS}</style></head><body><main>",
        f"<h1>{escape(info['title'])}</h1>",
        f"<p>AsyncAPI {escape(doc['asyncapi'])} · version {escape(info['version'])} · "
        "<a href='/asyncapi.json'>the document as JSON</a></p>",
        f"<p>{_inline_code(info['description'])}</p>",
        "<h2>Servers</h2>",
        *(
            f"<p><span class='tag'>{escape(s['protocol'])} {escape(s.get('protocolVersion', ''))}"
            f"</span> <code>{escape(s['host'])}</code>: {escape(s.get('description', ''))}</p>"
            for s in doc["servers"].values()
        ),
        "<h2>Channels and operations</h2>",
    ]
    for channel_id, channel in doc["channels"].items():
        amqp = channel.get("bindings", {}).get("amqp", {})
        exchange = amqp.get("exchange") or amqp.get("queue") or {}
        where = "Queue" if "queue" in amqp else "Exchange"
        kind = f" ({escape(exchange['type'])})" if exchange.get("type") else ""
        operations = [
            op
            for op in doc["operations"].values()
            if op["channel"]["$ref"].endswith(f"/{channel_id}")
        ]
        parts.append(
            f"<h3>{escape(channel.get('title', channel_id))}</h3>"
            f"<p>{where} <code>{escape(exchange.get('name', channel['address']))}</code>{kind}. "
            f"{_inline_code(channel.get('description', ''))}</p>"
        )
        parts.extend(
            f"<p><span class='tag'>{escape(op['action'])}</span> {escape(op.get('title', ''))}</p>"
            for op in operations
        )
    parts.append("<h2>Messages</h2>")
    schemas = doc["components"]["schemas"]
    for name, message in doc["components"]["messages"].items():
        parts.append(_message_section(name, message, schemas))
    parts.append("</main></body></html>")
    return "".join(parts)


def _message_section(name: str, message: dict[str, Any], schemas: dict[str, Any]) -> str:
    message_type = message["bindings"]["amqp"]["messageType"]
    # A CloudEvent's fields are its `data`'s; a partner's request is a plain JSON body.
    data_ref = message["payload"].get("properties", {}).get("data", {}).get("$ref")
    data = schemas[data_ref.rsplit("/", 1)[-1]] if data_ref else message["payload"]
    rows = "".join(
        f"<tr><td><code>{escape(field)}</code></td><td>{escape(_type_of(spec, schemas))}</td>"
        f"<td>{'yes' if field in data.get('required', ()) else 'no'}</td></tr>"
        for field, spec in data.get("properties", {}).items()
    )
    example = json.dumps(message["examples"][0]["payload"], indent=2, ensure_ascii=False)
    return (
        f"<section class='message' id='{escape(name)}'><h3>{escape(message['title'])}</h3>"
        f"<p><code>type</code> <code>{escape(message_type)}</code> · routing key "
        f"<code>{escape(message.get('x-routing-key', ''))}</code> · "
        f"<code>{escape(message['contentType'])}</code></p>"
        f"<p>{escape(message.get('summary', ''))}</p>"
        f"<p>{_inline_code(message.get('description', ''))}</p>"
        f"<p>{'The CloudEvent&#x27;s <code>data</code>' if data_ref else 'The body'}:</p>"
        f"<table><thead><tr><th>Field</th><th>Type</th><th>Required</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<p>Example:</p><pre>{escape(example)}</pre></section>"
    )


def _type_of(spec: dict[str, Any], schemas: dict[str, Any]) -> str:
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_type_of(s, schemas) for s in spec["anyOf"])
    kind = str(spec.get("type", "any"))
    details = [f"{key} {spec[key]}" for key in ("format", "pattern", "maxLength") if key in spec]
    return f"{kind} ({', '.join(details)})" if details else kind


def _inline_code(text: str) -> str:
    """`x` in a description as <code>x</code>, the rest escaped."""
    pieces = escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))
