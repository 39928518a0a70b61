-- Product catalogues, their links to platform products, and transactions with
-- their status history.

CREATE TABLE products (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    -- At most 200 characters (`clientela_domain::product::PRODUCT_NAME_MAX_CHARS`).
    name text NOT NULL
        CONSTRAINT products_name_length CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_app_id_id_key UNIQUE (app_id, id)
);

-- One platform product may link to several products (a bundle) and several
-- platform products (offers, plans) to one product.
CREATE TABLE platform_products (
    app_id uuid NOT NULL,
    platform clientela_platform NOT NULL,
    external_id text NOT NULL CONSTRAINT platform_products_external_id_not_empty CHECK (external_id <> ''),
    product_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, platform, external_id, product_id),
    CONSTRAINT platform_products_product_fkey
        FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);

CREATE INDEX platform_products_app_product_idx ON platform_products (app_id, product_id);

CREATE TABLE transactions (
    id uuid PRIMARY KEY,
    app_id uuid NOT NULL REFERENCES apps (id),
    client_id uuid NOT NULL,
    platform clientela_platform NOT NULL,
    -- The platform's transaction id.
    external_id text NOT NULL CONSTRAINT transactions_external_id_not_empty CHECK (external_id <> ''),
    product_id uuid,
    amount_cents bigint NOT NULL,
    currency char(3) NOT NULL DEFAULT 'BRL'
        CONSTRAINT transactions_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    payment_method text NOT NULL
        CONSTRAINT transactions_payment_method_known CHECK (payment_method IN ('card', 'boleto', 'pix', 'other')),
    payment_method_raw text,
    status clientela_transaction_status NOT NULL,
    status_raw text,
    occurred_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transactions_app_id_id_key UNIQUE (app_id, id),
    CONSTRAINT transactions_app_platform_external_id_key UNIQUE (app_id, platform, external_id),
    CONSTRAINT transactions_client_fkey
        FOREIGN KEY (app_id, client_id) REFERENCES clients (app_id, id),
    CONSTRAINT transactions_product_fkey
        FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);

-- Search by a platform transaction id, whatever the platform.
CREATE INDEX transactions_app_external_id_idx ON transactions (app_id, external_id);
CREATE INDEX transactions_app_client_idx ON transactions (app_id, client_id, occurred_at);
-- The "ever bought" product filter.
CREATE INDEX transactions_app_product_client_idx ON transactions (app_id, product_id, client_id)
    WHERE product_id IS NOT NULL;

CREATE TABLE transaction_status_history (
    id bigserial PRIMARY KEY,
    app_id uuid NOT NULL,
    transaction_id uuid NOT NULL,
    status clientela_transaction_status NOT NULL,
    status_raw text,
    -- When the platform says the change happened.
    occurred_at timestamptz NOT NULL,
    -- When Clientela recorded it.
    recorded_at timestamptz NOT NULL DEFAULT now(),
    -- The event that caused the change, such as a stored webhook's id.
    event_ref text,
    CONSTRAINT transaction_status_history_transaction_fkey
        FOREIGN KEY (app_id, transaction_id) REFERENCES transactions (app_id, id)
);

CREATE INDEX transaction_status_history_transaction_idx
    ON transaction_status_history (app_id, transaction_id, occurred_at);
