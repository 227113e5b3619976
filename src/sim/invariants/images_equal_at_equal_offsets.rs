//! ImagesEqualAtEqualOffsets: two nodes whose loaders have folded the log up to the same
//! offset hold equal metadata images (KIP-631: the image is a pure function of the
//! committed records; KIP-630: a loaded snapshot gives the image the log would have).
//!
//! Kept incrementally: the first image seen at each offset (a cheap clone of persistent
//! maps), the newest [`KEPT_OFFSETS`] offsets only. Skipped while ConsistentCommittedData
//! is relaxed: a scenario that loses committed data on purpose may fold other records.

use super::Ctx;
use crate::kraft::Offset;
use crate::metadata::MetadataImage;
use crate::sim::trace::InvariantId;
use std::collections::VecDeque;

/// Offsets remembered (older ones are forgotten, so memory stays bounded).
pub const KEPT_OFFSETS: usize = 256;
/// Pairs of images already compared equal that are remembered.
const KEPT_EQUAL_PAIRS: usize = 64;

/// Names one image a node held: its node index and its `App::image_version` + 1, packed
/// in that order. A node never reuses a version (not even across restarts, see
/// `App::restarted`), so two observations with the same stamp saw the same image; no
/// stamp is 0.
type Stamp = u128;

fn stamp(idx: usize, image_version: u64) -> Stamp {
    ((idx as u128) << 64) | (image_version as u128 + 1)
}

#[derive(Clone, Debug, Default)]
pub struct ImagesEqualAtEqualOffsets {
    /// The first image seen at each offset, in offset order (a sorted deque rather than
    /// a map: offsets mostly arrive in order, so an insertion is a push at the back and
    /// the oldest is popped at the front, and a lookup is a binary search).
    seen: VecDeque<(Offset, MetadataImage, Stamp)>,
    /// Pairs of distinct images found equal by a full comparison, newest last. A batch
    /// without metadata records leaves every node's image as it was (the same
    /// allocations), so the next offset usually brings the same two images again: they
    /// are equal without comparing every map once more. The pairs are kept alive here,
    /// so a pointer cannot be reused by a different image while it is remembered.
    equal_pairs: VecDeque<(MetadataImage, MetadataImage)>,
    /// Per node (by index): the last (its image, first image at that offset) pair found
    /// equal. A node's image and the first observer's usually both stay the same
    /// allocations for many offsets in a row, so this answers in one comparison where
    /// the scan of `equal_pairs` would try one pair per node. Kept alive like
    /// `equal_pairs`, for the same reason.
    last_equal: Vec<Option<(MetadataImage, MetadataImage)>>,
    /// Per node: the stamps of (its image, the first image at the offset) of its last
    /// observation that found them equal (or the same). A batch without metadata
    /// records replaces no image, so at the next offset the node and the first
    /// observer there usually hold the very images already found equal: two stamp
    /// comparisons then answer, where comparing the images part by part costs a few
    /// dozen pointer comparisons.
    last_ok: Vec<(Stamp, Stamp)>,
}

impl ImagesEqualAtEqualOffsets {
    /// Node `idx`'s loader is now at `next_offset` with `image`.
    ///
    /// The common case (the node and the first observer at this offset both still hold
    /// images already found equal, only the provenance moved) is answered here in a few
    /// comparisons; everything else is in [`Self::observe_slow`], kept out of line so
    /// that this path stays small.
    /// `image_version`: the node's `App::image_version` (see [`Stamp`]).
    #[inline]
    pub fn observe(
        &mut self,
        idx: usize,
        next_offset: Offset,
        image: &MetadataImage,
        image_version: u64,
        ctx: &mut Ctx,
    ) {
        if !ctx.is_on(InvariantId::ImagesEqualAtEqualOffsets)
            || !ctx.is_on(InvariantId::ConsistentCommittedData)
        {
            return;
        }
        if self.last_ok.len() <= idx {
            self.grow(idx);
        }
        let me = stamp(idx, image_version);
        let at = self.position(next_offset);
        if let Some((_, first, first_stamp)) =
            self.seen.get(at).filter(|(o, _, _)| *o == next_offset)
        {
            let ok = (me, *first_stamp);
            if self.last_ok[idx] == ok {
                return;
            }
            // Both images still share every part with a pair already found equal, and
            // only the provenance moved (compared here). The pair is kept as it is: its
            // parts are the ones shared, and it keeps them alive.
            if first.ptr_eq(image)
                || self.last_equal.get(idx).is_some_and(|pair| {
                    pair.as_ref().is_some_and(|(mine, theirs)| {
                        image.provenance() == first.provenance()
                            && image.parts_ptr_eq(mine)
                            && first.parts_ptr_eq(theirs)
                    })
                })
            {
                self.last_ok[idx] = ok;
                return;
            }
        }
        self.observe_slow(idx, at, next_offset, image, me, ctx);
    }

    #[cold]
    fn grow(&mut self, idx: usize) {
        self.last_ok.resize(idx + 1, (0, 0));
    }

    /// Where `next_offset` is or would be inserted in `seen`. Loaders move forward
    /// and close together, so the offset is almost always among the newest few: look
    /// there before searching the whole window.
    #[inline]
    fn position(&self, next_offset: Offset) -> usize {
        let n = self.seen.len();
        for back in 1..=n.min(4) {
            let o = self.seen[n - back].0;
            if o == next_offset {
                return n - back;
            }
            if o < next_offset {
                return n - back + 1;
            }
        }
        self.seen.partition_point(|(o, _, _)| *o < next_offset)
    }

    #[cold]
    #[inline(never)]
    fn observe_slow(
        &mut self,
        idx: usize,
        at: usize,
        next_offset: Offset,
        image: &MetadataImage,
        me: Stamp,
        ctx: &mut Ctx,
    ) {
        match self.seen.get(at).filter(|(o, _, _)| *o == next_offset) {
            Some((_, first, first_stamp)) => {
                let ok = (me, *first_stamp);
                if self.last_equal.len() <= idx {
                    self.last_equal.resize(idx + 1, None);
                }
                // Newest first: the pairs of the images nodes hold now were added last.
                if self
                    .equal_pairs
                    .iter()
                    .rev()
                    .any(|(a, b)| b.ptr_eq(image) && a.ptr_eq(first))
                {
                    self.last_equal[idx] = Some((image.clone(), first.clone()));
                    self.last_ok[idx] = ok;
                    return;
                }
                // A node's previous equal pair usually shares all but the provenance
                // with the images now compared.
                let equal = match &self.last_equal[idx] {
                    Some((mine, theirs)) => image.eq_given(first, mine, theirs),
                    None => first == image,
                };
                if equal {
                    self.equal_pairs.push_back((first.clone(), image.clone()));
                    if self.equal_pairs.len() > KEPT_EQUAL_PAIRS {
                        self.equal_pairs.pop_front();
                    }
                    self.last_equal[idx] = Some((image.clone(), first.clone()));
                    self.last_ok[idx] = ok;
                } else {
                    ctx.fail(InvariantId::ImagesEqualAtEqualOffsets, || {
                        format!(
                            "the metadata image at offset {next_offset} differs from another node's \
                             ({} vs {} topics, {} vs {} brokers)",
                            image.topics().topic_count(),
                            first.topics().topic_count(),
                            image.cluster().broker_count(),
                            first.cluster().broker_count()
                        )
                    });
                }
            }
            None => {
                self.seen.insert(at, (next_offset, image.clone(), me));
                if self.seen.len() > KEPT_OFFSETS {
                    self.seen.pop_front();
                }
            }
        }
    }
}
