//! Small rectangles the viewer already has: [`Encoding::Cached`].
//!
//! Typing repeats itself: the box a typed `e` changes (the glyph and the
//! cursor after it) has the same pixels wherever the `e` lands. Both sides
//! keep the same few hundred small, exactly sent rectangles, and the encoder
//! sends a 2-byte key instead of pixels when one comes again.
//!
//! ## Keeping both sides the same
//! Both sides run the same rules on the same sequence of rectangles:
//! - after a `Raw`, `Lz4`, `Palette` or `Glyphs` rectangle of at most
//!   [`MAX_CACHED_AREA`] pixels, its pixels are kept under
//!   [`content_key`] of them, and become the newest entry (replacing any entry
//!   with that key);
//! - a `Cached` rectangle makes its entry the newest;
//! - beyond [`CAPACITY`] entries, the oldest goes.
//!
//! The encoder refers only to entries it made since it last forgot
//! everything ([`crate::Encoder::refresh`], for a frame that was encoded but
//! never sent). The viewer never forgets, but whatever it holds from before
//! is older than all of those, so it is what goes first: every key the
//! encoder sends is one the viewer has. And the encoder sends a key only
//! after comparing the pixels with the ones it kept, so a key that two
//! contents share is never used for the wrong one.
//!
//! ## The short key on the wire
//! Entries are kept under a 64-bit [`content_key`], but a `Cached`
//! rectangle carries only its [`short_key`], 16 bits: a typed character's
//! frame is about 30 bytes, and the other six would be a fifth of it. The
//! viewer takes the *newest* entry of the rectangle's size with that short
//! key ([`RectCache::newest_with`]). Its entries newer than anything from
//! before the encoder last forgot are exactly the encoder's, in the same
//! order, so the encoder can tell which entry that will be: it sends the
//! short key only when its own newest entry with that short key and size is
//! the one it means, and the pixels otherwise (about one time in 65,536 per
//! other entry of the same size).

use std::collections::{BTreeMap, HashMap};

use crate::Encoding;

/// Entries each side keeps: enough for every glyph of a script and its
/// neighbours, at most 1 MiB of pixels.
pub(crate) const CAPACITY: usize = 256;

/// Largest rectangle kept, in pixels (three quarters of a 64×64 tile): a
/// few characters of text, or a small animation and its trail (a spinner,
/// an icon moving over a plain background), which comes back box for box.
/// Whole tiles are left out, so a full-screen change costs no hashing; at
/// most about 3 MiB of pixels are kept.
pub(crate) const MAX_CACHED_AREA: u32 = 48 * 64;

/// Bytes of a `Cached` rectangle's data: the short key, little-endian.
pub(crate) const KEY_BYTES: usize = beckon_core::video::CACHED_KEY_BYTES as usize;

/// Whether a rectangle sent in `encoding` with `area` pixels is kept.
pub(crate) fn keeps(encoding: Encoding, area: u32) -> bool {
    matches!(
        encoding,
        Encoding::Raw | Encoding::Lz4 | Encoding::Palette | Encoding::Glyphs
    ) && area <= MAX_CACHED_AREA
}

/// The key of a rectangle's content: its size and RGBA pixels, hashed with
/// a fixed function (both sides must compute the same key).
pub(crate) fn content_key(w: u16, h: u16, pixels: &[u8]) -> u64 {
    // FNV-1a's constants over 8-byte words: quick, and only a key: the
    // encoder compares the pixels before it relies on it.
    const PRIME: u64 = 0x0000_0100_0000_01B3;
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325 ^ (u64::from(w) << 16 | u64::from(h));
    let mut words = pixels.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        hash = (hash ^ u64::from_le_bytes(bytes)).wrapping_mul(PRIME);
        hash ^= hash >> 29;
    }
    for &b in words.remainder() {
        hash = (hash ^ u64::from(b)).wrapping_mul(PRIME);
    }
    hash
}

/// The 16 bits of `key` that go on the wire: all of its bits folded.
pub(crate) fn short_key(key: u64) -> u16 {
    (key ^ key >> 16 ^ key >> 32 ^ key >> 48) as u16
}

#[derive(Debug, Clone)]
struct Entry {
    w: u16,
    h: u16,
    pixels: Vec<u8>,
    /// Position in [`RectCache::order`].
    stamp: u64,
}

