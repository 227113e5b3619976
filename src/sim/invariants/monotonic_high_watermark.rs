//! MonotonicHighWatermark: the high watermark of the (highest-epoch) leader never goes
//! down (Kafka's `RaftEventSimulationTest.MonotonicHighWatermark`; KIP-595: "the high
//! watermark is monotonic across leaders" because a new leader drops the one it knew).
//!
//! Compared as (epoch, hw): a leader of an older epoch still running somewhere cut off
//! is not "the leader" and is ignored.

use super::Ctx;
use crate::kraft::{Epoch, Offset};
use crate::sim::trace::InvariantId;

#[derive(Clone, Debug, Default)]
pub struct MonotonicHighWatermark {
    top: Option<(Epoch, Offset)>,
}

impl MonotonicHighWatermark {
    pub fn observe(&mut self, epoch: Epoch, hw: Offset, ctx: &mut Ctx) {
        match self.top {
            Some((top_epoch, _)) if epoch < top_epoch => {}
            Some((top_epoch, top_hw)) if hw < top_hw => {
                ctx.fail(InvariantId::MonotonicHighWatermark, || {
                    format!("leader high watermark fell from {top_hw} (epoch {top_epoch}) to {hw} (epoch {epoch})")
                });
                self.top = Some((epoch, top_hw));
            }
            _ => self.top = Some((epoch, hw)),
        }
    }
}
