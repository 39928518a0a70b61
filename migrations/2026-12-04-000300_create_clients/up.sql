-- Clients of each app, with the columns and indexes the client search uses.

CREATE TABLE clients (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    -- NFC, trimmed, at most 200 characters (`clientela_domain::values::NAME_MAX_CHARS`).
    name text NOT NULL
        CONSTRAINT clients_name_length CHECK (name <> '' AND char_length(name) <= 200),
    -- The name as the search folds it. The "C" collation gives a byte order that
    -- does not depend on the server's locale, for sorting and keyset pagination.
    name_folded text COLLATE "C" NOT NULL GENERATED ALWAYS AS (clientela_fold(name)) STORED,
    -- A platform sent a longer or malformed name that was cut or cleaned.
    name_altered boolean NOT NULL DEFAULT false,
    -- Trimmed and lower-cased by the domain.
    email text NOT NULL
        CONSTRAINT clients_email_not_blank CHECK (email <> '' AND email = btrim(email)),

    -- E.164 (`+5511987654321`) when verified, otherwise as received.
    phone text,
    phone_verified boolean NOT NULL DEFAULT false,
    -- Validation error code of an unverified phone.
    phone_invalid_reason text,
    -- All digits of the phone, and for Brazilian numbers the digits after the
    -- country code 55, so that both "5511987654321" and "11987654321" prefix-match.
    phone_digits text COLLATE "C"
        GENERATED ALWAYS AS (nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '')) STORED,
    phone_national_digits text COLLATE "C" GENERATED ALWAYS AS (
        CASE WHEN regexp_replace(phone, '[^0-9]', '', 'g') ~ '^55[0-9]{10,11}$'
            THEN substr(regexp_replace(phone, '[^0-9]', '', 'g'), 3)
        END
    ) STORED,

    -- CPF or CNPJ unmasked when verified, otherwise as received.
    document text,
    document_verified boolean NOT NULL DEFAULT false,
    document_kind text CONSTRAINT clients_document_kind_known CHECK (document_kind IN ('cpf', 'cnpj')),
    -- Validation error code of an unverified document.
    document_invalid_reason text,
    -- Another client of the app holds the same document; flagged for review.
    possible_duplicate_document boolean NOT NULL DEFAULT false,

    has_chargeback boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT clients_status_known CHECK (status IN ('active', 'inactive')),
    origin_platform clientela_platform NOT NULL,
    -- argon2id PHC string; NULL until the client sets a password.
    password_hash text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_access_at timestamptz,
    first_access_at timestamptz,
    -- Incremented by every update, for optimistic concurrency.
    version bigint NOT NULL DEFAULT 0 CONSTRAINT clients_version_not_negative CHECK (version >= 0),

    CONSTRAINT clients_app_id_email_key UNIQUE (app_id, email),
    -- Target of the composite foreign keys that keep every row in its client's app.
    CONSTRAINT clients_app_id_id_key UNIQUE (app_id, id),
    CONSTRAINT clients_phone_checked CHECK (
        CASE WHEN phone IS NULL THEN NOT phone_verified AND phone_invalid_reason IS NULL
            ELSE phone_verified = (phone_invalid_reason IS NULL)
        END
    ),
    CONSTRAINT clients_document_checked CHECK (
        CASE WHEN document IS NULL
                THEN NOT document_verified AND document_kind IS NULL AND document_invalid_reason IS NULL
            WHEN document_verified THEN document_kind IS NOT NULL AND document_invalid_reason IS NULL
            ELSE document_kind IS NULL AND document_invalid_reason IS NOT NULL
        END
    )
);

-- Keyset pagination by signup date, newest or oldest first.
CREATE INDEX clients_app_created_idx ON clients (app_id, created_at, id);
-- Keyset pagination by name.
CREATE INDEX clients_app_name_idx ON clients (app_id, name_folded, id);
-- Substring search in names and e-mails (LIKE '%…%').
CREATE INDEX clients_name_trgm_idx ON clients USING gin (name_folded gin_trgm_ops);
CREATE INDEX clients_email_trgm_idx ON clients USING gin (email gin_trgm_ops);
-- Prefix search in documents and phone digits (range scans with ~>=~ and ~<~), and
-- the exact document lookup of the duplicate check.
CREATE INDEX clients_app_document_idx ON clients (app_id, document text_pattern_ops);
CREATE INDEX clients_app_phone_digits_idx ON clients (app_id, phone_digits text_pattern_ops);
CREATE INDEX clients_app_phone_national_idx ON clients (app_id, phone_national_digits text_pattern_ops);
-- Filters.
CREATE INDEX clients_app_platform_created_idx ON clients (app_id, origin_platform, created_at, id);
CREATE INDEX clients_app_status_created_idx ON clients (app_id, status, created_at, id);
CREATE INDEX clients_app_last_access_idx ON clients (app_id, last_access_at, id);
CREATE INDEX clients_app_chargeback_created_idx ON clients (app_id, created_at, id) WHERE has_chargeback;
