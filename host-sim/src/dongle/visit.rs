//! The firmware's [`Visit`] as an [`Endpoint`], so the simulator's wire
//! plumbing moves its bytes like any other session's.

use beckon_core::session::SendError;
use beckon_dongle::session::Visit;

use crate::endpoint::Endpoint;

impl Endpoint for Visit {
    fn handle_input(&mut self, now: u64, data: &[u8]) -> usize {
        Visit::handle_input(self, now, data)
    }
    fn poll_transmit(&self) -> Option<&[u8]> {
        Visit::poll_transmit(self)
    }
    fn advance_transmit(&mut self, n: usize) {
        Visit::advance_transmit(self, n);
    }
    fn handle_timeout(&mut self, now: u64) {
        Visit::handle_timeout(self, now);
    }
    fn handle_close(&mut self, now: u64) {
        Visit::handle_close(self, now);
    }
    fn poll_timeout(&self) -> Option<u64> {
        // The session's own timers; the frame tick needs the time of the
        // call, and the simulator asks `Visit::poll_timeout` for it.
        self.session().poll_timeout()
    }
    fn is_closed(&self) -> bool {
        Visit::is_closed(self)
    }
    fn next_file_chunk(&self) -> Option<(u32, u64, usize)> {
        self.session().next_file_chunk()
    }
    fn send_file_chunk(&mut self, id: u32, offset: u64, data: &[u8]) -> Result<(), SendError> {
        self.session_mut().send_file_chunk(id, offset, data)
    }
    fn offer_file(&mut self, name: &str, size: u64, sha256: [u8; 32]) -> Result<u32, SendError> {
        self.session_mut().offer_file(name, size, sha256)
    }
    fn answer_file(&mut self, id: u32, accept: bool) -> Result<(), SendError> {
        self.session_mut().answer_file(id, accept)
    }
    fn cancel_file(&mut self, id: u32) -> Result<(), SendError> {
        self.session_mut().cancel_file(id)
    }
    fn send_chat(&mut self, text: &str) -> Result<(), SendError> {
        self.session_mut().send_chat(text)
    }
}
