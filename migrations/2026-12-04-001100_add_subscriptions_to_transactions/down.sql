DROP TABLE subscription_cancellations;
DROP INDEX transactions_app_subscription_idx;
ALTER TABLE transactions
    DROP COLUMN status_changed_at,
    DROP COLUMN recurrence,
    DROP COLUMN subscription_external_id;
