//! Diesel definitions of the members-app account tables.

diesel::table! {
    sessions (id) {
        id -> Uuid,
        app_id -> Uuid,
        client_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        last_used_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    account_tokens (id) {
        id -> Uuid,
        app_id -> Uuid,
        client_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        invalidated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_throttle (app_id, key_kind, key_digest) {
        app_id -> Uuid,
        key_kind -> Text,
        key_digest -> Bytea,
        window_started_at -> Timestamptz,
        failures -> Int4,
        locked_until -> Nullable<Timestamptz>,
    }
}
