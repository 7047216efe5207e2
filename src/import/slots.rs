//! How many imports may run at once, in this process and for one account: each holds memory
//! for its file and a database connection for as long as it runs, so a few uploads sent
//! together must not exhaust either.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::storage::UserId;

/// The imports running, counted overall and per account (`None`: the command line).
#[derive(Debug, Clone, Default)]
pub struct ImportSlots {
    running: Arc<Mutex<HashMap<Option<UserId>, usize>>>,
}

/// Why no import may start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// The account already runs its share.
    Account { running: usize },
    /// The instance runs as many as it may.
    Everyone,
}

/// A running import's place, given back when dropped (the import ended, however).
#[derive(Debug)]
pub struct Slot {
    slots: ImportSlots,
    account: Option<UserId>,
}

impl ImportSlots {
    /// A place for an import of `account`, unless it or the instance runs its maximum.
    pub fn take(
        &self,
        account: Option<UserId>,
        max_running: usize,
        max_per_account: usize,
    ) -> Result<Slot, Busy> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let mine = running.get(&account).copied().unwrap_or(0);
        if mine >= max_per_account {
            return Err(Busy::Account { running: mine });
        }
        if running.values().sum::<usize>() >= max_running {
            return Err(Busy::Everyone);
        }
        *running.entry(account).or_default() += 1;
        Ok(Slot {
            slots: self.clone(),
            account,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = self.slots.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = running.get_mut(&self.account) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.account);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_bounded_per_account_and_overall_and_given_back() {
        let slots = ImportSlots::default();
        let first = slots.take(Some(UserId::from(1)), 2, 1).unwrap();
        assert_eq!(
            slots.take(Some(UserId::from(1)), 2, 1).unwrap_err(),
            Busy::Account { running: 1 }
        );
        let _second = slots.take(Some(UserId::from(2)), 2, 1).unwrap();
        assert_eq!(
            slots.take(Some(UserId::from(3)), 2, 1).unwrap_err(),
            Busy::Everyone
        );
        drop(first);
        assert!(slots.take(Some(UserId::from(1)), 2, 1).is_ok());
    }
}
