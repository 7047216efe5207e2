//! Diesel's view of the tables created by `migrations/sqlite` and `migrations/postgres`.
//! Kept by hand in step with both; `tests/api/migrations.rs` checks the migrations agree.

diesel::table! {
    buyers (id) {
        id -> BigInt,
        siret -> Text,
        name -> Text,
        created_at -> Timestamp,
        reviewers_imports_validated -> Bool,
        buyer_type -> Text,
        social_target_bp -> Nullable<Integer>,
        environmental_target_bp -> Nullable<Integer>,
    }
}

diesel::table! {
    buyer_departements (buyer_id, departement) {
        buyer_id -> BigInt,
        departement -> Text,
    }
}

diesel::table! {
    companies (id) {
        id -> BigInt,
        siret -> Nullable<Text>,
        name -> Text,
        structure_kind -> Text,
        size_class -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        commune -> Nullable<Text>,
        departement -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        contact_email -> Nullable<Text>,
        identifier_kind -> Text,
        identifier -> Text,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        company_id -> BigInt,
        recipient -> Text,
        items -> Text,
        fingerprint -> Text,
        state -> Text,
        error -> Nullable<Text>,
        attempts -> Integer,
        created_at -> Timestamp,
        claimed_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        created_by -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        role -> Text,
        all_buyers -> Bool,
        company_siret -> Nullable<Text>,
        password_hash -> Text,
        active -> Bool,
        token_version -> Integer,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_sign_in_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_buyers (user_id, buyer_id) {
        user_id -> BigInt,
        buyer_id -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_label -> Text,
        action -> Text,
        target -> Nullable<Text>,
        details -> Nullable<Text>,
        client_ip -> Nullable<Text>,
    }
}

diesel::table! {
    imports (id) {
        id -> BigInt,
        kind -> Text,
        buyer_id -> Nullable<BigInt>,
        file_name -> Text,
        sha256 -> Text,
        uploaded_by -> Nullable<BigInt>,
        status -> Text,
        rows_total -> Integer,
        rows_done -> Integer,
        rows_written -> Integer,
        error_count -> Integer,
        report -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        error_workbook -> Nullable<Binary>,
        phase -> Nullable<Text>,
        heartbeat_at -> Nullable<Timestamp>,
        replaced_kept -> Bool,
        undone_at -> Nullable<Timestamp>,
        undone_by -> Nullable<Text>,
    }
}

diesel::table! {
    contracts (id) {
        id -> BigInt,
        buyer_id -> BigInt,
        reference -> Text,
        object -> Text,
        nature -> Text,
        procedure -> Nullable<Text>,
        cpv_code -> Nullable<Text>,
        ccag -> Nullable<Text>,
        notification_date -> Date,
        duration_months -> Nullable<Integer>,
        end_date -> Nullable<Date>,
        social_criterion -> Bool,
        source_import_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        launch_date -> Nullable<Date>,
        contract_type -> Nullable<Text>,
        estimated_value_cents -> Nullable<BigInt>,
        social_condition -> Bool,
        environmental_condition -> Bool,
        environmental_criterion -> Bool,
        social_exemption_ground -> Nullable<Text>,
        social_exemption_text -> Nullable<Text>,
    }
}

diesel::table! {
    lots (id) {
        id -> BigInt,
        contract_id -> BigInt,
        number -> Integer,
        title -> Nullable<Text>,
        amount_cents -> BigInt,
        reservation -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    awards (id) {
        id -> BigInt,
        lot_id -> BigInt,
        company_id -> BigInt,
        role -> Text,
        amount_cents -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    insertion_clauses (id) {
        id -> BigInt,
        lot_id -> BigInt,
        target_hours -> BigInt,
        target_source -> Text,
        base_amount_cents -> Nullable<BigInt>,
        labour_share_bp -> Nullable<Integer>,
        insertion_rate_bp -> Nullable<Integer>,
        hourly_cost_cents -> Nullable<BigInt>,
        penalty_per_hour_cents -> Nullable<BigInt>,
        training_counts -> Bool,
        cap_hours_per_participant -> Nullable<BigInt>,
        qpv_share_bp -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        set_by -> Nullable<Text>,
    }
}

diesel::table! {
    clause_closures (id) {
        id -> BigInt,
        lot_id -> BigInt,
        closed_at -> Timestamp,
        closed_by -> Nullable<BigInt>,
        closed_by_label -> Text,
        counted_hours -> BigInt,
        target_hours -> BigInt,
        reached -> Bool,
        missing_hours -> BigInt,
        clause_penalty_per_hour_cents -> Nullable<BigInt>,
        penalty_per_hour_cents -> Nullable<BigInt>,
        penalty_cents -> Nullable<BigInt>,
        penalty_change -> Nullable<Text>,
        penalty_reason -> Nullable<Text>,
        early_reason -> Nullable<Text>,
        signatory_name -> Text,
        signatory_role -> Text,
        reopened_at -> Nullable<Timestamp>,
        reopened_by_label -> Nullable<Text>,
        reopen_reason -> Nullable<Text>,
    }
}

diesel::table! {
    participants (id) {
        id -> BigInt,
        pseudonym -> Text,
        criterion -> Text,
        validated_on -> Nullable<Date>,
        prescriber -> Nullable<Text>,
        birth_year -> Nullable<Integer>,
        sex -> Nullable<Text>,
        qpv_resident -> Nullable<Bool>,
        exit_outcome -> Nullable<Text>,
        exit_date -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        anonymised_at -> Nullable<Timestamp>,
        six_month_situation -> Nullable<Text>,
        six_month_on -> Nullable<Date>,
        six_month_source -> Nullable<Text>,
    }
}

diesel::table! {
    hour_entries (id) {
        id -> BigInt,
        lot_id -> BigInt,
        company_id -> BigInt,
        participant_id -> BigInt,
        month -> Integer,
        modality -> Text,
        insertion_employer_id -> Nullable<BigInt>,
        hours -> BigInt,
        employment_contract -> Nullable<Text>,
        import_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        review -> Text,
        review_reason -> Nullable<Text>,
    }
}

diesel::table! {
    replaced_hour_entries (id) {
        id -> BigInt,
        import_id -> BigInt,
        hour_entry_id -> BigInt,
        previous_import_id -> Nullable<BigInt>,
        insertion_employer_id -> Nullable<BigInt>,
        hours -> BigInt,
        employment_contract -> Nullable<Text>,
        review -> Text,
        review_reason -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

// No primary key in the database (rows written in bulk, read once by import): diesel needs one
// named, and an import's rows are one per row of its file.
diesel::table! {
    staged_hour_entries (import_id, row_number) {
        import_id -> BigInt,
        row_number -> Integer,
        lot_id -> BigInt,
        company_id -> BigInt,
        participant_id -> BigInt,
        month -> Integer,
        modality -> Text,
        insertion_employer_id -> Nullable<BigInt>,
        hours -> BigInt,
        employment_contract -> Nullable<Text>,
        review -> Text,
    }
}

diesel::table! {
    hour_rollups (lot_id, company_id, insertion_employer_id, modality, month, review) {
        lot_id -> BigInt,
        company_id -> BigInt,
        insertion_employer_id -> BigInt,
        modality -> Text,
        month -> Integer,
        review -> Text,
        hours -> BigInt,
        entries -> BigInt,
    }
}

diesel::table! {
    work_contracts (id) {
        id -> BigInt,
        participant_id -> BigInt,
        employer_id -> BigInt,
        insertion_employer_id -> Nullable<BigInt>,
        contract_type -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        weekly_hours -> Nullable<BigInt>,
        derived -> Bool,
        import_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    work_contract_lots (work_contract_id, lot_id) {
        work_contract_id -> BigInt,
        lot_id -> BigInt,
    }
}

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        subject -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::joinable!(buyer_departements -> buyers (buyer_id));
diesel::table! {
    buyer_data_versions (buyer_id) {
        buyer_id -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    data_version (id) {
        id -> BigInt,
        version -> BigInt,
    }
}

diesel::joinable!(user_buyers -> buyers (buyer_id));
diesel::joinable!(user_buyers -> users (user_id));
diesel::joinable!(imports -> buyers (buyer_id));
diesel::joinable!(imports -> users (uploaded_by));
diesel::joinable!(contracts -> buyers (buyer_id));
diesel::joinable!(contracts -> imports (source_import_id));
diesel::joinable!(lots -> contracts (contract_id));
diesel::joinable!(awards -> lots (lot_id));
diesel::joinable!(awards -> companies (company_id));
diesel::joinable!(reminders -> companies (company_id));
diesel::joinable!(insertion_clauses -> lots (lot_id));
diesel::joinable!(clause_closures -> lots (lot_id));
diesel::joinable!(hour_entries -> lots (lot_id));
diesel::joinable!(hour_entries -> participants (participant_id));
diesel::joinable!(hour_entries -> imports (import_id));
diesel::joinable!(work_contracts -> participants (participant_id));
diesel::joinable!(work_contract_lots -> work_contracts (work_contract_id));
diesel::joinable!(work_contract_lots -> lots (lot_id));
diesel::joinable!(replaced_hour_entries -> hour_entries (hour_entry_id));
diesel::joinable!(hour_rollups -> lots (lot_id));

diesel::allow_tables_to_appear_in_same_query!(
    buyers,
    buyer_departements,
    companies,
    reminders,
    users,
    user_buyers,
    audit_log,
    imports,
    contracts,
    lots,
    awards,
    insertion_clauses,
    clause_closures,
    participants,
    hour_entries,
    replaced_hour_entries,
    staged_hour_entries,
    hour_rollups,
    work_contracts,
    work_contract_lots,
    login_failures,
);
