"""Hostile text: a script element and an image whose onerror runs script, stored wherever a
user or a fetched page controls text, to show it always comes out inert."""

SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = f"{SCRIPT}{IMG}"
