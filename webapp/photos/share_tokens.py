"""Sharing links' tokens: made here, and kept only as their hash.

secrets.token_urlsafe(24) is 192 random bits in 32 URL-safe characters. The database keeps
its SHA-256 only, so a leaked copy of the database opens nothing. A plain hash is enough (no
salt, no slow KDF): the token is random, not a password, and cannot be found from its hash.
"""

import hashlib
import secrets

TOKEN_BYTES = 24
# token_urlsafe(24) is 32 characters; anything far longer is not a token of ours.
MAX_TOKEN_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
