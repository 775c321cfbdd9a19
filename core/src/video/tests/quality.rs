use crate::message::Quality;
use crate::video::{QualityController, DOWN_HOLD_MS, LEVELS, UP_HOLD_MS};

/// Every level of the ladder, as (frame interval, lossy quality).
fn ladder() -> [(u32, u8); LEVELS as usize] {
    let mut ctrl = QualityController::new();
    core::array::from_fn(|i| {
        ctrl.set_mode(Quality::Manual(100));
        // Walk down with a link that is far too slow, one hold at a time.
        let mut now = 0;
        for _ in 0..i {
            ctrl.set_mode(Quality::Auto);
            ctrl.update(Some(10), None, now);
            ctrl.update(Some(10_000), None, now);
            now += DOWN_HOLD_MS;
        }
        assert_eq!(usize::from(ctrl.level()), i);
        (ctrl.frame_interval_ms(), ctrl.lossy_quality())
    })
}

/// A controller with a known base round trip of 20 ms.
fn settled() -> QualityController {
    let mut ctrl = QualityController::new();
    ctrl.update(Some(20), None, 0);
    ctrl
}

#[test]
fn ses_12_frame_rate_falls_before_quality() {
    let ladder = ladder();
    assert_eq!(ladder[0], (33, 85));
    assert_eq!(ladder[LEVELS as usize - 1].0, 1000);
    for pair in ladder.windows(2) {
        let ((interval, quality), (next_interval, next_quality)) = (pair[0], pair[1]);
        assert!(
            next_interval >= interval && next_quality <= quality,
            "{pair:?}"
        );
        assert!(
            next_interval > interval || next_quality < quality,
            "each step changes something"
        );
        if next_quality < quality {
            assert!(
                interval >= 200,
                "quality drops only once the frame rate is down to 5 fps"
            );
        }
    }
}

#[test]
fn ses_12_quality_stays_while_link_keeps_up() {
    let mut ctrl = settled();
    for step in 1..100u64 {
        ctrl.update(
            Some(20 + (step % 3) as u32 * 10),
            Some(50_000_000),
            step * 100,
        );
    }
    assert_eq!(
        (ctrl.level(), ctrl.frame_interval_ms(), ctrl.lossy_quality()),
        (0, 33, 85)
    );
}

#[test]
fn ses_12_slow_frames_lower_frame_rate_then_quality() {
    let mut ctrl = settled();
    // Frames take 400 ms more than the base round trip.
    ctrl.update(Some(420), None, 100);
    assert_eq!((ctrl.frame_interval_ms(), ctrl.lossy_quality()), (50, 85));
    // Not again before the hold has passed.
    ctrl.update(Some(420), None, 100 + DOWN_HOLD_MS - 1);
    assert_eq!(ctrl.level(), 1);
    ctrl.update(Some(420), None, 100 + DOWN_HOLD_MS);
    assert_eq!((ctrl.frame_interval_ms(), ctrl.lossy_quality()), (100, 85));
    ctrl.update(Some(420), None, 100 + 2 * DOWN_HOLD_MS);
    assert_eq!((ctrl.frame_interval_ms(), ctrl.lossy_quality()), (200, 85));
    // 400 ms extra is more than 1.5 intervals of 200 ms plus jitter: quality goes.
    ctrl.update(Some(420), None, 100 + 3 * DOWN_HOLD_MS);
    assert_eq!(ctrl.frame_interval_ms(), 200);
    assert!(ctrl.lossy_quality() < 85);
}

#[test]
fn ses_12_low_throughput_jumps_to_a_level_it_can_carry() {
    let mut ctrl = settled();
    ctrl.update(Some(20), Some(400_000), 100);
    assert_eq!((ctrl.frame_interval_ms(), ctrl.lossy_quality()), (200, 40));
    ctrl.update(Some(20), Some(10_000), 100 + DOWN_HOLD_MS);
    assert_eq!((ctrl.frame_interval_ms(), ctrl.lossy_quality()), (1000, 30));
    ctrl.update(Some(20), Some(1), 100 + 2 * DOWN_HOLD_MS);
    assert_eq!(ctrl.level(), LEVELS - 1, "the bottom holds");
}

