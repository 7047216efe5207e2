//! Every error code the service answers with, each with its one HTTP status and its default
//! French message. The API, the pages and the command line all read them from here, so a code
//! cannot mean two statuses; the README's list is checked against [`ErrorCode::ALL`].

/// Declares the codes once: variant, wire name, status, default message.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $status:literal, $message:literal;)+) => {
        /// A stable identifier clients test on, serialized as its snake_case name.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order declared.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The name on the wire, as in `{"error": {"code": "not_found"}}`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }

            /// The HTTP status this code is always answered with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)+
                }
            }

            /// What the user reads when the failure has nothing more precise to say.
            pub fn message(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $message,)+
                }
            }
        }
    };
}

error_codes! {
    /// A malformed request: a parameter or a form the service cannot read.
    BadRequest = "bad_request", 400,
        "La demande est incorrecte : vérifiez ses paramètres puis recommencez.";
    /// No session, or one expired or revoked.
    Unauthenticated = "unauthenticated", 401,
        "Session absente, expirée ou révoquée : connectez-vous.";
    /// Wrong e-mail address or password.
    InvalidCredentials = "invalid_credentials", 401,
        "Adresse électronique ou mot de passe incorrect.";
    /// The caller's role does not allow this.
    Forbidden = "forbidden", 403,
        "Votre rôle ne permet pas cette action. Demandez à un administrateur si vous en avez besoin.";
    /// A form or write without the session's anti-forgery token.
    CsrfRejected = "csrf_rejected", 403,
        "La demande ne porte pas le jeton anti-falsification de votre session : rechargez la page puis recommencez.";
    /// A sign-in posted from another site's page (login CSRF).
    CrossSiteSignIn = "cross_site_sign_in", 403,
        "La connexion doit partir d'une page de ce service : ouvrez la page de connexion puis recommencez.";
    /// A buyer or company outside the caller's scope.
    OutOfScope = "out_of_scope", 403,
        "Ces données sont hors du périmètre de votre compte.";
    /// Nothing at this address within the caller's scope.
    NotFound = "not_found", 404,
        "Aucune ressource à cette adresse : vérifiez le lien.";
    /// No contract with this id in the caller's scope.
    UnknownContract = "unknown_contract", 404,
        "Aucun marché n'a cet identifiant dans votre périmètre : vérifiez le lien.";
    /// No company with this SIRET in the caller's scope.
    UnknownCompany = "unknown_company", 404,
        "Aucune entreprise n'a ce SIRET dans votre périmètre : vérifiez le SIRET.";
    /// No participant with this id in the caller's scope.
    UnknownParticipant = "unknown_participant", 404,
        "Aucun participant n'a cet identifiant dans votre périmètre : vérifiez le lien.";
    /// A lot whose clause is not closed: no closure to show, no attestation yet.
    ClauseNotClosed = "clause_not_closed", 404,
        "La clause de ce lot n'est pas close : l'attestation est délivrée à sa clôture.";
    /// The import has no workbook of errors to give back.
    NoErrorWorkbook = "no_error_workbook", 404,
        "Cet import n'a pas de fichier d'erreurs : il a été accepté, ou refusé pour une raison qui concerne tout le fichier.";
    /// A refused file's error workbook, past the time it is kept.
    ErrorWorkbookExpired = "error_workbook_expired", 410,
        "Le fichier d'erreurs de cet import n'est plus disponible : envoyez le fichier à nouveau pour obtenir ses erreurs.";
    /// The same file was already imported.
    DuplicateFile = "duplicate_file", 409,
        "Ce fichier a déjà été importé : cochez « remplacer » pour l'importer de nouveau.";
    /// An account already uses this e-mail address.
    EmailTaken = "email_taken", 409,
        "Un compte utilise déjà cette adresse électronique : choisissez-en une autre.";
    /// No statement in the state a review decision applies to.
    NothingToReview = "nothing_to_review", 409,
        "Aucun relevé n'attend cette décision : il a peut-être déjà été validé, rejeté ou remplacé par un relevé corrigé.";
    /// A write on the hours or the target of a clause that is closed.
    ClauseClosed = "clause_closed", 409,
        "La clause de ce lot est close : ses heures et son objectif ne changent plus. Si une correction est nécessaire, demandez à un administrateur de la rouvrir.";
    /// Closing a clause whose lot still has hours awaiting validation.
    HoursPending = "hours_pending", 409,
        "Des relevés de ce lot attendent encore validation : validez-les ou rejetez-les (page Relevés) avant de clôturer la clause.";
    /// Another contract of the buyer has this reference.
    ContractExists = "contract_exists", 409,
        "Un autre marché de cet acheteur porte déjà cette référence : choisissez-en une autre.";
    /// Hours are declared on the contract, or on the lot to remove.
    ContractHasHours = "contract_has_hours", 409,
        "Des heures sont déclarées sur ce marché : il ne peut pas être supprimé, ni ses lots qui en ont.";
    /// An import that cannot be undone: not an hours import, not imported, already undone, or
    /// built upon by a later import.
    ImportNotUndoable = "import_not_undoable", 409,
        "Cet import ne peut pas être annulé : seul un relevé d'heures importé, que nul import plus récent n'a corrigé, peut l'être.";
    /// Another participant has this identifier.
    ParticipantExists = "participant_exists", 409,
        "Un participant porte déjà cet identifiant : ouvrez sa fiche pour le modifier, ou choisissez un autre identifiant.";
    /// A buyer with this SIRET is already recorded.
    BuyerExists = "buyer_exists", 409,
        "Un acheteur a déjà ce SIRET : il est déjà enregistré.";
    /// An upload past the import limit.
    FileTooLarge = "file_too_large", 413,
        "Le fichier dépasse la taille permise : découpez-le en plusieurs fichiers.";
    /// An import whose rows were refused; its report says which and why.
    ImportRefused = "import_refused", 422,
        "Le fichier a été refusé : corrigez les lignes signalées puis importez-le de nouveau.";
    /// A kind of import the service does not know.
    UnknownKind = "unknown_kind", 422,
        "Type de fichier inconnu : choisissez contracts, structures, participants, hours ou work_contracts.";
    /// A kind of import that cannot be imported yet.
    ImportUnavailable = "import_unavailable", 422,
        "Ce type de fichier ne peut pas encore être importé.";
    /// A SIRET, given in a body or a query, that names no recorded buyer.
    UnknownBuyer = "unknown_buyer", 422,
        "Aucun acheteur n'a ce SIRET : vérifiez-le, ou demandez à un administrateur de l'ajouter.";
    /// A buyer type the obligation rules do not list.
    InvalidBuyerType = "invalid_buyer_type", 422,
        "Type d'acheteur inconnu : choisissez Collectivité territoriale, État ou Entité adjudicatrice.";
    /// An account's fields that cannot be accepted.
    InvalidAccount = "invalid_account", 422,
        "Le compte ne peut pas être enregistré : corrigez les champs signalés.";
    /// A period that is not a year or two dates in order.
    InvalidPeriod = "invalid_period", 422,
        "Période incorrecte : donnez une année (year=2025) ou deux dates dans l'ordre (from=…&to=…).";
    /// A buyer's SIRET that is not a SIRET.
    InvalidBuyer = "invalid_buyer", 422,
        "SIRET d'acheteur incorrect : 14 chiffres, clé de contrôle comprise.";
    /// A company's SIRET that is not a SIRET.
    InvalidCompany = "invalid_company", 422,
        "SIRET d'entreprise incorrect : 14 chiffres, clé de contrôle comprise.";
    /// A company's contact address that is not an e-mail address.
    InvalidContactEmail = "invalid_contact_email", 422,
        "Courriel de contact incorrect : écrivez-le sous la forme contact@entreprise.fr, ou laissez-le vide pour l'effacer.";
    /// A company's name or postcode that cannot be recorded as typed.
    InvalidCompanyDetails = "invalid_company_details", 422,
        "L'entreprise ne peut pas être enregistrée telle quelle : corrigez les champs signalés.";
    /// A département code that does not exist.
    InvalidDepartement = "invalid_departement", 422,
        "Département incorrect : donnez son code (31, 2A, 974…).";
    /// A breakdown of the indicators that does not exist.
    InvalidBreakdowns = "invalid_breakdowns", 422,
        "Ventilation inconnue : choisissez parmi celles que liste la documentation, ou none.";
    /// A clause's calibration parameters out of range.
    InvalidCalibration = "invalid_calibration", 422,
        "Paramètres de calcul de l'objectif incorrects : corrigez les valeurs signalées.";
    /// A contract, its lots or awardees that cannot be recorded as asked.
    InvalidContract = "invalid_contract", 422,
        "Le marché ne peut pas être enregistré tel quel : corrigez les champs signalés.";
    /// A clause that cannot be recorded as asked.
    InvalidClause = "invalid_clause", 422,
        "La clause ne peut pas être enregistrée telle quelle : corrigez les champs signalés.";
    /// A closure that cannot be recorded as asked.
    InvalidClosure = "invalid_closure", 422,
        "La clôture ne peut pas être enregistrée telle quelle : corrigez les champs signalés.";
    /// A participant that cannot be recorded as typed.
    InvalidParticipant = "invalid_participant", 422,
        "Le participant ne peut pas être enregistré tel quel : corrigez les champs signalés.";
    /// A situation six months after exit that cannot be recorded as asked.
    InvalidSituation = "invalid_situation", 422,
        "La situation à six mois ne peut pas être enregistrée telle quelle : corrigez les champs signalés.";
    /// A date that cannot be used here.
    InvalidDate = "invalid_date", 422,
        "Date incorrecte : donnez une date passée, au format AAAA-MM-JJ.";
    /// A month that cannot be read.
    InvalidMonth = "invalid_month", 422,
        "Mois incorrect : écrivez-le AAAA-MM (2025-03).";
    /// A review decision that does not exist.
    InvalidDecision = "invalid_decision", 422,
        "Décision inconnue : choisissez validate (valider), reject (rejeter) ou reopen (rouvrir).";
    /// A review state that does not exist.
    InvalidReviewState = "invalid_review_state", 422,
        "État de validation inconnu : choisissez declared (en attente), validated (validées) ou rejected (rejetées).";
    /// A rejection or a reopening without its reason, or a reason too long.
    InvalidReason = "invalid_reason", 422,
        "Motif manquant ou trop long : un rejet ou une réouverture dit pourquoi, en 500 caractères au plus.";
    /// A kind of « À faire » item that does not exist.
    InvalidFollowupKind = "invalid_followup_kind", 422,
        "Type d'élément à suivre inconnu : choisissez behind_pace, ended_short, missing_statement, pending_validation, eligibility_pending, qpv_share_short ou exit_followup_due.";
    /// A year outside the range the service holds figures for.
    InvalidYear = "invalid_year", 422,
        "Année hors de la plage permise : donnez une année sur quatre chiffres, de 1990 à 2100.";
    /// A search text longer than any reference, object or name.
    SearchTooLong = "search_too_long", 422,
        "Recherche trop longue : raccourcissez-la à 200 caractères au plus.";
    /// The register lacks what the DECP format requires.
    DecpIncomplete = "decp_incomplete", 422,
        "Le registre ne contient pas tout ce qu'exige le format DECP : complétez les marchés signalés.";
    /// Too many failed sign-ins.
    TooManyAttempts = "too_many_attempts", 429,
        "Trop de tentatives de connexion : patientez quelques minutes avant de recommencer.";
    /// As many imports as allowed already run, for the account or the service.
    ImportsBusy = "imports_busy", 429,
        "Trop d'imports sont en cours : attendez qu'ils se terminent, puis renvoyez le fichier.";
    /// A failure the user cannot fix; the detail went to the log.
    InternalError = "internal_error", 500,
        "Une erreur interne est survenue. Réessayez ; si elle persiste, prévenez l'administrateur.";
    /// The database does not answer.
    DatabaseUnavailable = "database_unavailable", 503,
        "La base de données ne répond pas : le service est indisponible pour l'instant.";
}

