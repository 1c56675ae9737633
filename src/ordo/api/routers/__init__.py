"""One router per resource; each is thin: parse, call the service layer, render.

Each router carries the ``/api/v1`` prefix itself, so its routes' templates are
the full paths (which is what the request metrics are labelled with).
"""

API_PREFIX = "/api/v1"
