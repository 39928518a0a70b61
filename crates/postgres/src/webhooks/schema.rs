//! Diesel definitions of the webhook tables. Platform columns (the
//! `clientela_platform` domain) are declared as their base type, text.

diesel::table! {
    webhook_events (id) {
        id -> Uuid,
        app_id -> Uuid,
        platform -> Text,
        dedupe_key -> Text,
        received_at -> Timestamptz,
        content_type -> Nullable<Text>,
        headers -> Jsonb,
        query -> Nullable<Text>,
        body -> Bytea,
        outcome -> Text,
        error -> Nullable<Text>,
        summary -> Nullable<Jsonb>,
        processed_at -> Nullable<Timestamptz>,
        replay_count -> Int4,
    }
}

diesel::table! {
    subscription_cancellations (app_id, platform, subscription_external_id) {
        app_id -> Uuid,
        platform -> Text,
        subscription_external_id -> Text,
        cancelled_at -> Timestamptz,
        access_ends_at -> Timestamptz,
        delivery_id -> Uuid,
        updated_at -> Timestamptz,
    }
}
