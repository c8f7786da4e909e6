//! Table definitions shared by both backends; `migrations/sqlite` and `migrations/postgres`
//! create the same shape (checked by `tests/suite/migrations.rs`).

diesel::table! {
    users (user_id) {
        user_id -> Text,
        display_name -> Text,
        password_hash -> Text,
        email -> Nullable<Text>,
        enabled -> Bool,
        created_at -> BigInt,
        last_login -> BigInt,
    }
}

diesel::table! {
    user_groups (group_id) {
        group_id -> Text,
        display_name -> Text,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    app_config (app, config_key) {
        app -> Text,
        config_key -> Text,
        config_value -> Text,
    }
}

diesel::table! {
    rooms (id) {
        id -> BigInt,
        token -> Text,
        room_type -> Integer,
        name -> Text,
        description -> Text,
        password -> Text,
        object_type -> Text,
        object_id -> Text,
        read_only -> Integer,
        listable -> Integer,
        lobby_state -> Integer,
        lobby_timer -> BigInt,
        breakout_room_mode -> Integer,
        breakout_room_status -> Integer,
        default_permissions -> Integer,
        call_permissions -> Integer,
        call_flag -> Integer,
        call_start_time -> BigInt,
        sip_enabled -> Integer,
        message_expiration -> Integer,
        recording_consent -> Integer,
        mention_permissions -> Integer,
        last_activity -> BigInt,
        last_message_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    attendees (id) {
        id -> BigInt,
        room_id -> BigInt,
        actor_type -> Text,
        actor_id -> Text,
        display_name -> Text,
        participant_type -> Integer,
        permissions -> Integer,
        favorite -> Bool,
        archived -> Bool,
        important -> Bool,
        sensitive -> Bool,
        notification_level -> Integer,
        notification_calls -> Integer,
        last_read_message -> BigInt,
        last_mention_message -> BigInt,
        last_mention_direct -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        attendee_id -> BigInt,
        session_id -> Text,
        in_call -> Integer,
        last_ping -> BigInt,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        room_id -> BigInt,
        actor_type -> Text,
        actor_id -> Text,
        actor_display_name -> Text,
        verb -> Text,
        message -> Text,
        reference_id -> Text,
        parent_id -> BigInt,
        silent -> Bool,
        created_at -> BigInt,
        expires_at -> BigInt,
        last_edit_actor_type -> Text,
        last_edit_actor_id -> Text,
        last_edit_actor_display_name -> Text,
        last_edit_timestamp -> BigInt,
        reactions -> Text,
        can_mention_all -> Bool,
    }
}

diesel::table! {
    reactions (id) {
        id -> BigInt,
        room_id -> BigInt,
        parent_id -> BigInt,
        message_id -> BigInt,
        actor_type -> Text,
        actor_id -> Text,
        reaction -> Text,
    }
}

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    app_passwords (id) {
        id -> BigInt,
        user_id -> Text,
        login_name -> Text,
        token_hash -> Text,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    login_flows (id) {
        id -> BigInt,
        poll_token_hash -> Text,
        login_token_hash -> Text,
        client_name -> Text,
        server -> Text,
        created_at -> BigInt,
        user_id -> Nullable<Text>,
        browser_hash -> Nullable<Text>,
        app_password_hash -> Text,
        app_password_sealed -> Text,
        granted -> Bool,
    }
}

diesel::table! {
    breakout_sessions (id) {
        id -> BigInt,
        parent_id -> BigInt,
        name -> Text,
        duration -> BigInt,
        state -> Integer,
        origin -> Integer,
        mode -> Integer,
        created_at -> BigInt,
        started_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
        deadline -> Nullable<BigInt>,
    }
}

diesel::table! {
    breakout_session_rooms (id) {
        id -> BigInt,
        session_id -> BigInt,
        name -> Text,
        capacity -> Nullable<Integer>,
        room_token -> Nullable<Text>,
    }
}

diesel::table! {
    breakout_assignments (session_id, attendee_id) {
        session_id -> BigInt,
        session_room_id -> BigInt,
        attendee_id -> BigInt,
        actor_id -> Text,
        display_name -> Text,
    }
}

diesel::table! {
    breakout_settings (room_id) {
        room_id -> BigInt,
        enabled -> Bool,
    }
}

diesel::table! {
    linked_users (user_id) {
        user_id -> Text,
        room_id -> BigInt,
        handle -> Text,
        invitation_code -> Text,
        invitation_expires -> BigInt,
        created_at -> BigInt,
    }
}

diesel::joinable!(linked_users -> users (user_id));
diesel::joinable!(linked_users -> rooms (room_id));
diesel::joinable!(breakout_sessions -> rooms (parent_id));
diesel::joinable!(breakout_session_rooms -> breakout_sessions (session_id));
diesel::joinable!(breakout_assignments -> breakout_session_rooms (session_room_id));

diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(app_passwords -> users (user_id));
diesel::joinable!(group_members -> user_groups (group_id));
diesel::joinable!(attendees -> rooms (room_id));
diesel::joinable!(sessions -> attendees (attendee_id));
diesel::joinable!(messages -> rooms (room_id));
diesel::joinable!(reactions -> rooms (room_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    user_groups,
    group_members,
    app_config,
    rooms,
    attendees,
    sessions,
    messages,
    reactions,
    server_secrets,
    app_passwords,
    login_flows,
    breakout_sessions,
    breakout_session_rooms,
    breakout_assignments,
    breakout_settings,
    jobs,
    webhook_deliveries,
    linked_users
);

diesel::table! {
    brute_force_attempts (action, address) {
        action -> Text,
        address -> Text,
        attempts -> Integer,
        last_attempt -> BigInt,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        job_key -> Text,
        due_at -> BigInt,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        claimed_until -> Nullable<BigInt>,
        locked_by -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        event_id -> Text,
        url -> Text,
        body -> Text,
        created_at -> BigInt,
    }
}
