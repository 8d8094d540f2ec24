use emp_model::UnixNanos;
use emp_telemetry::{Check, Snapshot, Status};
use proptest::prelude::*;

fn status() -> impl Strategy<Value = Status> {
    prop_oneof![Just(Status::Ok), Just(Status::Warn), Just(Status::Fail)]
}

fn check() -> impl Strategy<Value = Check> {
    (
        "[a-z_]{1,12}",
        status(),
        proptest::option::of(any::<i64>()),
        proptest::option::of("[ -~]{0,8}"),
        "[ -~\n|]{0,24}",
    )
        .prop_map(|(name, status, value, threshold, message)| {
            let mut c = Check::new(name, status, message);
            if let Some(v) = value {
                c = c.with_value(v);
            }
            if let Some(t) = threshold {
                c = c.with_threshold(t);
            }
            c
        })
}

proptest! {
    #[test]
    fn status_is_max_of_checks_and_json_round_trips(
        checks in proptest::collection::vec(check(), 0..8),
        ts in 0_i64..4_000_000_000_000_000_000,
    ) {
        let worst = checks.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
        let s = Snapshot::new("telemetry.prop.test", UnixNanos::new(ts), checks.clone());
        prop_assert_eq!(s.status(), worst);
        prop_assert_eq!(s.checks(), &checks[..]);
        let back = Snapshot::from_json(s.to_json()).unwrap();
        prop_assert_eq!(&back, &s);
    }

    #[test]
    fn markdown_has_one_row_per_check(checks in proptest::collection::vec(check(), 1..8)) {
        let s = Snapshot::new("telemetry.prop.test", UnixNanos::ZERO, checks.clone());
        let md = s.to_markdown();
        let rows = md.lines().filter(|l| l.starts_with('|')).count();
        prop_assert_eq!(rows, checks.len() + 2);
    }

    #[test]
    fn worst_is_order_independent(mut v in proptest::collection::vec(status(), 0..10)) {
        let a = Status::worst(v.iter().copied());
        v.reverse();
        prop_assert_eq!(a, Status::worst(v.iter().copied()));
        prop_assert!(v.iter().all(|s| *s <= a));
    }
}
