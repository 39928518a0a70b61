-- Every authentic webhook delivery, stored raw for audit and replay, with the
-- outcome of applying it.

CREATE TABLE webhook_events (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    platform clientela_platform NOT NULL,
    -- Names one event of the platform, so a repeated delivery is recognised.
    dedupe_key text NOT NULL CONSTRAINT webhook_events_dedupe_key_length
        CHECK (dedupe_key <> '' AND char_length(dedupe_key) <= 500),
    received_at timestamptz NOT NULL,
    content_type text,
    -- [[name, value], ...] with lower-case names, in arrival order, without the
    -- headers that carry a secret (`clientela_domain::webhook::SECRET_HEADERS`).
    headers jsonb NOT NULL DEFAULT '[]'::jsonb
        CONSTRAINT webhook_events_headers_array CHECK (jsonb_typeof(headers) = 'array'),
    -- The query string without the leading "?", as received.
    query text,
    -- The exact body bytes, which signatures are computed over.
    body bytea NOT NULL,
    -- A duplicate delivery is never stored, so `duplicate` is no stored outcome.
    outcome text NOT NULL CONSTRAINT webhook_events_outcome_known CHECK (outcome IN (
        'processed', 'ignored', 'unrecognized', 'rejected_unparseable'
    )),
    -- Why the delivery could not be parsed; set exactly for rejected deliveries.
    error text,
    -- `clientela_domain::webhook::DeliverySummary` as JSON: the events and what
    -- applying them changed.
    summary jsonb,
    -- When the events were last applied; NULL while the delivery is rejected.
    processed_at timestamptz,
    replay_count integer NOT NULL DEFAULT 0
        CONSTRAINT webhook_events_replay_count_not_negative CHECK (replay_count >= 0),
    CONSTRAINT webhook_events_app_platform_dedupe_key_key UNIQUE (app_id, platform, dedupe_key),
    CONSTRAINT webhook_events_error_iff_rejected
        CHECK ((outcome = 'rejected_unparseable') = (error IS NOT NULL))
);

-- Listing an app's deliveries newest first, with keyset pagination.
CREATE INDEX webhook_events_app_received_idx ON webhook_events (app_id, received_at, id);
