-- Members-app accounts: sessions, the single-use tokens of set-password links,
-- and the counters of failed logins. Only SHA-256 hashes of tokens are stored.

CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL,
    client_id uuid NOT NULL,
    token_hash bytea NOT NULL
        CONSTRAINT sessions_token_hash_key UNIQUE
        CONSTRAINT sessions_token_hash_length CHECK (octet_length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- Creation or latest refresh; reading a session does not move it.
    last_used_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT sessions_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id)
);

-- The sessions a password change revokes.
CREATE INDEX sessions_app_client_live_idx ON sessions (app_id, client_id)
    WHERE revoked_at IS NULL;

CREATE TABLE account_tokens (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL,
    client_id uuid NOT NULL,
    purpose text NOT NULL
        CONSTRAINT account_tokens_purpose_known CHECK (purpose IN ('first_access', 'password_reset')),
    token_hash bytea NOT NULL
        CONSTRAINT account_tokens_token_hash_key UNIQUE
        CONSTRAINT account_tokens_token_hash_length CHECK (octet_length(token_hash) = 32),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    -- When the token set a password.
    used_at timestamptz,
    -- When a newer link or a password change made the token void.
    invalidated_at timestamptz,
    CONSTRAINT account_tokens_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT account_tokens_used_or_invalidated CHECK (used_at IS NULL OR invalidated_at IS NULL),
    CONSTRAINT account_tokens_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id)
);

-- The unused tokens a newer link or a password change invalidates.
CREATE INDEX account_tokens_app_client_open_idx ON account_tokens (app_id, client_id)
    WHERE used_at IS NULL AND invalidated_at IS NULL;

-- One counter of failed logins per app and key: an e-mail address as typed, or a
-- client network. The key is kept as a SHA-256 digest, so no typed address is
-- stored in clear.
CREATE TABLE login_throttle (
    app_id uuid NOT NULL REFERENCES apps (id),
    key_kind text NOT NULL CONSTRAINT login_throttle_key_kind_known CHECK (key_kind IN ('email', 'ip')),
    key_digest bytea NOT NULL CONSTRAINT login_throttle_key_digest_length CHECK (octet_length(key_digest) = 32),
    -- Time of the first failure of the current count.
    window_started_at timestamptz NOT NULL,
    failures integer NOT NULL CONSTRAINT login_throttle_failures_not_negative CHECK (failures >= 0),
    locked_until timestamptz,
    PRIMARY KEY (app_id, key_kind, key_digest)
);
