"""Organisations' sign-in: bearer JWTs from one configured OIDC issuer, beside API tokens.

- `Jwks`: the issuer's signing keys, from `VALUEGRAPH_OIDC_JWKS_URL` or the `jwks_uri` of
  `<issuer>/.well-known/openid-configuration`. Fetched with a timeout, a deadline and a size
  cap; used for `VALUEGRAPH_OIDC_JWKS_LIFETIME_S`; fetched again for a key id it does not
  know (the issuer rotated its keys) or after a failure at most once per
  `VALUEGRAPH_OIDC_REFETCH_INTERVAL_S`, so tokens naming made-up key ids cannot make the
  service hammer the issuer, and an issuer that is down costs one timeout, not one per request.
- `OidcVerifier`: checks a token (algorithm, signature, issuer, audience, expiry and
  not-before with a small leeway) and maps the configured claim to a role.

PyJWT's `PyJWKClient` caches and cools down too, but reads whatever the endpoint sends
without a size cap and knows nothing of discovery, so the fetching is done here and PyJWT
only verifies.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import jwt

from app.settings import Settings
from graph.tokens import Principal, Role

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 512 * 1024  # a JWKS of a few dozen keys is a few KiB
DISCOVERY_PATH = "/.well-known/openid-configuration"
# The key type each algorithm family verifies with: a token may not pick another.
KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


class SignInRefused(Exception):
    """A token that does not prove who is calling (401); the message says why."""


class NoRole(Exception):
    """A valid token whose claims map to no role (403)."""


class IssuerUnavailable(Exception):
    """The issuer's keys cannot be fetched now (503)."""


