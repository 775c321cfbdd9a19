//! The session's chat history (SES-08).
//!
//! Both people must see the same history in the same order, even when they
//! type at the same moment. Rather than merge two streams, Beckon lets one side
//! decide: **the novice orders all chat**.
//!
//! - Novice: [`ChatLog::append`] its own messages and every
//!   [`Message::ChatSend`] from the expert, then send each returned entry to the
//!   expert as [`Message::ChatEntry`] (see [`ChatEntry::to_message`]).
//! - Expert: send [`Message::ChatSend`] (built by [`chat_send`]) and
//!   [`ChatLog::apply`] every [`Message::ChatEntry`] that arrives. The expert's
//!   own text enters its history only once the novice echoes it back; a UI may
//!   show it as pending until then.
//!
//! The history is bounded: a [`ChatLog<N>`] keeps the last `N` entries, while
//! sequence numbers keep counting so both sides still agree on positions.
//!
//! ## What text is accepted
//! A chat message must contain something other than white space, fit in
//! [`MAX_CHAT_BYTES`] bytes of UTF-8, and contain no control characters except
//! line feed and tab. Control characters are refused because a terminal console
//! would interpret escape sequences (colours, cursor moves, a fake "helper
//! said" line), and carriage returns could overwrite what was already shown.
//! Drivers should turn the `\r\n` of a multi-line input box into `\n` before
//! appending. The same rules apply to entries that arrive from the novice, so a
//! hostile peer cannot slip them into the expert's console either.

use heapless::HistoryBuf;

use crate::message::{Message, MAX_CHAT_BYTES};
use crate::reason::Side;

/// One entry of the shared chat history.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ChatEntry {
    /// Position in the history, counted from 0 for the whole session.
    pub seq: u32,
    /// Who wrote it.
    pub from: Side,
    /// The text, as typed (not trimmed).
    pub text: heapless::String<MAX_CHAT_BYTES>,
}

impl ChatEntry {
    /// The [`Message::ChatEntry`] that tells the expert about this entry.
    pub fn to_message(&self) -> Message<'_> {
        Message::ChatEntry {
            seq: self.seq,
            from: self.from,
            text: self.text.as_str(),
        }
    }
}

/// Why a chat message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ChatError {
    /// The text is empty or only white space.
    #[error("chat message is empty")]
    Empty,
    /// The text is longer than [`MAX_CHAT_BYTES`] bytes.
    #[error("chat message is longer than {MAX_CHAT_BYTES} bytes")]
    TooLong,
    /// The text contains a control character other than line feed or tab.
    #[error("chat message contains a control character")]
    ControlCharacter,
    /// An entry arrived out of order: the history is a sequence without gaps.
    #[error("chat entry {got} arrived where {expected} was expected")]
    OutOfOrder {
        /// The sequence number the log expected next.
        expected: u32,
        /// The sequence number that arrived.
        got: u32,
    },
    /// Every sequence number has been used (after 2³² messages).
    #[error("the chat history has run out of sequence numbers")]
    SeqExhausted,
    /// The entry could not be kept. Never returned in practice: a `ChatLog`
    /// always has room for at least one entry (`N > 0` is checked when the
    /// program is compiled); this variant exists so the log needs no
    /// panicking path.
    #[error("the chat entry could not be stored")]
    NotStored,
}

/// Checks that `text` may be sent or shown as a chat message (see the module
/// documentation for the rules).
pub fn validate_text(text: &str) -> Result<(), ChatError> {
    if text.len() > MAX_CHAT_BYTES {
        return Err(ChatError::TooLong);
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ChatError::ControlCharacter);
    }
    if text.trim().is_empty() {
        return Err(ChatError::Empty);
    }
    Ok(())
}

/// Expert side: the [`Message::ChatSend`] for `text`, after checking it with
/// [`validate_text`] so the novice will not refuse it.
pub fn chat_send(text: &str) -> Result<Message<'_>, ChatError> {
    validate_text(text)?;
    Ok(Message::ChatSend { text })
}

/// The chat history of one session, keeping the last `N` entries (`N > 0`).
#[derive(Debug, Clone)]
pub struct ChatLog<const N: usize> {
    /// The last `N` entries, oldest first when read with `oldest_ordered`.
    kept: HistoryBuf<ChatEntry, N>,
    /// Sequence number of the next entry; `None` once all are used.
    next_seq: Option<u32>,
}

