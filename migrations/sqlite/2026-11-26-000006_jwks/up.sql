-- The key pairs JWTs are signed with (JWT_ALGORITHM=EdDSA), as Better-Auth's
-- JWT plugin keeps them. id is the tokens' `kid`; public_key is the public JWK
-- (JSON); private_key is the private JWK encrypted with a key derived from
-- AUTH_SECRET. The current key has no expires_at; a rotated one has the time
-- it stopped signing, and stays published until the tokens it signed expire.
CREATE TABLE "jwks" (
    id TEXT PRIMARY KEY NOT NULL,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    alg TEXT NOT NULL,
    crv TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP
);
-- At most one current key, so replicas that all find none on their first
-- token agree on the one that got in first.
CREATE UNIQUE INDEX jwks_one_current_idx ON "jwks" ((expires_at IS NULL)) WHERE expires_at IS NULL;
