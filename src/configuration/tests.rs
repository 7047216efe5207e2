use std::path::PathBuf;

use secrecy::ExposeSecret;

use super::{LogFormat, Settings, SettingsError};

fn from_env(variables: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    from_file_and_env(None, variables)
}

fn from_file_and_env(
    file: Option<&str>,
    variables: &[(&str, &str)],
) -> Result<Settings, SettingsError> {
    Settings::from_sources(
        file.map(|text| (PathBuf::from("reglages.toml"), text.to_owned())),
        variables
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    )
}

fn message(result: Result<Settings, SettingsError>) -> String {
    result.expect_err("refused").to_string()
}

#[test]
fn nothing_given_is_the_defaults() {
    let loaded = from_env(&[("PATH", "/usr/bin"), ("SUIVI_CONFIG", "x.toml")]).unwrap();
    let defaults = Settings::default();

    assert_eq!(format!("{loaded:?}"), format!("{defaults:?}"));
    assert_eq!(loaded.server.port, 8080);
}

#[test]
fn the_environment_is_typed_and_wins_over_the_file() {
    let loaded = from_file_and_env(
        Some("data_dir = \"ailleurs\"\n[server]\nport = 9000\nhost = \"0.0.0.0\"\n"),
        &[
            ("SUIVI_SERVER__PORT", "9100"),
            ("SUIVI_AUTH__SECURE_COOKIES", "true"),
            ("SUIVI_LOG__FORMAT", "json"),
            ("SUIVI_SERVER__WORKERS", "3"),
            ("SUIVI_ADMIN_PASSWORD", "12345678"),
            ("SUIVI_DATABASE__URL", "sqlite://perdu.db"),
            ("DATABASE_URL", "sqlite://gagne.db"),
        ],
    )
    .unwrap();

    assert_eq!(loaded.data_dir, PathBuf::from("ailleurs"));
    assert_eq!(
        (loaded.server.host.as_str(), loaded.server.port),
        ("0.0.0.0", 9100)
    );
    assert_eq!(loaded.server.workers, Some(3));
    assert!(loaded.auth.secure_cookies);
    assert_eq!(loaded.log.format, LogFormat::Json);
    let password = loaded.bootstrap.admin_password.unwrap();
    assert_eq!(password.expose_secret(), "12345678");
    assert_eq!(
        loaded.database.url.unwrap().expose_secret(),
        "sqlite://gagne.db"
    );
}

#[test]
fn an_unknown_key_in_the_file_is_named_with_the_keys_allowed() {
    let refused = message(from_file_and_env(Some("[server]\nprot = 8080\n"), &[]));

    assert_eq!(
        refused,
        "Réglage incorrect (fichier reglages.toml) : clé inconnue « server.prot » ; clés \
         permises dans [server] : host, port, workers, shutdown_timeout_secs, json_limit_bytes, \
         trusted_proxies, public_url."
    );
}

#[test]
fn trusted_proxies_are_a_list_in_the_file_and_commas_in_the_environment() {
    let listed = from_file_and_env(
        Some("[server]\ntrusted_proxies = [\"10.0.0.2\", \"::1\"]\n"),
        &[],
    )
    .unwrap();
    let separated = from_env(&[("SUIVI_SERVER__TRUSTED_PROXIES", "10.0.0.2, ::1")]).unwrap();
    let wrong = message(from_env(&[(
        "SUIVI_SERVER__TRUSTED_PROXIES",
        "10.0.0.2,proxy.local",
    )]));

    assert_eq!(
        listed.server.trusted_proxies,
        separated.server.trusted_proxies
    );
    assert_eq!(
        format!("{:?}", listed.server.trusted_proxies),
        "TrustedProxies([10.0.0.2, ::1])"
    );
    assert!(
        wrong.contains("proxy.local") && wrong.contains("des adresses IP"),
        "{wrong}"
    );
}

#[test]
fn a_bad_value_in_the_environment_is_named_with_its_variable() {
    let refused = message(from_env(&[("SUIVI_SERVER__PORT", "abc")]));
    let too_large = message(from_env(&[("SUIVI_SERVER__PORT", "70000")]));

    assert_eq!(
        refused,
        "Réglage incorrect (variable d'environnement SUIVI_SERVER__PORT) : « server.port » vaut \
         « abc » ; attendu : un nombre entier de 0 à 65535."
    );
    assert!(too_large.contains("« 70000 »"), "{too_large}");
}

#[test]
fn unknown_sections_values_and_wrong_types_are_explained() {
    let section = message(from_env(&[("SUIVI_SERVEUR__PORT", "8080")]));
    let format = message(from_env(&[("SUIVI_LOG__FORMAT", "xml")]));
    let flag = message(from_env(&[("SUIVI_AUTH__SECURE_COOKIES", "oui")]));
    let table = message(from_file_and_env(Some("[server.port]\nx = 1\n"), &[]));
    let not_toml = message(from_file_and_env(Some("[server\n"), &[]));

    assert!(
        section.contains("SUIVI_SERVEUR__PORT")
            && section.contains(
                "clé inconnue « serveur » ; clés permises au premier niveau : data_dir, server"
            ),
        "{section}"
    );
    assert!(
        format.contains("« log.format » ne peut valoir « xml » ; valeurs permises : pretty, json."),
        "{format}"
    );
    assert!(
        flag.contains("« auth.secure_cookies » vaut « oui » ; attendu : true ou false."),
        "{flag}"
    );
    assert!(
        table.contains("« server.port » vaut une section"),
        "{table}"
    );
    assert!(
        not_toml.starts_with("Le fichier de configuration reglages.toml n'est pas du TOML valide"),
        "{not_toml}"
    );
}

#[test]
fn monthly_hours_beyond_a_month_or_none_are_refused_with_the_key() {
    for value in ["0", "745", "-3"] {
        let said = message(from_env(&[("SUIVI_IMPORTS__MAX_HOURS_PER_MONTH", value)]));
        assert!(said.contains("max_hours_per_month"), "{value}: {said}");
    }
    let taken = from_env(&[("SUIVI_IMPORTS__MAX_HOURS_PER_MONTH", "744")]).unwrap();
    assert_eq!(
        taken.import_limits().max_hours_per_month.hundredths(),
        74_400
    );
}

#[test]
fn the_followup_rules_are_set_and_checked() {
    let loaded = from_env(&[
        ("SUIVI_FOLLOWUP__MISSING_MONTHS", "3"),
        ("SUIVI_FOLLOWUP__ENDING_WITHIN_DAYS", "60"),
    ])
    .unwrap();
    let rules = loaded.followup_rules().unwrap();
    assert_eq!((rules.missing_months, rules.ending_within_days), (3, 60));
    assert_eq!(
        Settings::default().followup_rules().unwrap(),
        crate::domain::FollowupRules::default()
    );

    let none = message(from_env(&[("SUIVI_FOLLOWUP__MISSING_MONTHS", "0")]));
    assert!(none.contains("followup.missing_months"), "{none}");
}