impl<const N: usize> ChatLog<N> {
    /// An empty history. Fails to compile when `N` is 0.
    pub fn new() -> Self {
        ChatLog {
            kept: HistoryBuf::new(),
            next_seq: Some(0),
        }
    }

    /// Novice side: add a message written by `from` (the novice's own, or the
    /// text of an expert's [`Message::ChatSend`]) under the next sequence
    /// number. Send the returned entry to the expert.
    pub fn append(&mut self, from: Side, text: &str) -> Result<&ChatEntry, ChatError> {
        let seq = self.next_seq.ok_or(ChatError::SeqExhausted)?;
        self.store(seq, from, text)
    }

    /// Expert side: add an entry the novice ordered ([`Message::ChatEntry`]).
    /// `seq` must be exactly [`ChatLog::next_seq`]; the text follows the same
    /// rules as [`ChatLog::append`].
    pub fn apply(&mut self, seq: u32, from: Side, text: &str) -> Result<&ChatEntry, ChatError> {
        let expected = self.next_seq.ok_or(ChatError::SeqExhausted)?;
        if seq != expected {
            return Err(ChatError::OutOfOrder { expected, got: seq });
        }
        self.store(seq, from, text)
    }

    /// Validates and keeps one entry; on error nothing changes.
    fn store(&mut self, seq: u32, from: Side, text: &str) -> Result<&ChatEntry, ChatError> {
        validate_text(text)?;
        let mut owned = heapless::String::new();
        owned.push_str(text).map_err(|_| ChatError::TooLong)?;
        self.kept.write(ChatEntry {
            seq,
            from,
            text: owned,
        });
        self.next_seq = seq.checked_add(1);
        self.kept.recent().ok_or(ChatError::NotStored)
    }

    /// The kept entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &ChatEntry> {
        self.kept.oldest_ordered()
    }

    /// The sequence number the next entry will have (the number of messages
    /// in the session so far, including those no longer kept). Saturates at
    /// `u32::MAX` once every number is used.
    pub fn next_seq(&self) -> u32 {
        self.next_seq.unwrap_or(u32::MAX)
    }

    /// How many entries are kept (at most `N`).
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// `true` when no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }
}

