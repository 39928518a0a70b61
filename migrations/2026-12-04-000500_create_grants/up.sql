-- Grants: one client's access to one product, kept after revocation as history.

CREATE TABLE grants (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    client_id uuid NOT NULL,
    product_id uuid NOT NULL,
    source text NOT NULL
        CONSTRAINT grants_source_known CHECK (source IN ('purchase', 'subscription', 'manual', 'import')),
    -- The transaction that caused a purchase or subscription grant.
    transaction_id uuid,
    -- `clientela_domain::tenant::Actor` as JSON.
    granted_by jsonb NOT NULL,
    granted_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    revoke_reason text CONSTRAINT grants_revoke_reason_known
        CHECK (revoke_reason IN ('refund', 'chargeback', 'cancellation', 'manual')),
    revoked_by jsonb,
    CONSTRAINT grants_revocation_complete CHECK (
        (revoked_at IS NULL) = (revoke_reason IS NULL)
        AND (revoked_at IS NULL) = (revoked_by IS NULL)
    ),
    CONSTRAINT grants_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id),
    CONSTRAINT grants_product_fkey
        FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id),
    CONSTRAINT grants_transaction_fkey
        FOREIGN KEY (app_id, transaction_id) REFERENCES transactions (app_id, id)
);

-- At most one active manual grant per client and product.
CREATE UNIQUE INDEX grants_one_active_manual_idx ON grants (app_id, client_id, product_id)
    WHERE source = 'manual' AND revoked_at IS NULL;
-- A transaction grants each product once.
CREATE UNIQUE INDEX grants_transaction_product_idx ON grants (transaction_id, product_id)
    WHERE transaction_id IS NOT NULL;
CREATE INDEX grants_app_client_idx ON grants (app_id, client_id);
-- The "has access" and "ever bought" product filters.
CREATE INDEX grants_app_product_client_idx ON grants (app_id, product_id, client_id);
