//! Diesel table definitions, written by hand to match `migrations/`. Generated
//! columns (`name_folded`, `phone_digits`, `phone_national_digits`) are read-only:
//! no insert or update names them. Domain-typed columns (`clientela_platform`,
//! `clientela_transaction_status`) are declared as their base type, text.

diesel::table! {
    apps (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        time_zone -> Text,
        created_at -> Timestamptz,
        members_url -> Nullable<Text>,
        mail_from -> Nullable<Text>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        app_id -> Uuid,
        hash -> Bytea,
        prefix -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    platform_credentials (app_id, platform) {
        app_id -> Uuid,
        platform -> Text,
        secret -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    clients (id) {
        id -> Uuid,
        app_id -> Uuid,
        name -> Text,
        name_folded -> Text,
        name_altered -> Bool,
        email -> Text,
        phone -> Nullable<Text>,
        phone_verified -> Bool,
        phone_invalid_reason -> Nullable<Text>,
        phone_digits -> Nullable<Text>,
        phone_national_digits -> Nullable<Text>,
        document -> Nullable<Text>,
        document_verified -> Bool,
        document_kind -> Nullable<Text>,
        document_invalid_reason -> Nullable<Text>,
        possible_duplicate_document -> Bool,
        has_chargeback -> Bool,
        status -> Text,
        origin_platform -> Text,
        password_hash -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_access_at -> Nullable<Timestamptz>,
        first_access_at -> Nullable<Timestamptz>,
        version -> Int8,
    }
}

diesel::table! {
    products (id) {
        id -> Uuid,
        app_id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    platform_products (app_id, platform, external_id, product_id) {
        app_id -> Uuid,
        platform -> Text,
        external_id -> Text,
        product_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    transactions (id) {
        id -> Uuid,
        app_id -> Uuid,
        client_id -> Uuid,
        platform -> Text,
        external_id -> Text,
        product_id -> Nullable<Uuid>,
        amount_cents -> Int8,
        currency -> Bpchar,
        payment_method -> Text,
        payment_method_raw -> Nullable<Text>,
        status -> Text,
        status_raw -> Nullable<Text>,
        occurred_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    transaction_status_history (id) {
        id -> Int8,
        app_id -> Uuid,
        transaction_id -> Uuid,
        status -> Text,
        status_raw -> Nullable<Text>,
        occurred_at -> Timestamptz,
        recorded_at -> Timestamptz,
        event_ref -> Nullable<Text>,
    }
}

diesel::table! {
    grants (id) {
        id -> Uuid,
        app_id -> Uuid,
        client_id -> Uuid,
        product_id -> Uuid,
        source -> Text,
        transaction_id -> Nullable<Uuid>,
        granted_by -> Jsonb,
        granted_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        revoke_reason -> Nullable<Text>,
        revoked_by -> Nullable<Jsonb>,
    }
}

diesel::table! {
    access_log (id) {
        id -> Int8,
        app_id -> Uuid,
        client_id -> Uuid,
        kind -> Text,
        at -> Timestamptz,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        app_id -> Uuid,
        client_id -> Uuid,
        kind -> Text,
        recipient -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        dedupe_key -> Text,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        app_id -> Uuid,
        client_id -> Nullable<Uuid>,
        actor -> Jsonb,
        action -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        at -> Timestamptz,
    }
}

diesel::joinable!(api_keys -> apps (app_id));
diesel::joinable!(grants -> products (product_id));
diesel::joinable!(transaction_status_history -> transactions (transaction_id));

diesel::allow_tables_to_appear_in_same_query!(
    apps,
    api_keys,
    platform_credentials,
    clients,
    products,
    platform_products,
    transactions,
    transaction_status_history,
    grants,
    access_log,
    notifications,
    audit_log,
);