def fetch_json(url: str, *, timeout_s: float) -> dict[str, Any]:
    """The JSON object at URL, read within TIMEOUT_S (per read and in all) and
    MAX_DOCUMENT_BYTES, else IssuerUnavailable."""
    if urlparse(url).scheme not in ("http", "https"):
        raise IssuerUnavailable(f"{url} is not an http(s) URL")
    deadline = time.monotonic() + timeout_s
    body = b""
    try:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            # A slow drip of bytes would pass a per-read timeout forever: check a deadline
            # after each receive (read1: one receive, where read(n) waits for all n bytes).
            while chunk := response.read1(64 * 1024):
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise IssuerUnavailable(f"{url} sent more than {MAX_DOCUMENT_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise IssuerUnavailable(f"{url} took longer than {timeout_s:g} s")
    except (OSError, http.client.HTTPException) as exc:  # refused, timed out, HTTP errors
        raise IssuerUnavailable(f"{url}: {exc}") from exc
    try:
        data = json.loads(body)
    except ValueError:
        raise IssuerUnavailable(f"{url} did not answer JSON") from None
    if not isinstance(data, dict):
        raise IssuerUnavailable(f"{url} did not answer a JSON object")
    return data


class Jwks:
    """The issuer's signing keys by key id, fetched when needed (see the module docstring)."""

    def __init__(
        self,
        *,
        issuer: str,
        jwks_url: str | None,
        lifetime_s: float,
        refetch_interval_s: float,
        timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.lifetime_s = lifetime_s
        self.refetch_interval_s = refetch_interval_s
        self.timeout_s = timeout_s
        self.clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None  # last fetch that worked
        self._tried_at: float | None = None  # last fetch, worked or not
        self._failure: str | None = None
        # One fetch at a time: callers arriving meanwhile wait for it rather than repeat it.
        self._lock = threading.Lock()

    def key(self, kid: str) -> dict[str, Any]:
        """The JWK with id KID; SignInRefused if the issuer does not publish it,
        IssuerUnavailable if its keys cannot be had."""
        with self._lock:
            now = self.clock()
            expired = self._fetched_at is None or now - self._fetched_at >= self.lifetime_s
            if expired:
                self._keys = {}
            if kid not in self._keys and self._may_fetch(now):
                self._fetch(now)
            found = self._keys.get(kid)
            if found is not None:
                return found
            if not self._keys:
                raise IssuerUnavailable(self._failure or "no keys fetched yet")
        raise SignInRefused("signed with a key the issuer does not publish (unknown kid)")

    def _may_fetch(self, now: float) -> bool:
        return self._tried_at is None or now - self._tried_at >= self.refetch_interval_s

    def _fetch(self, now: float) -> None:
        try:
            document = fetch_json(self._keys_url(), timeout_s=self.timeout_s)
            keys = document.get("keys")
            if not isinstance(keys, list):
                raise IssuerUnavailable("the JWKS has no `keys` list")
        except IssuerUnavailable as exc:
            # The interval counts from the end: a fetch that timed out is not retried at once.
            self._tried_at = self.clock()
            self._failure = str(exc)
            log.warning("cannot fetch the OIDC issuer's keys: %s", exc)
            return
        self._keys = {
            k["kid"]: k
            for k in keys
            if isinstance(k, dict)
            and isinstance(k.get("kid"), str)
            and k.get("use", "sig") == "sig"
        }
        self._fetched_at, self._tried_at, self._failure = now, self.clock(), None

    def _keys_url(self) -> str:
        if self.jwks_url is None:
            url = self.issuer.rstrip("/") + DISCOVERY_PATH
            discovery = fetch_json(url, timeout_s=self.timeout_s)
            # OpenID Connect Discovery 1.0, section 4.3: the document names its own issuer.
            if discovery.get("issuer") != self.issuer:
                raise IssuerUnavailable(f"{url} names another issuer")
            jwks_uri = discovery.get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise IssuerUnavailable(f"{url} has no jwks_uri")
            self.jwks_url = jwks_uri
        return self.jwks_url


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """The claim named PATH, or found by walking its dots (`realm_access.roles`); a claim
    whose own name has dots (`https://example.com/roles`) is taken as it is."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


class OidcVerifier:
    """Turns a bearer JWT of the configured issuer into a Principal."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_issuer and settings.oidc_audience
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.algorithms = tuple(settings.oidc_algorithms)
        self.leeway_s = settings.oidc_leeway_s
        self.roles_claim = settings.oidc_roles_claim
        self.role_map = {value: Role.parse(role) for value, role in settings.oidc_role_map.items()}
        self.username_claim = settings.oidc_username_claim
        self.jwks = Jwks(
            issuer=self.issuer,
            jwks_url=settings.oidc_jwks_url,
            lifetime_s=settings.oidc_jwks_lifetime_s,
            refetch_interval_s=settings.oidc_refetch_interval_s,
            timeout_s=settings.oidc_fetch_timeout_s,
        )

    @classmethod
    def of(cls, settings: Settings) -> OidcVerifier | None:
        return cls(settings) if settings.oidc_issuer else None

    def principal(self, token: str) -> Principal:
        claims = self.verify(token)
        name = claims.get(self.username_claim) or claims.get("sub")
        if not isinstance(name, str) or not name:
            raise SignInRefused(f"token names no user ({self.username_claim} or sub)")
        return Principal(
            token_id=f"oidc:{claims.get('sub', name)}", name=name, role=self.role(claims)
        )

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once everything about it has been checked."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise SignInRefused("not a valid JWT") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise SignInRefused(
                f"tokens signed with {str(alg)[:20]!r} are not accepted; "
                f"accepted: {', '.join(self.algorithms)}"
            )
        # Refused before any fetch: a foreign token must not make us call our issuer.
        if unverified.get("iss") != self.issuer:
            raise SignInRefused("token from another issuer")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise SignInRefused("token names no signing key (kid)")
        jwk = self.jwks.key(kid)
        if jwk.get("kty") != KEY_TYPES.get(alg[:2]) or jwk.get("alg", alg) != alg:
            raise SignInRefused(f"the issuer's key {kid!r} is not for {alg}")
        try:
            key = jwt.PyJWK(jwk, algorithm=alg).key
        except jwt.PyJWTError:
            raise SignInRefused(f"the issuer's key {kid!r} cannot be used") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused("token expired") from None
        except jwt.ImmatureSignatureError:
            raise SignInRefused("token not valid yet (nbf or iat in the future)") from None
        except jwt.InvalidAudienceError:
            raise SignInRefused(
                f"token is not for this service (aud is not {self.audience!r})"
            ) from None
        except jwt.InvalidIssuerError:
            raise SignInRefused("token from another issuer") from None
        except jwt.InvalidSignatureError:
            raise SignInRefused("signature does not verify") from None
        except jwt.MissingRequiredClaimError as exc:
            raise SignInRefused(f"token has no {exc.claim} claim") from None
        except jwt.PyJWTError:
            raise SignInRefused("token cannot be verified") from None
        return claims

    def role(self, claims: dict[str, Any]) -> Role:
        """The highest role any value of the roles claim maps to."""
        found = claim_at(claims, self.roles_claim)
        values = [found] if isinstance(found, str) else found if isinstance(found, list) else []
        roles = [self.role_map[v] for v in values if isinstance(v, str) and v in self.role_map]
        if not roles:
            raise NoRole(
                f"signed in, but no value of the {self.roles_claim!r} claim is mapped to a "
                "valuegraph role; ask an administrator to map one of your roles or groups "
                "in VALUEGRAPH_OIDC_ROLE_MAP"
            )
        return max(roles)