/// The kept rectangles, oldest first out.
#[derive(Debug, Clone)]
pub(crate) struct RectCache {
    entries: HashMap<u64, Entry>,
    /// Stamp → key, oldest first.
    order: BTreeMap<u64, u64>,
    /// Short key → the full keys kept with it (almost always one).
    shorts: HashMap<u16, Vec<u64>>,
    next_stamp: u64,
    capacity: usize,
}

impl Default for RectCache {
    /// The cache of [`Encoding::Cached`] rectangles: [`CAPACITY`] entries.
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl RectCache {
    /// A cache that keeps at most `capacity` entries.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            shorts: HashMap::new(),
            next_stamp: 0,
            capacity,
        }
    }

    /// Keep `pixels` of a `w`×`h` rectangle under `key`, as the newest.
    pub(crate) fn insert(&mut self, key: u64, w: u16, h: u16, pixels: &[u8]) {
        let stamp = self.stamp();
        let entry = Entry {
            w,
            h,
            pixels: pixels.to_vec(),
            stamp,
        };
        match self.entries.insert(key, entry) {
            Some(old) => {
                self.order.remove(&old.stamp);
            }
            None => self.shorts.entry(short_key(key)).or_default().push(key),
        }
        self.order.insert(stamp, key);
        while self.entries.len() > self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
            let short = short_key(oldest);
            if let Some(keys) = self.shorts.get_mut(&short) {
                keys.retain(|&k| k != oldest);
                if keys.is_empty() {
                    self.shorts.remove(&short);
                }
            }
        }
    }

    /// The pixels kept under `key` for a `w`×`h` rectangle, made the newest
    /// entry; `None` when there is none of that size.
    pub(crate) fn take_up(&mut self, key: u64, w: u16, h: u16) -> Option<&[u8]> {
        let stamp = self.stamp();
        let entry = self
            .entries
            .get_mut(&key)
            .filter(|e| (e.w, e.h) == (w, h))?;
        self.order.remove(&entry.stamp);
        self.order.insert(stamp, key);
        entry.stamp = stamp;
        Some(&entry.pixels)
    }

    /// Whether `pixels` of a `w`×`h` rectangle are kept under `key`, without
    /// changing anything.
    pub(crate) fn holds(&self, key: u64, w: u16, h: u16, pixels: &[u8]) -> bool {
        self.entries
            .get(&key)
            .is_some_and(|e| (e.w, e.h) == (w, h) && e.pixels == pixels)
    }

    /// The full key of the newest entry whose short key is `short`, of a
    /// `w`×`h` rectangle when `size` says so: the one a short key names.
    pub(crate) fn newest_with(&self, short: u16, size: Option<(u16, u16)>) -> Option<u64> {
        let keys = self.shorts.get(&short)?;
        keys.iter()
            .filter_map(|k| self.entries.get(k).map(|e| (k, e)))
            .filter(|(_, e)| size.is_none_or(|s| s == (e.w, e.h)))
            .max_by_key(|(_, e)| e.stamp)
            .map(|(&k, _)| k)
    }

    /// Size and pixels of the entry kept under `key`.
    pub(crate) fn get(&self, key: u64) -> Option<(u16, u16, &[u8])> {
        self.entries
            .get(&key)
            .map(|e| (e.w, e.h, e.pixels.as_slice()))
    }

    /// How new the entry under `key` is: larger is newer.
    pub(crate) fn stamp_of(&self, key: u64) -> Option<u64> {
        self.entries.get(&key).map(|e| e.stamp)
    }

    /// The newest stamp among the entries that `inserts` new entries could
    /// push out, or 0 when they fit without pushing any out.
    pub(crate) fn floor_for(&self, inserts: usize) -> u64 {
        let over = (self.entries.len() + inserts).saturating_sub(self.capacity);
        match over {
            0 => 0,
            n => self
                .order
                .keys()
                .nth(n - 1)
                .or(self.order.keys().next_back())
                .copied()
                .unwrap_or(0),
        }
    }

    /// The size of the entry kept under `key`.
    pub(crate) fn size_of(&self, key: u64) -> Option<(u16, u16)> {
        self.entries.get(&key).map(|e| (e.w, e.h))
    }

    /// Forget everything.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.shorts.clear();
    }

    fn stamp(&mut self) -> u64 {
        self.next_stamp += 1;
        self.next_stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oldest_goes_first_and_use_makes_newest() {
        let mut c = RectCache::default();
        for k in 0..CAPACITY as u64 {
            c.insert(k, 1, 1, &[k as u8; 4]);
        }
        // Using entry 0 saves it; entry 1 is now the oldest.
        assert!(c.take_up(0, 1, 1).is_some());
        c.insert(1000, 1, 1, &[9; 4]);
        assert!(c.holds(0, 1, 1, &[0; 4]));
        assert!(!c.holds(1, 1, 1, &[1; 4]));
        assert!(c.holds(1000, 1, 1, &[9; 4]));
        // The size is part of what is kept.
        assert!(c.take_up(1000, 2, 1).is_none());
    }

    #[test]
    fn the_newest_entry_with_a_short_key_is_the_one_named() {
        let mut c = RectCache::default();
        // Three full keys with one short key: 0x1_0001 folds to 0.
        let (a, b, other_size) = (0x1_0001u64, 0x2_0002u64, 0x3_0003u64);
        assert_eq!((short_key(a), short_key(b)), (0, 0));
        c.insert(a, 2, 2, &[1; 16]);
        c.insert(b, 2, 2, &[2; 16]);
        c.insert(other_size, 1, 2, &[3; 8]);
        assert_eq!(c.newest_with(0, Some((2, 2))), Some(b));
        assert_eq!(c.newest_with(0, Some((1, 2))), Some(other_size));
        assert_eq!(c.newest_with(0, Some((4, 4))), None);
        assert_eq!(c.newest_with(1, Some((2, 2))), None);
        // Using `a` makes it the newest, and so the one named.
        c.take_up(a, 2, 2);
        assert_eq!(c.newest_with(0, Some((2, 2))), Some(a));
    }

    use proptest::prelude::*;

    proptest! {
        /// The encoder's rule against the viewer's, with short keys that
        /// mostly collide (content `i` has short key `i % 3`) and sends
        /// that are lost (then the encoder forgets): every short key the
        /// viewer receives names the content the encoder meant.
        #[test]
        fn short_keys_name_the_meant_content(
            sends in prop::collection::vec((0u64..12, any::<bool>()), 1..200),
        ) {
            let (mut encoder, mut viewer) = (RectCache::default(), RectCache::default());
            for (content, lost) in sends {
                let key = content << 16 | content ^ (content % 3);
                let pixels = [content as u8; 4];
                let short = short_key(key);
                prop_assert_eq!(short, (content % 3) as u16);
                let named = encoder.holds(key, 1, 1, &pixels)
                    && encoder.newest_with(short, Some((1, 1))) == Some(key);
                match named {
                    true => {
                        encoder.take_up(key, 1, 1);
                    }
                    false => encoder.insert(key, 1, 1, &pixels),
                }
                if lost {
                    encoder.clear();
                    continue;
                }
                match named {
                    true => {
                        let found = viewer.newest_with(short, Some((1, 1)));
                        prop_assert_eq!(found, Some(key));
                        prop_assert_eq!(viewer.take_up(key, 1, 1), Some(&pixels[..]));
                    }
                    false => viewer.insert(key, 1, 1, &pixels),
                }
            }
        }
    }

    #[test]
    fn the_floor_covers_what_inserts_could_push_out() {
        let mut c = RectCache::with_capacity(4);
        assert_eq!(c.floor_for(10), 0, "empty: nothing to push out");
        for k in 1..=3u64 {
            c.insert(k, 1, 1, &[0; 4]);
        }
        assert_eq!(c.floor_for(1), 0, "room for one more");
        // Two inserts push out the oldest, three the oldest two.
        assert_eq!(c.floor_for(2), c.stamp_of(1).unwrap());
        assert_eq!(c.floor_for(3), c.stamp_of(2).unwrap());
        // Using 1 makes it the newest: now 2 and 3 would go first.
        c.take_up(1, 1, 1);
        assert_eq!(c.floor_for(2), c.stamp_of(2).unwrap());
        assert_eq!(c.floor_for(3), c.stamp_of(3).unwrap());
        assert_eq!(c.floor_for(9), c.stamp_of(1).unwrap(), "all of them");
    }

    #[test]
    fn keys_tell_size_and_content_apart() {
        let a = content_key(2, 1, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_ne!(a, content_key(1, 2, &[1, 2, 3, 4, 5, 6, 7, 8]));
        assert_ne!(a, content_key(2, 1, &[1, 2, 3, 4, 5, 6, 7, 9]));
        assert_eq!(a, content_key(2, 1, &[1, 2, 3, 4, 5, 6, 7, 8]));
    }
}
