//! The part of the driver interface both roles share, written once.

/// Expands, inside `impl<const TX: usize> Role<TX>`, to the methods both
/// roles expose the same way. The role must have the fields `c: Common<TX>`
/// and `inbox: Inbox` and a method `step(&mut self) -> bool` that processes
/// the next frame from the inbox.
macro_rules! shared_session_api {
    () => {
        /// Bytes from the link. Returns how many were taken; call
        /// `poll_event` until `None` and offer the rest again.
        pub fn handle_input(&mut self, now: u64, data: &[u8]) -> usize {
            self.c.now = now;
            if self.c.ended.is_some() {
                return data.len();
            }
            let taken = self.inbox.push(data);
            if taken > 0 {
                self.c.last_rx = now;
            }
            taken
        }

        /// Bytes to send, if any. Call `advance_transmit` with how many
        /// were sent.
        pub fn poll_transmit(&self) -> Option<&[u8]> {
            let pending = self.c.outbox.pending();
            (!pending.is_empty()).then_some(pending)
        }

        /// `n` bytes from `poll_transmit` were sent.
        pub fn advance_transmit(&mut self, n: usize) {
            self.c.outbox.advance(n);
        }

        /// The session ended and everything was sent: close the link.
        pub fn is_closed(&self) -> bool {
            self.c.ended.is_some() && self.c.outbox.is_empty()
        }

        /// The next event for the driver. Data it carries is borrowed from
        /// the session until the next call.
        pub fn poll_event(&mut self) -> Option<Event<'_>> {
            loop {
                if let Some(p) = self.c.pending.pop_front() {
                    // Checked first and rendered after, so the borrow
                    // returned is not taken on the path that loops.
                    if self.c.render(p, &self.inbox).is_some() {
                        return self.c.render(p, &self.inbox);
                    }
                    continue;
                }
                if self.c.ended.is_some() || !self.step() {
                    return None;
                }
            }
        }

        /// The shared chat history (SES-08).
        pub fn chat(&self) -> &crate::chat::ChatLog<{ super::CHAT_HISTORY }> {
            &self.c.chat
        }

        /// Smoothed round-trip time from keepalives.
        pub fn rtt_ms(&self) -> Option<u32> {
            self.c.rtt_ms
        }

        /// Offer a file; returns its transfer id (SES-07).
        pub fn offer_file(
            &mut self,
            name: &str,
            size: u64,
            sha256: [u8; 32],
        ) -> Result<u32, SendError> {
            self.c.offer_file(name, size, sha256)
        }

        /// Accept or decline an offered file.
        pub fn answer_file(&mut self, id: u32, accept: bool) -> Result<(), SendError> {
            self.c.answer_file(id, accept)
        }

        /// Cancel a transfer in either direction.
        pub fn cancel_file(&mut self, id: u32) -> Result<(), SendError> {
            self.c.cancel_file(id)
        }

        /// The next chunk to read from disk and send: `(id, offset, max_len)`.
        pub fn next_file_chunk(&self) -> Option<(u32, u64, usize)> {
            if self.c.outbox.has_room_for_bulk() {
                self.c.files.next_chunk()
            } else {
                None
            }
        }

        /// Send the chunk asked for by `next_file_chunk`.
        pub fn send_file_chunk(
            &mut self,
            id: u32,
            offset: u64,
            data: &[u8],
        ) -> Result<(), SendError> {
            self.c.send_file_chunk(id, offset, data)
        }
    };
}
