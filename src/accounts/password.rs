//! Password hashing (argon2id) and generated passwords.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

pub const MIN_PASSWORD_CHARS: usize = 12;

/// No 0/O, 1/l/I: generated passwords are read off a terminal and typed by hand.
const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const GENERATED_CHARS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Le mot de passe doit comporter au moins {MIN_PASSWORD_CHARS} caractères.")]
    TooShort,
    #[error("Le mot de passe ne peut pas être fait d'un seul caractère répété.")]
    Repetitive,
    #[error("Le mot de passe n'a pas pu être chiffré.")]
    Hashing,
}

pub fn check_strength(password: &SecretString) -> Result<(), PasswordError> {
    let text = password.expose_secret();
    let mut chars = text.chars();
    if text.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(PasswordError::Repetitive);
    }
    Ok(())
}

/// An argon2id hash in PHC format (salt and parameters inside). Slow on purpose: call it off the
/// async workers.
pub fn hash(password: &SecretString) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hashing)
}

pub fn verify(password: &SecretString, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random password of 20 characters (about 117 bits) from an unambiguous alphabet.
pub fn generate() -> SecretString {
    let mut rng = rand::rng();
    let text: String = (0..GENERATED_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    SecretString::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let password = secret("correct horse battery");
        let first = hash(&password).unwrap();
        let second = hash(&password).unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second);
        assert!(verify(&password, &first));
        assert!(!verify(&secret("wrong horse battery"), &first));
        assert!(!verify(&password, "not a hash"));
    }

    #[test]
    fn refuses_weak_passwords() {
        assert_eq!(
            check_strength(&secret("court")),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_strength(&secret("aaaaaaaaaaaaaaaa")),
            Err(PasswordError::Repetitive)
        );
        assert_eq!(check_strength(&secret("une phrase de passe")), Ok(()));
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let a = generate();
        let b = generate();
        assert_eq!(a.expose_secret().len(), GENERATED_CHARS);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(check_strength(&a).is_ok());
    }
}
