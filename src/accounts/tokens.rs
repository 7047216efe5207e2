//! Session tokens: JWT signed with HS256, algorithm pinned, every time claim checked.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Who issues tokens and who they are for; a token from another system is refused.
pub const ISSUER: &str = "suivi-clauses";
pub const AUDIENCE: &str = "suivi-clauses-api";
/// Clock skew tolerated between instances, in seconds.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: String,
    /// The account's token version when issued: a password change, a deactivation or a logout
    /// bumps it and so invalidates every token issued before.
    pub ver: i32,
    /// Anti-CSRF token bound to this session, echoed by pages in `X-CSRF-Token`.
    pub csrf: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// A freshly signed token and what the client needs with it.
pub struct IssuedToken {
    pub token: SecretString,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
#[error("jeton de session refusé : {0}")]
pub struct TokenError(#[from] jsonwebtoken::errors::Error);

/// The signing key and validation rules, built once at start-up.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: Duration,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, lifetime: Duration) -> TokenKeys {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            lifetime,
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    pub fn issue(
        &self,
        user_id: crate::storage::UserId,
        token_version: i32,
    ) -> Result<IssuedToken, TokenError> {
        let now = Utc::now();
        let expires_at =
            now + chrono::Duration::from_std(self.lifetime).unwrap_or(chrono::Duration::hours(1));
        let claims = Claims {
            sub: user_id.to_string(),
            ver: token_version,
            csrf: random_token(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(IssuedToken {
            token: SecretString::from(token),
            csrf: claims.csrf,
            expires_at,
        })
    }

    /// Checks signature, algorithm, issuer, audience, expiry and not-before, and that the token
    /// was not issued for longer than sessions last now (one issued before the lifetime was
    /// shortened, or by an instance configured otherwise, ends as if issued today).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        let longest = i64::try_from(self.lifetime.as_secs() + LEEWAY_SECS).unwrap_or(i64::MAX);
        if claims.exp.saturating_sub(claims.iat) > longest {
            return Err(TokenError(
                jsonwebtoken::errors::ErrorKind::ExpiredSignature.into(),
            ));
        }
        Ok(claims)
    }
}

/// 32 random bytes in hex: CSRF tokens and generated signing keys.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(
            &SecretString::from(secret.to_owned()),
            Duration::from_secs(600),
        )
    }

    #[test]
    fn issued_tokens_verify_with_the_same_key_only() {
        let issued = keys("clé A")
            .issue(crate::storage::UserId::from(42), 3)
            .unwrap();
        let claims = keys("clé A").verify(issued.token.expose_secret()).unwrap();
        assert_eq!((claims.sub.as_str(), claims.ver), ("42", 3));
        assert_eq!(claims.csrf, issued.csrf);
        assert!(keys("clé B").verify(issued.token.expose_secret()).is_err());
    }

    #[test]
    fn tokens_issued_for_longer_than_the_lifetime_are_refused() {
        let long = TokenKeys::new(
            &SecretString::from("clé A".to_owned()),
            Duration::from_secs(6_000),
        )
        .issue(crate::storage::UserId::from(42), 3)
        .unwrap();
        assert!(keys("clé A").verify(long.token.expose_secret()).is_err());
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        assert_eq!(random_token().len(), 64);
        assert_ne!(random_token(), random_token());
    }
}
