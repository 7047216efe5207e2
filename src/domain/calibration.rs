//! Calibrating an insertion clause: the target hours of a lot, from the facilitateurs' formula
//! `target = base amount × labour share × insertion rate ÷ hourly cost`.

use super::{Hours, Money, Rate};

/// Below this many hours a clause is usually not recommended: a warning, not a refusal.
pub const RECOMMENDED_MINIMUM_HOURS: i64 = 150;

/// The parameters of a calibrated target, stored beside it so the figure can be explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calibration {
    pub base_amount: Money,
    pub labour_share: Rate,
    pub insertion_rate: Rate,
    pub hourly_cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalibrationError {
    #[error(
        "Le coût horaire doit être supérieur à zéro (coût chargé d'une heure de travail, souvent 20 à 30 €)."
    )]
    NoHourlyCost,
    #[error("L'objectif calculé dépasse ce que le service sait compter : vérifiez le montant.")]
    TooLarge,
}

impl Calibration {
    /// The target, in hundredths of an hour rounded to the nearest (half up): 1 000 000 € × 50 %
    /// × 5 % ÷ 30 €/h = 833,33 h.
    pub fn target(&self) -> Result<Hours, CalibrationError> {
        let cost = i128::from(self.hourly_cost.cents());
        if cost <= 0 {
            return Err(CalibrationError::NoHourlyCost);
        }
        // cents × bp × bp ÷ 10⁸ = cents of labour bought for insertion; ÷ cost cents = hours.
        let numerator = i128::from(self.base_amount.cents())
            * i128::from(self.labour_share.basis_points())
            * i128::from(self.insertion_rate.basis_points())
            * 100;
        let denominator = 100_000_000 * cost;
        let hundredths = (numerator + denominator / 2) / denominator;
        i64::try_from(hundredths)
            .ok()
            .and_then(|h| Hours::from_hundredths(h).ok())
            .ok_or(CalibrationError::TooLarge)
    }
}

/// The French warning for a target below the recommended minimum, if it is.
pub fn below_minimum_warning(target: Hours) -> Option<String> {
    (target.hundredths() < RECOMMENDED_MINIMUM_HOURS * 100).then(|| {
        format!(
            "L'objectif de {target} est inférieur à {RECOMMENDED_MINIMUM_HOURS} heures : une clause aussi petite est en général déconseillée (suivi lourd pour peu d'heures)."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calibration(euros: i64, labour: i64, rate: i64, cost_euros: i64) -> Calibration {
        Calibration {
            base_amount: Money::from_euros(euros).unwrap(),
            labour_share: Rate::from_basis_points(labour).unwrap(),
            insertion_rate: Rate::from_basis_points(rate).unwrap(),
            hourly_cost: Money::from_euros(cost_euros).unwrap(),
        }
    }

    #[test]
    fn the_domain_brief_example_gives_833_hours() {
        // 1 000 000 × 0,5 × 0,05 ÷ 30 = 833,333… h
        let target = calibration(1_000_000, 5_000, 500, 30).target().unwrap();
        assert_eq!(target.hundredths(), 83_333);
        assert_eq!(below_minimum_warning(target), None);
    }

    #[test]
    fn rounding_is_half_up_to_the_hundredth() {
        // 100 000 × 0,7 × 0,1 ÷ 24 = 291,6666… h → 291,67 h
        assert_eq!(
            calibration(100_000, 7_000, 1_000, 24)
                .target()
                .unwrap()
                .hundredths(),
            29_167
        );
    }

    #[test]
    fn small_targets_warn_and_a_zero_cost_is_refused() {
        // 80 000 × 0,2 × 0,05 ÷ 30 = 26,67 h
        let small = calibration(80_000, 2_000, 500, 30).target().unwrap();
        assert_eq!(small.hundredths(), 2_667);
        assert!(below_minimum_warning(small).unwrap().contains("150 heures"));
        let free = Calibration {
            hourly_cost: Money::ZERO,
            ..calibration(1, 1, 1, 1)
        };
        assert_eq!(free.target(), Err(CalibrationError::NoHourlyCost));
    }
}
