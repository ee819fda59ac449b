//! The one schema both backends share: ids of people-facing rows are `BigInt`
//! ("task 3"), auth ids are UUID `Text`, times are UTC `Timestamp`s.

diesel::table! {
    user (id) {
        id -> Text,
        name -> Text,
        email -> Text,
        email_verified -> Bool,
        image -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session (id) {
        id -> Text,
        /// SHA-256 (hex) of the session token.
        token -> Text,
        user_id -> Text,
        expires_at -> Timestamp,
        ip_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account (id) {
        id -> Text,
        account_id -> Text,
        provider_id -> Text,
        user_id -> Text,
        access_token -> Nullable<Text>,
        refresh_token -> Nullable<Text>,
        id_token -> Nullable<Text>,
        access_token_expires_at -> Nullable<Timestamp>,
        refresh_token_expires_at -> Nullable<Timestamp>,
        scope -> Nullable<Text>,
        password -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    verification (id) {
        id -> Text,
        identifier -> Text,
        value -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    task (id) {
        id -> BigInt,
        user_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        completed -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    conversation (id) {
        id -> BigInt,
        user_id -> Text,
        title -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    message (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        user_id -> Text,
        role -> Text,
        content -> Text,
        tool_calls -> Nullable<Text>,
        created_at -> Timestamp,
        reply_to -> Nullable<BigInt>,
        status -> Text,
        lease_until -> Nullable<Timestamp>,
        run_id -> Nullable<Text>,
    }
}

diesel::table! {
    /// JWT signing keys; `id` is the `kid`, `private_key` is encrypted.
    jwks (id) {
        id -> Text,
        public_key -> Text,
        private_key -> Text,
        alg -> Text,
        crv -> Text,
        created_at -> Timestamp,
        /// When the key stopped signing; none for the current key.
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(session -> user (user_id));
diesel::joinable!(account -> user (user_id));
diesel::joinable!(task -> user (user_id));
diesel::joinable!(conversation -> user (user_id));
diesel::joinable!(message -> conversation (conversation_id));

diesel::allow_tables_to_appear_in_same_query!(
    user,
    session,
    account,
    verification,
    task,
    conversation,
    message,
    jwks,
);
