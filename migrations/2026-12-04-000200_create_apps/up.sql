-- Apps (tenants), their admin API keys and their webhook credentials.

CREATE TABLE apps (
    id uuid PRIMARY KEY,
    -- Same rule as `clientela_domain::tenant::is_valid_slug`.
    slug text NOT NULL
        CONSTRAINT apps_slug_key UNIQUE
        CONSTRAINT apps_slug_format CHECK (slug ~ '^[a-z][a-z0-9-]{0,61}[a-z0-9]$'),
    name text NOT NULL CONSTRAINT apps_name_not_blank CHECK (btrim(name) <> ''),
    -- IANA time zone name, validated by the domain.
    time_zone text NOT NULL DEFAULT 'America/Sao_Paulo',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 hash of a key is stored.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    hash bytea NOT NULL
        CONSTRAINT api_keys_hash_key UNIQUE
        CONSTRAINT api_keys_hash_length CHECK (octet_length(hash) = 32),
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE INDEX api_keys_app_id_idx ON api_keys (app_id);

-- The secret each platform signs or tags its webhooks with (Hotmart's hottok,
-- Kiwify's token), one per app and platform.
CREATE TABLE platform_credentials (
    app_id uuid NOT NULL REFERENCES apps (id),
    platform clientela_platform NOT NULL,
    secret text NOT NULL CONSTRAINT platform_credentials_secret_not_empty CHECK (secret <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, platform)
);
