"""The address a request really came from, for rate limits and login lockouts.

On Lambda, Zappa fills REMOTE_ADDR from X-Forwarded-For, taking the second address from the
end: right behind an edge-optimized API (CloudFront appends its own address last), but a
regional API appends only the client's, so the "second to last" is whatever the client wrote
itself, and a password-guessing loop could name a new address on every try. API Gateway's
own record of the connection, requestContext.identity.sourceIp in the event Zappa hands to
Django, is never the client's to write: it wins whenever it is there.
"""


def client_ip(request) -> str | None:
    event = request.META.get("lambda.event")
    if isinstance(event, dict):
        identity = (event.get("requestContext") or {}).get("identity") or {}
        source = identity.get("sourceIp")
        if isinstance(source, str) and source:
            return source
    # None, not a made-up word: axes stores it in an address column (a login made in code,
    # like the admin's "log in as" or a test's force_login, has no address at all).
    return request.META.get("REMOTE_ADDR") or None
