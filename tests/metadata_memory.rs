//! A guard on the image's memory budget (issue 5: 2,000,000 partitions in ≤ 100 bytes each),
//! measured with a counting allocator at a tenth of the scale so it runs with the other
//! tests. `cargo bench --bench metadata_image` reports the full-scale figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kraftscope::metadata::*;

struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes per partition of an image of `topics × partitions` (RF 3 over `brokers`).
fn bytes_per_partition(topics: u32, partitions: i32, brokers: i32) -> f64 {
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let mut delta = MetadataDelta::new(&MetadataImage::empty());
    for t in 0..topics {
        let topic_id = Uuid::from_u128(0xABC0_0000 + t as u128);
        delta
            .replay(&MetadataRecord::Topic(TopicRecord {
                name: format!("topic-{t:06}"),
                topic_id,
            }))
            .unwrap();
        for p in 0..partitions {
            let first = (t as i32 + p) % brokers;
            let replicas: Vec<i32> = (0..3).map(|i| (first + i) % brokers).collect();
            delta
                .replay(&MetadataRecord::Partition(PartitionRecord {
                    partition_id: p,
                    topic_id,
                    isr: replicas.clone(),
                    leader: replicas[0],
                    replicas,
                    removing_replicas: vec![],
                    adding_replicas: vec![],
                    leader_recovery_state: 0,
                    leader_epoch: 0,
                    partition_epoch: 0,
                }))
                .unwrap();
        }
    }
    let image = delta.apply(MetadataProvenance::new(0, 1, 0));
    let bytes = LIVE_BYTES.load(Ordering::Relaxed) - before;
    assert_eq!(
        image.topics().partition_count(),
        (topics as i32 * partitions) as usize
    );
    bytes as f64 / image.topics().partition_count() as f64
}

#[test]
fn an_image_holds_a_partition_in_under_100_bytes() {
    // One test function: the counter is process-wide, so shapes are measured one by one.
    for (topics, partitions, brokers) in [(200, 1_000, 50), (20_000, 10, 30)] {
        let per_partition = bytes_per_partition(topics, partitions, brokers);
        assert!(
            per_partition <= 100.0,
            "{topics} topics x {partitions} partitions: {per_partition:.1} bytes/partition"
        );
    }
}