#[test]
fn ses_12_recovers_one_level_per_clear_period() {
    let mut ctrl = settled();
    ctrl.update(Some(20), Some(10_000), 100);
    assert_eq!(ctrl.level(), LEVELS - 1);
    let mut now = 100;
    let mut levels = heapless::Vec::<u8, 64>::new();
    while ctrl.level() > 0 && now < 100_000 {
        now += 100;
        ctrl.update(Some(22), None, now);
        if levels.last() != Some(&ctrl.level()) {
            levels.push(ctrl.level()).unwrap();
        }
    }
    assert_eq!(ctrl.level(), 0);
    let expected: heapless::Vec<u8, 64> = (0..LEVELS).rev().collect();
    assert_eq!(levels, expected, "one level at a time");
    // Each step waited for a full clear period.
    assert!(now >= 100 + u64::from(LEVELS - 1) * UP_HOLD_MS, "{now}");
    assert!(now <= 100 + u64::from(LEVELS) * UP_HOLD_MS, "{now}");
}

#[test]
fn ses_12_short_clear_spells_do_not_raise_quality() {
    let mut ctrl = settled();
    ctrl.update(Some(420), None, 100);
    assert_eq!(ctrl.level(), 1);
    // Alternate clear and in-between readings: never clear for a whole hold.
    let mut now = 100;
    for i in 0..200u64 {
        now += 500;
        let rtt = if i % 4 == 3 { 60 } else { 22 };
        ctrl.update(Some(rtt), None, now);
    }
    assert_eq!(ctrl.level(), 1);
}

#[test]
fn ses_12_no_flapping_between_thresholds() {
    // At level 1 (50 ms), 60 ms of extra delay is neither congested (above
    // 105 ms) nor clear (below 16 ms for level 0): it must stay.
    let mut ctrl = settled();
    ctrl.update(Some(420), None, 100);
    let mut changes = 0;
    let mut last = ctrl.level();
    for step in 1..600u64 {
        ctrl.update(Some(80 + (step % 5) as u32 * 5), None, 100 + step * 100);
        if ctrl.level() != last {
            changes += 1;
            last = ctrl.level();
        }
    }
    assert_eq!((changes, ctrl.level()), (0, 1));
}

#[test]
fn ses_12_throughput_must_clear_the_better_budget_to_recover() {
    let mut ctrl = settled();
    ctrl.update(Some(20), Some(400_000), 100);
    let level = ctrl.level();
    // The link is fast to answer but still measured at 400 kbit/s.
    for step in 1..200u64 {
        ctrl.update(Some(20), Some(400_000), 100 + step * 100);
    }
    assert_eq!(ctrl.level(), level);
    // Once no longer measured (the link stopped being the bottleneck), it climbs.
    for step in 200..400u64 {
        ctrl.update(Some(20), None, 100 + step * 100);
    }
    assert!(ctrl.level() < level);
}

#[test]
fn ses_09_manual_override_pins_the_level() {
    let mut ctrl = settled();
    ctrl.set_mode(Quality::Manual(100));
    assert_eq!(ctrl.mode(), Quality::Manual(100));
    for step in 1..50u64 {
        ctrl.update(Some(5_000), Some(1_000), step * 1_000);
    }
    assert_eq!(
        (ctrl.frame_interval_ms(), ctrl.lossy_quality()),
        (33, 85),
        "a slow link does not move a pin"
    );

    ctrl.set_mode(Quality::Manual(0));
    assert_eq!((ctrl.frame_interval_ms(), ctrl.lossy_quality()), (1000, 30));
    for step in 50..100u64 {
        ctrl.update(Some(20), None, step * 1_000);
    }
    assert_eq!(ctrl.level(), LEVELS - 1, "a fast link does not move a pin");

    ctrl.set_mode(Quality::Manual(50));
    assert_eq!(ctrl.level(), (LEVELS - 1) / 2);
    ctrl.set_mode(Quality::Manual(255));
    assert_eq!(ctrl.level(), 0, "above 100 counts as 100");

    // Back to automatic: adapting resumes.
    ctrl.set_mode(Quality::Auto);
    assert_eq!(ctrl.mode(), Quality::Auto);
    ctrl.update(Some(5_000), None, 200_000);
    assert_eq!(ctrl.level(), 1);
}

