extern crate std;
use std::vec::Vec;

use sha2::{Digest, Sha256};

use super::*;
use crate::message::{Message, MAX_DATA_BYTES};

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

fn sha(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// A sender on the expert side and an accepted receiver on the novice side
/// for `data`.
fn accepted_pair(data: &[u8]) -> (Outgoing, Incoming) {
    let mut out =
        Outgoing::new(Side::Expert, 7, "setup.log", data.len() as u64, sha(data)).unwrap();
    let Message::FileOffer {
        id,
        name,
        size,
        sha256,
    } = out.offer()
    else {
        panic!("offer is not a FileOffer");
    };
    let mut inc = Incoming::from_offer(Side::Novice, id, name, size, sha256).unwrap();
    inc.accept().unwrap();
    out.on_accept().unwrap();
    (out, inc)
}

/// Sends every chunk the window allows, delivering each to the receiver;
/// returns the acks the receiver asked for, undelivered.
fn send_window(out: &mut Outgoing, inc: &mut Incoming, data: &[u8]) -> Vec<u64> {
    let mut acks = Vec::new();
    while let Some((offset, len)) = out.next_chunk() {
        let start = offset as usize;
        out.chunk_sent(offset, len).unwrap();
        if let Some(ack) = inc.on_chunk(offset, &data[start..start + len]).unwrap() {
            acks.push(ack);
        }
    }
    acks
}

/// Runs a whole transfer, with `corrupt` applied to bytes on the wire.
fn run_to_end(data: &[u8], corrupt: impl Fn(u64, &mut [u8])) -> (Outgoing, Incoming) {
    let (mut out, mut inc) = accepted_pair(data);
    loop {
        let mut acks = Vec::new();
        while let Some((offset, len)) = out.next_chunk() {
            let start = offset as usize;
            let mut wire = data[start..start + len].to_vec();
            corrupt(offset, &mut wire);
            out.chunk_sent(offset, len).unwrap();
            acks.extend(inc.on_chunk(offset, &wire).unwrap());
        }
        let stalled = acks.is_empty();
        for ack in acks {
            out.on_ack(ack).unwrap();
        }
        if out.is_all_sent() {
            break;
        }
        assert!(!stalled, "sender stalled without an ack to wait for");
    }
    assert_eq!(out.poll_done(), Some(Message::FileDone { id: 7 }));
    assert_eq!(out.poll_done(), None, "FileDone is handed out once");
    let ok = inc.on_done().unwrap();
    out.on_result(ok).unwrap();
    (out, inc)
}

#[test]
fn ses_07_whole_file_arrives_and_hash_matches() {
    let data = content(700 * 1024 + 123);
    let (out, inc) = run_to_end(&data, |_, _| {});
    assert_eq!(out.state(), TransferState::Done);
    assert_eq!(inc.state(), TransferState::Done);
    let done = Progress {
        transferred: data.len() as u64,
        acked: data.len() as u64,
        total: data.len() as u64,
    };
    assert_eq!(inc.progress(), done);
    assert_eq!(out.progress(), done);
    assert_eq!(inc.progress().percent(), 100);
}

#[test]
fn ses_07_empty_file_transfers() {
    let (out, inc) = run_to_end(&[], |_, _| {});
    assert_eq!(out.state(), TransferState::Done);
    assert_eq!(inc.state(), TransferState::Done);
}

#[test]
fn ses_07_corrupted_chunk_is_a_hash_mismatch() {
    let data = content(100_000);
    let (out, inc) = run_to_end(&data, |offset, wire| {
        if offset == 0 {
            wire[500] ^= 0x01;
        }
    });
    assert_eq!(
        inc.state(),
        TransferState::Failed(TransferFailure::HashMismatch)
    );
    assert_eq!(
        out.state(),
        TransferState::Failed(TransferFailure::HashMismatch)
    );
    assert!(inc.state().is_finished());
}

#[test]
fn ses_07_window_blocks_sender_until_acks() {
    let data = content(3 * WINDOW_BYTES as usize);
    let (mut out, mut inc) = accepted_pair(&data);
    let acks = send_window(&mut out, &mut inc, &data);
    // Exactly one window went out, in record-sized chunks, then nothing.
    assert_eq!(out.progress().transferred, WINDOW_BYTES);
    assert_eq!(out.next_chunk(), None);
    assert_eq!(
        out.chunk_sent(WINDOW_BYTES, 1),
        Err(TransferError::WindowExceeded),
        "the sender refuses to run past the window"
    );
    // The receiver asked for an ack as soon as ACK_EVERY_BYTES had come in
    // since the last one; chunks do not divide 64 KiB, so a little later.
    let chunk = MAX_DATA_BYTES as u64;
    let first_ack = ACK_EVERY_BYTES.div_ceil(chunk) * chunk;
    assert_eq!(acks, [first_ack, 2 * first_ack, 3 * first_ack]);
    // The first ack reopens exactly that much room.
    out.on_ack(acks[0]).unwrap();
    let mut reopened = 0u64;
    while let Some((offset, len)) = out.next_chunk() {
        assert!(len <= MAX_DATA_BYTES);
        out.chunk_sent(offset, len).unwrap();
        reopened += len as u64;
    }
    assert_eq!(reopened, acks[0]);
}

#[test]
fn ses_07_next_chunk_never_exceeds_message_or_file() {
    let data = content(MAX_DATA_BYTES + 10);
    let (mut out, _) = accepted_pair(&data);
    assert_eq!(out.next_chunk(), Some((0, MAX_DATA_BYTES)));
    out.chunk_sent(0, MAX_DATA_BYTES).unwrap();
    assert_eq!(out.next_chunk(), Some((MAX_DATA_BYTES as u64, 10)));
    assert_eq!(
        out.chunk_sent(MAX_DATA_BYTES as u64, 11),
        Err(TransferError::PastEnd)
    );
    // A shorter chunk than allowed is fine.
    out.chunk_sent(MAX_DATA_BYTES as u64, 4).unwrap();
    assert_eq!(out.next_chunk(), Some((MAX_DATA_BYTES as u64 + 4, 6)));
}

#[test]
fn ses_07_sender_refuses_wrong_chunks() {
    let data = content(MAX_DATA_BYTES * 2);
    let (mut out, _) = accepted_pair(&data);
    assert_eq!(
        out.chunk_sent(5, 10),
        Err(TransferError::OutOfOrder {
            expected: 0,
            got: 5
        })
    );
    assert_eq!(out.chunk_sent(0, 0), Err(TransferError::EmptyChunk));
    assert_eq!(
        out.chunk_sent(0, MAX_DATA_BYTES + 1),
        Err(TransferError::ChunkTooLarge)
    );
    assert_eq!(
        out.progress().transferred,
        0,
        "refused chunks change nothing"
    );
}

#[test]
fn ses_07_out_of_order_chunk_refused() {
    let data = content(50_000);
    let (_, mut inc) = accepted_pair(&data);
    assert_eq!(inc.on_chunk(0, &data[..1000]), Ok(None));
    assert_eq!(
        inc.on_chunk(2000, &data[2000..3000]),
        Err(TransferError::OutOfOrder {
            expected: 1000,
            got: 2000
        })
    );
    assert_eq!(
        inc.on_chunk(0, &data[..1000]),
        Err(TransferError::OutOfOrder {
            expected: 1000,
            got: 0
        }),
        "a replayed chunk is refused"
    );
    assert_eq!(inc.on_chunk(1000, &[]), Err(TransferError::EmptyChunk));
    assert_eq!(inc.progress().transferred, 1000);
}

#[test]
fn ses_07_chunk_past_end_refused() {
    let data = content(10);
    let (_, mut inc) = accepted_pair(&data);
    assert_eq!(inc.on_chunk(0, &[0; 11]), Err(TransferError::PastEnd));
    assert_eq!(inc.on_chunk(0, &data), Ok(Some(10)));
    assert_eq!(inc.on_chunk(10, &[0]), Err(TransferError::PastEnd));
}

#[test]
fn ses_07_receiver_refuses_a_sender_ignoring_the_window() {
    let data = content(2 * WINDOW_BYTES as usize);
    let (_, mut inc) = accepted_pair(&data);
    let mut offset = 0usize;
    // Deliver a full window without passing any ack back to the sender...
    while (offset as u64) < WINDOW_BYTES {
        let len = MAX_DATA_BYTES.min(WINDOW_BYTES as usize - offset);
        inc.on_chunk(offset as u64, &data[offset..offset + len])
            .unwrap();
        offset += len;
    }
    // ...which is fine, because the receiver itself asked for acks on the
    // way and the window counts from the last one it handed out.
    let last_ack = inc.progress().acked;
    assert!(WINDOW_BYTES - last_ack < ACK_EVERY_BYTES);
    let room = (last_ack + WINDOW_BYTES - offset as u64) as usize;
    let over = &data[offset..offset + room + 1];
    assert_eq!(
        inc.on_chunk(offset as u64, over),
        Err(TransferError::WindowExceeded)
    );
    assert_eq!(
        inc.on_chunk(offset as u64, &over[..room]).map(|_| ()),
        Ok(())
    );
}

#[test]
fn ses_07_early_done_refused() {
    let data = content(1000);
    let (_, mut inc) = accepted_pair(&data);
    inc.on_chunk(0, &data[..999]).unwrap();
    assert_eq!(inc.on_done(), Err(TransferError::EarlyDone));
    assert_eq!(inc.state(), TransferState::Receiving);
    inc.on_chunk(999, &data[999..]).unwrap();
    assert_eq!(inc.on_done(), Ok(true));
    assert_eq!(
        inc.on_done(),
        Err(TransferError::WrongState),
        "a second FileDone is refused"
    );
}

#[test]
fn ses_07_acks_checked() {
    let data = content(300_000);
    let (mut out, mut inc) = accepted_pair(&data);
    let acks = send_window(&mut out, &mut inc, &data);
    assert_eq!(
        out.on_ack(WINDOW_BYTES + 1),
        Err(TransferError::AckTooLarge)
    );
    out.on_ack(acks[1]).unwrap();
    out.on_ack(acks[1]).unwrap();
    assert_eq!(out.on_ack(acks[0]), Err(TransferError::AckBackwards));
    assert_eq!(out.progress().acked, acks[1]);
}

#[test]
fn ses_07_result_only_after_done() {
    let data = content(10);
    let (mut out, mut inc) = accepted_pair(&data);
    assert_eq!(out.on_result(true), Err(TransferError::WrongState));
    send_window(&mut out, &mut inc, &data);
    assert!(out.is_all_sent());
    assert_eq!(
        out.on_result(true),
        Err(TransferError::WrongState),
        "FileDone not sent yet"
    );
    assert!(out.poll_done().is_some());
    out.on_result(true).unwrap();
    assert_eq!(out.state(), TransferState::Done);
    assert_eq!(out.on_result(true), Err(TransferError::WrongState));
}

#[test]
fn ses_07_nothing_flows_before_accept() {
    let data = content(10);
    let mut out = Outgoing::new(Side::Novice, 1, "a.txt", 10, sha(&data)).unwrap();
    assert_eq!(out.next_chunk(), None);
    assert_eq!(out.chunk_sent(0, 10), Err(TransferError::WrongState));
    assert_eq!(out.on_ack(0), Err(TransferError::WrongState));
    let mut inc = Incoming::from_offer(Side::Expert, 1, "a.txt", 10, sha(&data)).unwrap();
    assert_eq!(inc.on_chunk(0, &data), Err(TransferError::WrongState));
    assert_eq!(inc.on_done(), Err(TransferError::WrongState));
}

#[test]
fn ses_07_decline() {
    let data = content(10);
    let mut out = Outgoing::new(Side::Novice, 1, "a.txt", 10, sha(&data)).unwrap();
    let mut inc = Incoming::from_offer(Side::Expert, 1, "a.txt", 10, sha(&data)).unwrap();
    inc.decline().unwrap();
    out.on_decline().unwrap();
    assert_eq!(out.state(), TransferState::Declined);
    assert_eq!(inc.state(), TransferState::Declined);
    assert_eq!(out.next_chunk(), None);
    assert_eq!(inc.accept(), Err(TransferError::WrongState));
    assert_eq!(out.on_accept(), Err(TransferError::WrongState));
    assert_eq!(out.cancel(), Err(TransferError::WrongState));
}

#[test]
fn ses_07_sender_cancels_midway() {
    let data = content(600_000);
    let (mut out, mut inc) = accepted_pair(&data);
    let acks = send_window(&mut out, &mut inc, &data);
    out.cancel().unwrap();
    assert_eq!(out.state(), TransferState::Cancelled { by: Side::Expert });
    assert_eq!(out.next_chunk(), None);
    // The receiver's acks were already on their way: late, not wrong.
    assert_eq!(out.on_ack(acks[0]), Err(TransferError::LateAfterCancel));
    assert_eq!(out.cancel(), Err(TransferError::WrongState));
    // The receiver hears of it.
    inc.on_cancel();
    assert_eq!(inc.state(), TransferState::Cancelled { by: Side::Expert });
    // After the peer's cancel, more chunks are a protocol error.
    assert_eq!(
        inc.on_chunk(WINDOW_BYTES, &[1]),
        Err(TransferError::WrongState)
    );
    assert_eq!(inc.cancel(), Err(TransferError::WrongState));
}

#[test]
fn ses_07_receiver_cancels_midway() {
    let data = content(600_000);
    let (mut out, mut inc) = accepted_pair(&data);
    let acks = send_window(&mut out, &mut inc, &data);
    inc.cancel().unwrap();
    assert_eq!(inc.state(), TransferState::Cancelled { by: Side::Novice });
    // Chunks and FileDone the sender sent before it saw the cancel are late.
    assert_eq!(
        inc.on_chunk(WINDOW_BYTES, &[1]),
        Err(TransferError::LateAfterCancel)
    );
    assert_eq!(inc.on_done(), Err(TransferError::LateAfterCancel));
    // The sender hears of it and stops.
    out.on_ack(acks[0]).unwrap();
    out.on_cancel();
    assert_eq!(out.state(), TransferState::Cancelled { by: Side::Novice });
    assert_eq!(out.next_chunk(), None);
    assert_eq!(out.on_ack(acks[1]), Err(TransferError::WrongState));
    assert_eq!(
        out.progress().acked,
        acks[0],
        "progress stays where it stopped"
    );
}

#[test]
fn ses_07_cancels_crossing() {
    let data = content(10);
    let (mut out, mut inc) = accepted_pair(&data);
    out.cancel().unwrap();
    inc.cancel().unwrap();
    // Each side receives the other's cancel: nothing changes.
    out.on_cancel();
    inc.on_cancel();
    assert_eq!(out.state(), TransferState::Cancelled { by: Side::Expert });
    assert_eq!(inc.state(), TransferState::Cancelled { by: Side::Novice });
}

#[test]
fn ses_07_cancel_before_answer() {
    let data = content(10);
    let mut out = Outgoing::new(Side::Novice, 3, "a.txt", 10, sha(&data)).unwrap();
    let mut inc = Incoming::from_offer(Side::Expert, 3, "a.txt", 10, sha(&data)).unwrap();
    out.cancel().unwrap();
    // The receiver accepted before the cancel reached it.
    inc.accept().unwrap();
    assert_eq!(out.on_accept(), Err(TransferError::LateAfterCancel));
    inc.on_cancel();
    assert_eq!(inc.state(), TransferState::Cancelled { by: Side::Novice });
}

#[test]
fn ses_07_cancel_after_finish_ignored() {
    let data = content(10);
    let (mut out, mut inc) = run_to_end(&data, |_, _| {});
    // A cancel that crossed the end changes nothing.
    out.on_cancel();
    inc.on_cancel();
    assert_eq!(out.state(), TransferState::Done);
    assert_eq!(inc.state(), TransferState::Done);
    assert_eq!(out.cancel(), Err(TransferError::WrongState));
    assert_eq!(inc.cancel(), Err(TransferError::WrongState));
}

#[test]
fn ses_07_hostile_offer_refused_and_sender_agrees() {
    let hash = [0; 32];
    assert_eq!(
        Incoming::from_offer(Side::Novice, 1, "../../.bashrc", 10, hash).map(|i| i.id()),
        Err(NameError::ParentDir)
    );
    assert_eq!(
        Outgoing::new(Side::Novice, 1, "C:\\x.exe", 10, hash).map(|o| o.id()),
        Err(NameError::DriveLetter)
    );
}

#[test]
fn ses_07_offer_carries_what_was_given() {
    let hash = sha(b"x");
    let out = Outgoing::new(Side::Novice, 42, "photo.jpg", 1234, hash).unwrap();
    assert_eq!(
        out.offer(),
        Message::FileOffer {
            id: 42,
            name: "photo.jpg",
            size: 1234,
            sha256: hash
        }
    );
    assert_eq!((out.id(), out.name(), out.size()), (42, "photo.jpg", 1234));
    let inc = Incoming::from_offer(Side::Expert, 42, "photo.jpg", 1234, hash).unwrap();
    assert_eq!(
        (inc.id(), inc.name(), inc.size(), inc.sha256()),
        (42, "photo.jpg", 1234, &hash)
    );
}

#[test]
fn ses_07_progress_percent() {
    let p = |transferred, total| {
        Progress {
            transferred,
            acked: 0,
            total,
        }
        .percent()
    };
    assert_eq!(p(0, 1000), 0);
    assert_eq!(p(999, 1000), 99);
    assert_eq!(p(1000, 1000), 100);
    assert_eq!(p(0, 0), 100);
    assert_eq!(p(u64::MAX / 2, u64::MAX), 49);
}
