-- What happened to a client: app accesses, e-mails and admin changes.

CREATE TABLE access_log (
    id bigserial PRIMARY KEY,
    app_id uuid NOT NULL,
    client_id uuid NOT NULL,
    kind text NOT NULL CONSTRAINT access_log_kind_known CHECK (kind IN (
        'login', 'login_failed', 'first_access', 'password_reset', 'session_refresh'
    )),
    at timestamptz NOT NULL DEFAULT now(),
    ip text,
    user_agent text,
    CONSTRAINT access_log_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id)
);

CREATE INDEX access_log_app_client_at_idx ON access_log (app_id, client_id, at);

-- The durable e-mail queue and the record of what was sent.
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL,
    client_id uuid NOT NULL,
    kind text NOT NULL CONSTRAINT notifications_kind_known CHECK (kind IN (
        'welcome', 'access_granted', 'first_access', 'password_reset'
    )),
    recipient text NOT NULL,
    -- Template data of the message.
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'queued'
        CONSTRAINT notifications_status_known CHECK (status IN ('queued', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CONSTRAINT notifications_attempts_not_negative CHECK (attempts >= 0),
    last_error text,
    -- Makes enqueueing idempotent: the same message is queued once.
    dedupe_key text NOT NULL CONSTRAINT notifications_dedupe_key_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    CONSTRAINT notifications_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id)
);

CREATE INDEX notifications_app_client_idx ON notifications (app_id, client_id, created_at);
CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'queued';

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    -- NULL for changes that concern no single client.
    client_id uuid,
    -- `clientela_domain::tenant::Actor` as JSON.
    actor jsonb NOT NULL,
    -- Stable action name such as `client.update`.
    action text NOT NULL CONSTRAINT audit_log_action_not_empty CHECK (action <> ''),
    before jsonb,
    after jsonb,
    at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_log_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id)
);

CREATE INDEX audit_log_app_client_at_idx ON audit_log (app_id, client_id, at);