#[test]
fn ses_09_manual_levels_are_ordered() {
    let mut ctrl = QualityController::new();
    let mut previous = 0;
    for q in (0..=100u8).rev() {
        ctrl.set_mode(Quality::Manual(q));
        assert!(ctrl.level() >= previous, "Manual({q})");
        previous = ctrl.level();
    }
    assert_eq!(previous, LEVELS - 1);
}

#[test]
fn ses_12_no_estimates_no_change() {
    let mut ctrl = QualityController::default();
    for step in 0..100u64 {
        ctrl.update(None, None, step * 100);
    }
    assert_eq!((ctrl.level(), ctrl.mode()), (0, Quality::Auto));
}

/// Feed `frames` of `bytes` each, one per `step_ms`, with a link measured
/// at `throughput_bps` and a steady round trip; returns the controller.
fn run_with_frames(
    bytes: u64,
    throughput_bps: u64,
    step_ms: u64,
    until_ms: u64,
) -> QualityController {
    let mut ctrl = settled();
    let mut now = 0;
    while now < until_ms {
        now += step_ms;
        ctrl.record_frame(bytes, now);
        ctrl.update(Some(40), Some(throughput_bps), now);
    }
    ctrl
}

#[test]
fn ses_12_small_frames_on_a_slow_link_keep_a_fast_frame_rate() {
    // Typing: 150-byte frames need 36 kbit/s at 30 fps; the link carries 256.
    let ctrl = run_with_frames(150, 256_000, 33, 20_000);
    assert_eq!(ctrl.frame_interval_ms(), 33, "level {}", ctrl.level());
    assert_eq!(ctrl.frame_bytes(), Some(150));
    assert_eq!(ctrl.need_bps(0), 150 * 8 * 1000 / 33);
}

#[test]
fn ses_12_big_frames_on_a_slow_link_step_down() {
    // 20 KB frames need 4.8 Mbit/s at 30 fps, 160 kbit/s at 1 fps.
    let ctrl = run_with_frames(20_000, 256_000, 100, 20_000);
    assert!(ctrl.frame_interval_ms() >= 500, "level {}", ctrl.level());
    // The need, not a typical desktop's budget, decides: at 1 fps 20 KB
    // frames fit, so it need not be the very bottom for lack of a budget.
    assert!(ctrl.need_bps(ctrl.level()) <= 256_000);
}

#[test]
fn ses_12_recovers_when_the_content_calms_down() {
    let mut ctrl = run_with_frames(20_000, 256_000, 100, 10_000);
    let low = ctrl.level();
    assert!(low > 0);
    let mut now = 10_000;
    while now < 30_000 {
        now += 33;
        ctrl.record_frame(150, now);
        ctrl.update(Some(25), Some(256_000), now);
    }
    assert_eq!(ctrl.level(), 0, "from level {low}");
}

#[test]
fn ses_09_manual_override_pins_even_with_frames() {
    let mut ctrl = settled();
    ctrl.set_mode(Quality::Manual(100));
    assert_eq!(ctrl.lossy(), None, "the best picture is lossless");
    for step in 1..100u64 {
        ctrl.record_frame(50_000, step * 100);
        ctrl.update(Some(2_000), Some(100_000), step * 100);
    }
    assert_eq!(ctrl.level(), 0);
    ctrl.set_mode(Quality::Manual(0));
    for step in 100..200u64 {
        ctrl.record_frame(10, step * 100);
        ctrl.update(Some(20), Some(100_000_000), step * 100);
    }
    assert_eq!(ctrl.level(), LEVELS - 1);
    assert_eq!(ctrl.lossy(), Some(ctrl.lossy_quality()));
}

#[test]
fn ses_12_frame_average_goes_stale() {
    let mut ctrl = settled();
    ctrl.record_frame(1_000, 100);
    assert_eq!(ctrl.frame_bytes(), Some(1_000));
    ctrl.update(Some(20), None, 20_000);
    assert_eq!(ctrl.frame_bytes(), None, "forgotten after a quiet spell");
}
