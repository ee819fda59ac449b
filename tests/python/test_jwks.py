"""Our JWTs verify with PyJWT against /api/auth/jwks, as a separate backend
would verify them: no shared secret, only the published public keys.

Starts the tasktalk binary (JWT_ALGORITHM unset, so EdDSA), signs up, and
checks that the token from /api/auth/token and the one get-session sends in
`set-auth-jwt` verify with PyJWKClient, that the token names its key (`kid`),
and that a tampered token, a token for another audience, and an HS256 token
"signed" with the public key are refused.

Usage: TASKTALK_BIN=path/to/tasktalk python tests/python/test_jwks.py   (needs `pip install "PyJWT[crypto]"`)
"""

import base64
import hashlib
import hmac
import json
import tempfile
import urllib.request

import jwt

from test_mcp import http, start_server


def main():
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(folder)
        try:
            checks(base)
        finally:
            server.terminate()
            server.wait()


def checks(base):
    status, _, signed_up = http(
        "POST", f"{base}/api/auth/sign-up/email", {"email": "py@example.com", "password": "python test password"}
    )
    assert status == 200, signed_up
    session_token = signed_up["token"]
    status, _, body = http("GET", f"{base}/api/auth/token", token=session_token)
    assert status == 200, body
    token = body["token"]
    status, headers, _ = http("GET", f"{base}/api/auth/get-session", token=session_token)
    assert status == 200
    header_token = {k.lower(): v for k, v in headers.items()}["set-auth-jwt"]

    keys = jwt.PyJWKClient(f"{base}/api/auth/jwks")
    for candidate in (token, header_token):
        header = jwt.get_unverified_header(candidate)
        assert header["alg"] == "EdDSA" and header.get("kid"), header
        key = keys.get_signing_key_from_jwt(candidate)
        claims = jwt.decode(candidate, key.key, algorithms=["EdDSA"], audience=base, issuer=base)
        assert claims["sub"] == signed_up["user"]["id"], claims
        assert claims["email"] == "py@example.com", claims

    key = keys.get_signing_key_from_jwt(token)
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    refused(lambda: jwt.decode(tampered, key.key, algorithms=["EdDSA"], audience=base, issuer=base))
    refused(lambda: jwt.decode(token, key.key, algorithms=["EdDSA"], audience="http://elsewhere.example", issuer=base))

    # The server must not take a token "signed" with its public key as an HMAC secret.
    with urllib.request.urlopen(f"{base}/api/auth/jwks") as response:
        public = json.load(response)["keys"][0]
    # (Signed by hand: PyJWT itself refuses a key that looks like a JWK as an HMAC secret.)
    claims = jwt.decode(token, options={"verify_signature": False})
    for secret in (public["x"], json.dumps(public)):
        forged = hs256(claims, secret.encode(), public["kid"])
        status, _, body = http("GET", f"{base}/api/me", token=forged)
        assert status == 401, (status, body)
    status, _, _ = http("GET", f"{base}/api/me", token=token)
    assert status == 200

    print("JWTs verify against /api/auth/jwks with PyJWT; tampered and alg-confused tokens are refused")


def hs256(claims, secret, kid):
    part = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def refused(decode):
    try:
        decode()
    except jwt.InvalidTokenError:
        return
    raise AssertionError("a bad token was accepted")


if __name__ == "__main__":
    main()
