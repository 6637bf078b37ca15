"""The API's request bodies, read within bounds (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

DRF's JSONParser hands the body to json.load, whose recursion ends a body nested a thousand
levels deep in a RecursionError (a 500). This parser measures the nesting first
(claims/boundedjson.py) and refuses a body nested deeper than the desk reads with a 400 in
words. The body's size is bounded before any parser runs: DRF reads a JSON body through
Django's request.body, which refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE (a 413 in words,
api/exceptions.py)."""

from __future__ import annotations

import io

from rest_framework import exceptions
from rest_framework.parsers import JSONParser, get_encoding

from claims import boundedjson

SUBJECT = "The request body"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            # Measured as text: a two-byte encoding can hide a bracket or quote in its bytes.
            text = body.decode(get_encoding(parser_context or {}))
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(
                f"{SUBJECT} is not text in its encoding ({exc}).") from exc
        try:
            boundedjson.check_depth(text, subject=SUBJECT)
        except boundedjson.TooDeep as exc:
            raise exceptions.ParseError(str(exc)) from exc
        return super().parse(io.BytesIO(body), media_type, parser_context)