impl<const N: usize> Default for ChatLog<N> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    fn texts<const N: usize>(log: &ChatLog<N>) -> Vec<(u32, Side, String)> {
        log.entries()
            .map(|e| (e.seq, e.from, String::from(e.text.as_str())))
            .collect()
    }

    #[test]
    fn ses_08_novice_orders_both_sides_messages() {
        let mut log = ChatLog::<8>::new();
        assert_eq!(log.append(Side::Novice, "hello").map(|e| e.seq), Ok(0));
        assert_eq!(
            log.append(Side::Expert, "hi, I see your screen")
                .map(|e| e.seq),
            Ok(1)
        );
        assert_eq!(log.append(Side::Novice, "great").map(|e| e.seq), Ok(2));
        assert_eq!(log.next_seq(), 3);
        assert_eq!(log.len(), 3);
        assert_eq!(
            texts(&log),
            [
                (0, Side::Novice, String::from("hello")),
                (1, Side::Expert, String::from("hi, I see your screen")),
                (2, Side::Novice, String::from("great")),
            ]
        );
    }

    #[test]
    fn ses_08_expert_history_matches_novice_history() {
        let mut novice = ChatLog::<8>::new();
        let mut expert = ChatLog::<8>::new();
        for (from, text) in [
            (Side::Novice, "my printer is offline"),
            (Side::Expert, "let me look"),
            (Side::Expert, "found it"),
        ] {
            let entry = novice.append(from, text).unwrap();
            let Message::ChatEntry { seq, from, text } = entry.to_message() else {
                panic!("not a chat entry");
            };
            expert.apply(seq, from, text).unwrap();
        }
        assert_eq!(texts(&novice), texts(&expert));
        assert_eq!(expert.next_seq(), 3);
    }

    #[test]
    fn ses_08_expert_refuses_gaps_and_repeats() {
        let mut log = ChatLog::<4>::new();
        assert_eq!(
            log.apply(1, Side::Novice, "skipped one").map(|e| e.seq),
            Err(ChatError::OutOfOrder {
                expected: 0,
                got: 1
            })
        );
        log.apply(0, Side::Novice, "first").unwrap();
        assert_eq!(
            log.apply(0, Side::Novice, "again").map(|e| e.seq),
            Err(ChatError::OutOfOrder {
                expected: 1,
                got: 0
            })
        );
        assert_eq!(log.len(), 1);
        assert_eq!(log.next_seq(), 1);
    }

    #[test]
    fn ses_08_history_keeps_last_n_and_keeps_counting() {
        let mut log = ChatLog::<3>::new();
        for i in 0..5 {
            let mut text = heapless::String::<8>::new();
            core::fmt::Write::write_fmt(&mut text, format_args!("m{i}")).unwrap();
            log.append(Side::Novice, &text).unwrap();
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.next_seq(), 5);
        let kept: Vec<(u32, String)> = log
            .entries()
            .map(|e| (e.seq, String::from(e.text.as_str())))
            .collect();
        assert_eq!(
            kept,
            [
                (2, String::from("m2")),
                (3, String::from("m3")),
                (4, String::from("m4"))
            ]
        );
    }

    #[test]
    fn ses_08_text_rules() {
        let longest = "x".repeat(MAX_CHAT_BYTES);
        let too_long = "x".repeat(MAX_CHAT_BYTES + 1);
        let cases: &[(&str, Result<(), ChatError>)] = &[
            ("", Err(ChatError::Empty)),
            ("   \n\t ", Err(ChatError::Empty)),
            (&longest, Ok(())),
            (&too_long, Err(ChatError::TooLong)),
            ("two\nlines\tand a tab", Ok(())),
            ("red \u{1b}[31mtext", Err(ChatError::ControlCharacter)),
            ("over\rwrite", Err(ChatError::ControlCharacter)),
            ("nul\0byte", Err(ChatError::ControlCharacter)),
            ("c1 \u{9b} csi", Err(ChatError::ControlCharacter)),
            ("grüße, 你好 👋", Ok(())),
        ];
        for (text, expected) in cases {
            assert_eq!(validate_text(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn ses_08_refused_text_changes_nothing() {
        let mut log = ChatLog::<4>::new();
        assert_eq!(
            log.append(Side::Novice, " ").map(|e| e.seq),
            Err(ChatError::Empty)
        );
        assert_eq!(
            log.apply(0, Side::Novice, "\u{7}bell").map(|e| e.seq),
            Err(ChatError::ControlCharacter)
        );
        assert!(log.is_empty());
        assert_eq!(log.next_seq(), 0);
    }

    #[test]
    fn ses_08_multibyte_text_at_the_byte_limit() {
        // 256 four-byte characters = exactly MAX_CHAT_BYTES bytes.
        let full = "🙂".repeat(MAX_CHAT_BYTES / 4);
        let mut log = ChatLog::<2>::new();
        assert_eq!(
            log.append(Side::Expert, &full).map(|e| e.text.len()),
            Ok(MAX_CHAT_BYTES)
        );
        let over = std::format!("{full}a");
        assert_eq!(
            log.append(Side::Expert, &over).map(|e| e.seq),
            Err(ChatError::TooLong)
        );
    }

    #[test]
    fn ses_08_chat_send_validates_before_sending() {
        assert_eq!(
            chat_send("thanks"),
            Ok(Message::ChatSend { text: "thanks" })
        );
        assert_eq!(chat_send(""), Err(ChatError::Empty));
    }

    #[test]
    fn ses_08_sequence_numbers_run_out_without_wrapping() {
        let mut log = ChatLog::<2>::new();
        log.next_seq = Some(u32::MAX);
        assert_eq!(
            log.append(Side::Novice, "last").map(|e| e.seq),
            Ok(u32::MAX)
        );
        assert_eq!(
            log.append(Side::Novice, "one more").map(|e| e.seq),
            Err(ChatError::SeqExhausted)
        );
        assert_eq!(
            log.apply(0, Side::Novice, "wrapped").map(|e| e.seq),
            Err(ChatError::SeqExhausted)
        );
        assert_eq!(log.len(), 1);
    }
}
