use crate::video::{FrameSender, VideoError, DEFAULT_WINDOW, MAX_WINDOW, THROUGHPUT_STALE_MS};

#[test]
fn ses_12_window_full_blocks_new_frames() {
    let mut sender = FrameSender::new(DEFAULT_WINDOW);
    assert_eq!(sender.begin_frame(0), Some(0));
    assert_eq!(sender.begin_frame(10), Some(1));
    assert!(!sender.can_send());
    assert_eq!(sender.begin_frame(20), None);
    assert_eq!(sender.in_flight(), 2);
    sender.on_ack(0, 50).unwrap();
    assert!(sender.can_send());
    assert_eq!(
        sender.begin_frame(60),
        Some(2),
        "numbers continue after a refused frame"
    );
}

#[test]
fn ses_12_slow_acks_lower_the_frame_rate() {
    // The driver tries a frame every 33 ms for three seconds; each ack comes
    // 300 ms after its frame started.
    let frames_sent = |ack_delay_ms: u64| {
        let mut sender = FrameSender::new(DEFAULT_WINDOW);
        let mut acks: heapless::Deque<(u64, u32), 8> = heapless::Deque::new();
        let mut sent = 0;
        for now in 0..3000u64 {
            while let Some(&(at, frame)) = acks.front() {
                if at > now {
                    break;
                }
                acks.pop_front();
                sender.on_ack(frame, now).unwrap();
            }
            if now % 33 == 0 {
                if let Some(frame) = sender.begin_frame(now) {
                    acks.push_back((now + ack_delay_ms, frame)).unwrap();
                    sent += 1;
                }
            }
        }
        sent
    };
    let fast = frames_sent(20);
    let slow = frames_sent(300);
    assert_eq!(fast, 91, "a fast link takes every frame");
    assert!(
        (15..=22).contains(&slow),
        "two frames per 300 ms round trip, got {slow}"
    );
}

#[test]
fn ses_12_acks_are_cumulative() {
    let mut sender = FrameSender::new(3);
    for now in 0..3 {
        sender.begin_frame(now).unwrap();
    }
    sender.on_ack(1, 40).unwrap();
    assert_eq!(sender.in_flight(), 1, "frames 0 and 1 released");
    assert_eq!(
        sender.on_ack(0, 41),
        Err(VideoError::UnknownAck { frame: 0 })
    );
    sender.on_ack(2, 42).unwrap();
    assert_eq!(sender.in_flight(), 0);
}

#[test]
fn ses_12_unknown_and_duplicate_acks_refused() {
    let mut sender = FrameSender::new(2);
    assert_eq!(
        sender.on_ack(0, 5),
        Err(VideoError::UnknownAck { frame: 0 })
    );
    sender.begin_frame(0).unwrap();
    assert_eq!(
        sender.on_ack(7, 5),
        Err(VideoError::UnknownAck { frame: 7 })
    );
    sender.on_ack(0, 5).unwrap();
    assert_eq!(
        sender.on_ack(0, 6),
        Err(VideoError::UnknownAck { frame: 0 })
    );
    assert_eq!(
        sender.rtt_ms(),
        Some(5),
        "refused acks do not count as samples"
    );
}

#[test]
fn ses_12_rtt_is_smoothed() {
    let mut sender = FrameSender::new(1);
    assert_eq!(sender.rtt_ms(), None);
    sender.begin_frame(0).unwrap();
    sender.on_ack(0, 80).unwrap();
    assert_eq!(sender.rtt_ms(), Some(80));
    sender.begin_frame(100).unwrap();
    sender.on_ack(1, 260).unwrap();
    // 7/8 of 80 plus 1/8 of 160.
    assert_eq!(sender.rtt_ms(), Some(90));
}

#[test]
fn ses_12_throughput_needs_the_link_to_be_the_bottleneck() {
    let mut sender = FrameSender::new(1);
    // A frame sent and acked with nothing waiting: the screen set the pace.
    sender.begin_frame(0).unwrap();
    sender.add_bytes(0, 10_000);
    sender.on_ack(0, 100).unwrap();
    assert_eq!(sender.throughput_bps(), None);

    // Now a frame is held back while one is in flight: the link set the pace.
    sender.begin_frame(200).unwrap();
    sender.add_bytes(1, 50_000);
    assert_eq!(sender.begin_frame(250), None);
    sender.on_ack(1, 600).unwrap();
    // 50 000 bytes in 400 ms.
    assert_eq!(sender.throughput_bps(), Some(1_000_000));

    // A later screen-paced sample may raise the estimate but not lower it.
    sender.begin_frame(700).unwrap();
    sender.add_bytes(2, 1_000);
    sender.on_ack(2, 800).unwrap();
    assert_eq!(sender.throughput_bps(), Some(1_000_000));
    sender.begin_frame(900).unwrap();
    sender.add_bytes(3, 100_000);
    sender.on_ack(3, 1300).unwrap();
    assert_eq!(sender.throughput_bps(), Some(2_000_000));

    // Another link-paced sample moves it a quarter of the way.
    sender.begin_frame(1400).unwrap();
    sender.add_bytes(4, 10_000);
    assert_eq!(sender.begin_frame(1401), None);
    sender.on_ack(4, 1800).unwrap();
    assert_eq!(
        sender.throughput_bps(),
        Some(2_000_000 / 4 * 3 + 200_000 / 4)
    );
}

#[test]
fn ses_12_stale_throughput_is_forgotten() {
    let mut sender = FrameSender::new(1);
    sender.begin_frame(0).unwrap();
    sender.add_bytes(0, 1_000);
    assert_eq!(sender.begin_frame(1), None);
    sender.on_ack(0, 100).unwrap();
    assert!(sender.throughput_bps().is_some());
    assert_eq!(sender.begin_frame(100 + THROUGHPUT_STALE_MS), Some(1));
    assert!(sender.throughput_bps().is_some(), "still within the limit");
    sender.on_ack(1, 101 + THROUGHPUT_STALE_MS).unwrap();
    assert_eq!(sender.throughput_bps(), None);
}

#[test]
fn ses_12_add_bytes_for_unknown_frame_is_ignored() {
    let mut sender = FrameSender::new(1);
    sender.add_bytes(3, 1_000);
    sender.begin_frame(0).unwrap();
    assert_eq!(sender.begin_frame(1), None);
    sender.add_bytes(9, 1_000_000);
    sender.on_ack(0, 100).unwrap();
    assert_eq!(sender.throughput_bps(), Some(0));
}

#[test]
fn window_is_kept_in_range() {
    assert_eq!(FrameSender::new(0).window(), 1);
    assert_eq!(FrameSender::new(200).window(), MAX_WINDOW);
    assert_eq!(FrameSender::default().window(), DEFAULT_WINDOW);
    let mut sender = FrameSender::new(200);
    let started = (0..20).filter_map(|now| sender.begin_frame(now)).count();
    assert_eq!(started, usize::from(MAX_WINDOW));
}

#[test]
fn time_going_backwards_does_not_panic() {
    let mut sender = FrameSender::new(2);
    sender.begin_frame(1_000).unwrap();
    sender.add_bytes(0, usize::MAX);
    sender.add_bytes(0, usize::MAX);
    sender.on_ack(0, 10).unwrap();
    assert_eq!(sender.rtt_ms(), Some(0));
}
