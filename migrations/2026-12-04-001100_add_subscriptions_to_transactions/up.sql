-- Subscriptions: which transactions are charges of one subscription, when the
-- current status was reached, and the cancellations seen for each subscription.

ALTER TABLE transactions
    -- The platform's subscription id, the same across renewals.
    ADD COLUMN subscription_external_id text
        CONSTRAINT transactions_subscription_external_id_not_empty
        CHECK (subscription_external_id <> ''),
    -- Position of the charge in its subscription, 1 for the first.
    ADD COLUMN recurrence integer
        CONSTRAINT transactions_recurrence_positive CHECK (recurrence > 0),
    -- When the platform says the current status was reached; NULL for rows
    -- written before this column existed, which then count `occurred_at`.
    ADD COLUMN status_changed_at timestamptz;

CREATE INDEX transactions_app_subscription_idx
    ON transactions (app_id, platform, subscription_external_id)
    WHERE subscription_external_id IS NOT NULL;

-- The latest cancellation of each subscription. A charge made before
-- `cancelled_at` gives access until `access_ends_at` at the latest, even when
-- its approval arrives after the cancellation.
CREATE TABLE subscription_cancellations (
    app_id uuid NOT NULL REFERENCES apps (id),
    platform clientela_platform NOT NULL,
    subscription_external_id text NOT NULL
        CONSTRAINT subscription_cancellations_external_id_not_empty
        CHECK (subscription_external_id <> ''),
    cancelled_at timestamptz NOT NULL,
    access_ends_at timestamptz NOT NULL,
    -- The delivery that reported the cancellation.
    delivery_id uuid NOT NULL REFERENCES webhook_events (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, platform, subscription_external_id)
);
