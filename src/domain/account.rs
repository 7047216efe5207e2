//! Who uses suivi-clauses and which buyers' data each account may reach.

use std::fmt;

use super::labels::labelled_enum;
use super::siret::Siret;

/// An account's login: an e-mail address, kept in lower case so it matches however it is typed.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, diesel::AsExpression, diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas une adresse électronique : écrivez-la sous la forme prenom.nom@exemple.fr."
)]
pub struct EmailError(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        let lowered = trimmed.to_lowercase();
        let valid = match lowered.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && lowered.len() <= 254
                    && !lowered.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if valid {
            Ok(Email(lowered))
        } else {
            Err(EmailError(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

labelled_enum! {
    pub enum Role ("un rôle d'utilisateur reconnu") {
        Admin = "admin", "Administrateur", ["Admin"];
        Facilitator = "facilitator", "Facilitateur de clauses", ["Facilitateur", "Facilitatrice"];
        BuyerOfficer = "buyer_officer", "Agent acheteur", ["Acheteur", "Acheteuse"];
        Elected = "elected", "Élu", ["Élue"];
        Company = "company", "Entreprise";
    }
}

/// The buyers (or the company) whose data an account reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "sirets", rename_all = "snake_case")]
pub enum UserScope {
    AllBuyers,
    Buyers(Vec<Siret>),
    Company(Siret),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "Un administrateur voit tous les acheteurs : ne lui attribuez ni acheteur ni entreprise."
    )]
    AdminIsGlobal,
    #[error(
        "Un facilitateur suit tous les acheteurs ou une liste d'acheteurs : indiquez au moins un SIRET d'acheteur, ou « tous »."
    )]
    FacilitatorNeedsBuyers,
    #[error(
        "Un agent acheteur travaille pour un seul acheteur : indiquez exactement un SIRET d'acheteur."
    )]
    OfficerNeedsOneBuyer,
    #[error(
        "Un élu consulte un acheteur ou tous : indiquez un seul SIRET d'acheteur, ou « tous »."
    )]
    ElectedNeedsOneOrAll,
    #[error(
        "Un compte entreprise est rattaché au SIRET de son établissement : indiquez ce SIRET, et lui seul."
    )]
    CompanyNeedsSiret,
    #[error(
        "Choisissez un seul périmètre : tous les acheteurs, une liste d'acheteurs, ou une entreprise."
    )]
    Ambiguous,
}

impl UserScope {
    /// Builds the scope from the three ways it is given (all buyers, buyers' SIRETs, a company's
    /// SIRET) and checks it fits the role. An administrator given nothing sees all buyers.
    pub fn for_role(
        role: Role,
        all_buyers: bool,
        buyers: Vec<Siret>,
        company: Option<Siret>,
    ) -> Result<UserScope, ScopeError> {
        let scope = match (all_buyers, buyers.is_empty(), company) {
            (false, true, None) if role == Role::Admin => UserScope::AllBuyers,
            (true, true, None) => UserScope::AllBuyers,
            (false, _, None) => UserScope::Buyers(buyers),
            (false, true, Some(siret)) => UserScope::Company(siret),
            _ => return Err(ScopeError::Ambiguous),
        };
        scope.validate_for(role)?;
        Ok(scope)
    }

    /// Checks that the scope fits the role: the rule every way of creating accounts goes through.
    pub fn validate_for(&self, role: Role) -> Result<(), ScopeError> {
        match (role, self) {
            (Role::Admin, UserScope::AllBuyers) => Ok(()),
            (Role::Admin, _) => Err(ScopeError::AdminIsGlobal),
            (Role::Facilitator, UserScope::AllBuyers) => Ok(()),
            (Role::Facilitator, UserScope::Buyers(list)) if !list.is_empty() => Ok(()),
            (Role::Facilitator, _) => Err(ScopeError::FacilitatorNeedsBuyers),
            (Role::BuyerOfficer, UserScope::Buyers(list)) if list.len() == 1 => Ok(()),
            (Role::BuyerOfficer, _) => Err(ScopeError::OfficerNeedsOneBuyer),
            (Role::Elected, UserScope::AllBuyers) => Ok(()),
            (Role::Elected, UserScope::Buyers(list)) if list.len() == 1 => Ok(()),
            (Role::Elected, _) => Err(ScopeError::ElectedNeedsOneOrAll),
            (Role::Company, UserScope::Company(_)) => Ok(()),
            (Role::Company, _) => Err(ScopeError::CompanyNeedsSiret),
        }
    }
}

