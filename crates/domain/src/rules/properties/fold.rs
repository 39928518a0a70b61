//! The status fold is order-independent and idempotent.

use proptest::prelude::*;

use super::{deliveries, status_event};
use crate::rules::transaction_state::{fold_status, supersedes};

proptest! {
    #[test]
    fn every_order_folds_to_same_status((in_order, shuffled) in deliveries()) {
        prop_assert_eq!(fold_status(&in_order), fold_status(&shuffled));
    }

    #[test]
    fn fold_picks_one_delivered_event((in_order, _) in deliveries()) {
        let folded = fold_status(&in_order).expect("at least one event");
        prop_assert!(in_order.contains(&folded));
        for event in &in_order {
            prop_assert!(!supersedes(event, &folded));
        }
    }

    #[test]
    fn repeated_event_changes_nothing(
        (history, _) in deliveries(),
        event in status_event(),
    ) {
        let mut once = history.clone();
        once.push(event.clone());
        let mut twice = once.clone();
        twice.push(event.clone());

        let after_once = fold_status(&once).expect("at least one event");
        prop_assert_eq!(fold_status(&twice), Some(after_once.clone()));
        prop_assert!(!supersedes(&event, &after_once));
    }
}
