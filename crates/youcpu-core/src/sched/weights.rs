//! Nice values and load weights.
//!
//! `sched_prio_to_weight` from kernel/sched/core.c: nice 0 is 1024, and each nice step changes
//! the weight by about 1.25x, so that one step is worth about 10% of CPU time between two tasks.

/// Lowest (most favoured) nice value.
pub const NICE_MIN: i32 = -20;
/// Highest (least favoured) nice value.
pub const NICE_MAX: i32 = 19;

/// The weight of a nice-0 task (`NICE_0_LOAD` with the fixed-point shift removed).
pub const NICE_0_WEIGHT: u64 = 1024;

/// `sched_prio_to_weight[40]`, indexed by `nice + 20`.
pub const PRIO_TO_WEIGHT: [u64; 40] = [
    88761, 71755, 56483, 46273, 36291, // -20 .. -16
    29154, 23254, 18705, 14949, 11916, // -15 .. -11
    9548, 7620, 6100, 4904, 3906, // -10 .. -6
    3121, 2501, 1991, 1586, 1277, // -5 .. -1
    1024, 820, 655, 526, 423, // 0 .. 4
    335, 272, 215, 172, 137, // 5 .. 9
    110, 87, 70, 56, 45, // 10 .. 14
    36, 29, 23, 18, 15, // 15 .. 19
];

/// The load weight of a task with the given nice value, or `None` outside -20..=19.
pub fn nice_to_weight(nice: i32) -> Option<u64> {
    if (NICE_MIN..=NICE_MAX).contains(&nice) {
        usize::try_from(nice - NICE_MIN)
            .ok()
            .and_then(|i| PRIO_TO_WEIGHT.get(i))
            .copied()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_ends_and_middle() {
        assert_eq!(nice_to_weight(-20), Some(88761));
        assert_eq!(nice_to_weight(0), Some(1024));
        assert_eq!(nice_to_weight(1), Some(820));
        assert_eq!(nice_to_weight(19), Some(15));
        assert_eq!(nice_to_weight(20), None);
        assert_eq!(nice_to_weight(-21), None);
    }

    #[test]
    fn each_step_is_about_one_point_two_five() {
        for w in PRIO_TO_WEIGHT.windows(2) {
            let ratio = w[0] as f64 / w[1] as f64;
            assert!((1.19..1.32).contains(&ratio), "{w:?} ratio {ratio}");
        }
    }
}