labelled_enum! {
    /// How recently an account signed in, as the list of accounts filters on it.
    pub enum SignInRecency ("une ancienneté de connexion reconnue") {
        Never = "never", "Jamais connecté";
        Recent = "within_30_days", "Connecté ces 30 derniers jours";
        Dormant = "over_90_days", "Sans connexion depuis plus de 90 jours";
    }
}

impl SignInRecency {
    /// The days the filter looks back, when it does.
    pub fn days(self) -> Option<i64> {
        match self {
            SignInRecency::Never => None,
            SignInRecency::Recent => Some(30),
            SignInRecency::Dormant => Some(90),
        }
    }
}

super::serde_via::schema_as!(Email, String, "Adresse électronique.");

#[cfg(test)]
mod tests {
    use super::*;

    fn siret(n: &str) -> Siret {
        Siret::with_check_digit(n).unwrap()
    }

    #[test]
    fn labels_are_consistent() {
        crate::domain::labels::assert_consistent::<Role>();
        crate::domain::labels::assert_consistent::<SignInRecency>();
    }

    #[test]
    fn scope_is_built_from_what_was_given() {
        let company = siret("4430618410004");
        assert_eq!(
            UserScope::for_role(Role::Admin, false, vec![], None),
            Ok(UserScope::AllBuyers)
        );
        assert_eq!(
            UserScope::for_role(Role::Company, false, vec![], Some(company.clone())),
            Ok(UserScope::Company(company.clone()))
        );
        assert_eq!(
            UserScope::for_role(Role::Elected, true, vec![], Some(company)),
            Err(ScopeError::Ambiguous)
        );
        assert_eq!(
            UserScope::for_role(Role::BuyerOfficer, false, vec![], None),
            Err(ScopeError::OfficerNeedsOneBuyer)
        );
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Claire.Martin@CD31.fr ").unwrap().as_str(),
            "claire.martin@cd31.fr"
        );
        assert!(Email::parse("admin@localhost").is_ok());
        for bad in [
            "",
            "claire",
            "@cd31.fr",
            "claire@",
            "a@b@c",
            "claire martin@cd31.fr",
            "a@.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn scope_must_fit_the_role() {
        let one = UserScope::Buyers(vec![siret("2231000170001")]);
        let two = UserScope::Buyers(vec![siret("2231000170001"), siret("2131055540001")]);
        let company = UserScope::Company(siret("4430618410004"));

        assert_eq!(UserScope::AllBuyers.validate_for(Role::Admin), Ok(()));
        assert_eq!(
            one.validate_for(Role::Admin),
            Err(ScopeError::AdminIsGlobal)
        );
        assert_eq!(two.validate_for(Role::Facilitator), Ok(()));
        assert_eq!(
            UserScope::Buyers(vec![]).validate_for(Role::Facilitator),
            Err(ScopeError::FacilitatorNeedsBuyers)
        );
        assert_eq!(one.validate_for(Role::BuyerOfficer), Ok(()));
        assert_eq!(
            two.validate_for(Role::BuyerOfficer),
            Err(ScopeError::OfficerNeedsOneBuyer)
        );
        assert_eq!(
            UserScope::AllBuyers.validate_for(Role::BuyerOfficer),
            Err(ScopeError::OfficerNeedsOneBuyer)
        );
        assert_eq!(UserScope::AllBuyers.validate_for(Role::Elected), Ok(()));
        assert_eq!(
            two.validate_for(Role::Elected),
            Err(ScopeError::ElectedNeedsOneOrAll)
        );
        assert_eq!(company.validate_for(Role::Company), Ok(()));
        assert_eq!(
            one.validate_for(Role::Company),
            Err(ScopeError::CompanyNeedsSiret)
        );
    }
}