impl ErrorCode {
    /// The command line's exit status: 1 when the service failed, 2 when the command's input or
    /// rights must change (as for a command line clap refuses).
    pub fn exit_status(self) -> u8 {
        if self.status() >= 500 { 1 } else { 2 }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// So that a code reads as its wire name in assertions: `code == "not_found"`.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_serializes_as_its_name_and_has_a_client_or_server_status() {
        let mut names = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "{code:?}");
            assert_eq!(serde_json::from_value::<ErrorCode>(json).unwrap(), code);
            assert!(names.insert(code.as_str()), "{code} twice");
            assert!((400..600).contains(&code.status()), "{code}");
            assert!(code.message().ends_with('.'), "{code}");
        }
    }

    /// The README's `Codes:` paragraph lists every code with its status, and nothing else.
    #[test]
    fn the_readme_lists_every_code_with_its_status() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
        let start = readme
            .find("\nCodes: ")
            .expect("a line starting with Codes: in the README");
        let paragraph = readme[start + 1..].split("\n\n").next().unwrap_or_default();
        let listed: Vec<(String, u16)> = paragraph
            .split("` (")
            .zip(paragraph.split("` (").skip(1))
            .map(|(before, after)| {
                let name = before.rsplit('`').next().unwrap_or_default().to_owned();
                let status = after.get(..3).and_then(|s| s.parse().ok()).unwrap_or(0);
                (name, status)
            })
            .collect();
        let declared: Vec<(String, u16)> = ErrorCode::ALL
            .iter()
            .map(|code| (code.as_str().to_owned(), code.status()))
            .collect();
        assert_eq!(listed, declared, "README's Codes: against ErrorCode::ALL");
    }

    #[test]
    fn the_command_line_exits_with_one_only_when_the_service_failed() {
        assert_eq!(ErrorCode::InternalError.exit_status(), 1);
        assert_eq!(ErrorCode::DatabaseUnavailable.exit_status(), 1);
        assert_eq!(ErrorCode::UnknownBuyer.exit_status(), 2);
        assert_eq!(ErrorCode::Forbidden.exit_status(), 2);
    }
}
