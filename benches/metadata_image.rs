//! Scale of the metadata image (issue 5): memory per partition at 2,000,000 partitions,
//! memory shared between an image and the next, replay time for 1,000,000 PartitionRecords,
//! and the by-broker queries the controller runs when it fences a broker.
//!
//! `cargo bench --bench metadata_image` prints the memory report, then runs criterion.
//! `METADATA_IMAGE_MEMORY_ONLY=1 cargo bench --bench metadata_image` prints only the report
//! (memory, and replay time by CPU time as well as wall time).
//!
//! Memory is measured, not estimated: a counting global allocator tracks the bytes live on
//! the heap (as requested from the allocator; malloc's own per-block headers are not counted,
//! and blocks here are few and large).

// criterion is a native-only dev-dependency: on wasm32 (clippy --all-targets) the bench
// is empty.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{criterion_group, Criterion};
use kraftscope::metadata::{
    FeatureLevelRecord, MetadataDelta, MetadataImage, MetadataProvenance, MetadataRecord,
    MetadataVersion, PartitionChangeRecord, PartitionRecord, RegisterBrokerRecord, TopicRecord,
    Uuid, METADATA_VERSION_FEATURE_NAME,
};
use kraftscope::sim::bench::thread_cpu_ns;

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

fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

/// A cluster shape: `topics × partitions_per_topic` partitions of `replication` replicas over
/// `brokers` brokers, placed as Kafka's rack-unaware assignment does (a first replica
/// round-robin from a per-topic start, the others at a shift that grows every `brokers`
/// partitions), so the image interns a realistic number of distinct replica lists.
#[derive(Clone, Copy)]
struct Shape {
    topics: usize,
    partitions_per_topic: usize,
    brokers: i32,
    replication: i32,
}

impl Shape {
    fn partitions(&self) -> usize {
        self.topics * self.partitions_per_topic
    }

    fn topic_id(topic: usize) -> Uuid {
        Uuid::from_u128(0x5eed_0000_0000_0000_0000_0000_0000_0000 | (topic as u128 + 1))
    }

    fn replicas(&self, topic: usize, partition: usize) -> Vec<i32> {
        let n = self.brokers;
        let start = (topic as i32 * 7) % n;
        let first = (start + partition as i32) % n;
        let shift = (topic as i32 + partition as i32 / n) % (n - 1);
        let mut replicas = vec![first];
        for i in 0..self.replication - 1 {
            replicas.push((first + 1 + (shift + i) % (n - 1)) % n);
        }
        replicas
    }

    /// Every record of the cluster, generated one at a time so generating costs no memory.
    fn records(self) -> impl Iterator<Item = MetadataRecord> {
        let header = std::iter::once(MetadataRecord::FeatureLevel(FeatureLevelRecord {
            name: METADATA_VERSION_FEATURE_NAME.into(),
            feature_level: MetadataVersion::SIMULATED.feature_level(),
        }))
        .chain((0..self.brokers).map(|id| {
            MetadataRecord::RegisterBroker(RegisterBrokerRecord {
                broker_id: id,
                is_migrating_zk_broker: false,
                incarnation_id: Uuid::from_u128(id as u128 + 1),
                broker_epoch: id as i64 + 1,
                end_points: vec![],
                features: vec![],
                rack: None,
                fenced: false,
                in_controlled_shutdown: false,
            })
        }));
        let topics = (0..self.topics).flat_map(move |topic| {
            let topic_id = Shape::topic_id(topic);
            std::iter::once(MetadataRecord::Topic(TopicRecord {
                name: format!("topic-{topic:06}"),
                topic_id,
            }))
            .chain((0..self.partitions_per_topic).map(move |partition| {
                let replicas = self.replicas(topic, partition);
                MetadataRecord::Partition(PartitionRecord {
                    partition_id: partition as i32,
                    topic_id,
                    isr: replicas.clone(),
                    leader: replicas[0],
                    replicas,
                    removing_replicas: vec![],
                    adding_replicas: vec![],
                    leader_recovery_state: 0,
                    leader_epoch: 0,
                    partition_epoch: 0,
                })
            }))
        });
        header.chain(topics)
    }

    fn image(self) -> MetadataImage {
        let mut delta = MetadataDelta::new(&MetadataImage::empty());
        let mut count = 0i64;
        for record in self.records() {
            delta.replay(&record).expect("generated records replay");
            count += 1;
        }
        delta.apply(MetadataProvenance::new(count - 1, 1, 0))
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn memory_report() {
    println!("== metadata image memory (counting allocator, live heap bytes) ==");
    println!(
        "sizes: PartitionRegistration {} bytes, MetadataRecord {} bytes (a log entry before encoding)",
        std::mem::size_of::<kraftscope::metadata::PartitionRegistration>(),
        std::mem::size_of::<MetadataRecord>()
    );
    let shapes = [
        (
            "2,000 topics x 1,000 partitions, RF 3, 100 brokers",
            Shape {
                topics: 2_000,
                partitions_per_topic: 1_000,
                brokers: 100,
                replication: 3,
            },
        ),
        (
            "20,000 topics x 100 partitions, RF 3, 100 brokers",
            Shape {
                topics: 20_000,
                partitions_per_topic: 100,
                brokers: 100,
                replication: 3,
            },
        ),
        (
            "200,000 topics x 10 partitions, RF 3, 30 brokers",
            Shape {
                topics: 200_000,
                partitions_per_topic: 10,
                brokers: 30,
                replication: 3,
            },
        ),
        (
            "20 topics x 100,000 partitions, RF 3, 10 brokers",
            Shape {
                topics: 20,
                partitions_per_topic: 100_000,
                brokers: 10,
                replication: 3,
            },
        ),
    ];
    for (name, shape) in shapes {
        let before = live_bytes();
        let image = shape.image();
        let bytes = live_bytes() - before;
        println!(
            "{name}: {} partitions, {:.1} MiB, {:.1} bytes/partition ({} shared assignments)",
            shape.partitions(),
            mib(bytes),
            bytes as f64 / shape.partitions() as f64,
            image.topics().shared_assignments()
        );
        drop(image);
    }

    // Two images that share structure: the image before and after one PartitionChangeRecord,
    // and before and after fencing a broker (every partition it is in the ISR of loses it).
    let shape = shapes[0].1;
    let base = shape.image();
    let base_bytes = live_bytes();
    let topic_id = Shape::topic_id(17);
    let mut delta = MetadataDelta::new(&base);
    let mut change = PartitionChangeRecord::new(topic_id, 5);
    change.leader = shape.replicas(17, 5)[1];
    delta
        .replay(&MetadataRecord::PartitionChange(change))
        .unwrap();
    let next = delta.apply(MetadataProvenance::new(base.offset() + 1, 1, 0));
    println!(
        "one PartitionChangeRecord: the new image adds {} bytes to the {:.1} MiB it shares with the old one",
        live_bytes() - base_bytes,
        mib(base_bytes)
    );
    drop(next);

    let fenced = 42;
    let before = live_bytes();
    let mut delta = MetadataDelta::new(&base);
    let affected: Vec<_> = base
        .topics()
        .partitions_with_broker_in_isr(fenced)
        .collect();
    for tp in &affected {
        let p = base
            .topics()
            .partition(&tp.topic_id, tp.partition_id)
            .unwrap();
        let mut change = PartitionChangeRecord::new(tp.topic_id, tp.partition_id);
        change.isr = Some(p.isr().iter().copied().filter(|&b| b != fenced).collect());
        if p.leader() == fenced {
            change.leader = change.isr.as_ref().unwrap()[0];
        }
        delta
            .replay(&MetadataRecord::PartitionChange(change))
            .unwrap();
    }
    let next = delta.apply(MetadataProvenance::new(base.offset() + 1, 1, 0));
    let added = live_bytes() - before - affected.capacity() * std::mem::size_of_val(&affected[0]);
    println!(
        "fencing broker {fenced} ({} PartitionChangeRecords): the new image adds {:.1} MiB ({:.0} bytes per changed partition)",
        affected.len(),
        mib(added),
        added as f64 / affected.len() as f64
    );
    drop(next);

    // The same number of changes packed into few topics: sharing is per chunk (64 partitions,
    // 512 index entries), so what a change costs depends on how spread the changes are.
    let before = live_bytes();
    let mut delta = MetadataDelta::new(&base);
    let mut changed = 0;
    for topic in 0..60 {
        for partition in 0..1_000 {
            let mut change = PartitionChangeRecord::new(Shape::topic_id(topic), partition);
            change.leader = shape.replicas(topic, partition as usize)[1];
            delta
                .replay(&MetadataRecord::PartitionChange(change))
                .unwrap();
            changed += 1;
        }
    }
    let next = delta.apply(MetadataProvenance::new(base.offset() + 1, 1, 0));
    let added = live_bytes() - before;
    println!(
        "moving leadership of every partition of 60 topics ({changed} PartitionChangeRecords): the new image adds {:.1} MiB ({:.0} bytes per changed partition)",
        mib(added),
        added as f64 / changed as f64
    );
    drop(next);
    drop(base);
}

const REPLAY_SHAPE: Shape = Shape {
    topics: 1_000,
    partitions_per_topic: 1_000,
    brokers: 100,
    replication: 3,
};

fn replay(records: &[MetadataRecord]) -> MetadataImage {
    let mut delta = MetadataDelta::new(&MetadataImage::empty());
    for record in records {
        delta.replay(record).unwrap();
    }
    delta.apply(MetadataProvenance::new(records.len() as i64 - 1, 1, 0))
}

/// Replay timed by CPU time as well as wall time (criterion measures wall time only).
fn replay_cpu_report() {
    let records: Vec<MetadataRecord> = REPLAY_SHAPE.records().collect();
    let mut rows = vec![];
    for _ in 0..7 {
        let (cpu, wall) = (thread_cpu_ns(), std::time::Instant::now());
        let image = replay(&records);
        let wall_ms = wall.elapsed().as_secs_f64() * 1e3;
        let cpu_ms = cpu.zip(thread_cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e6);
        rows.push((cpu_ms.unwrap_or(f64::NAN), wall_ms));
        drop(black_box(image));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (cpu_ms, wall_ms) = rows[rows.len() / 2];
    println!(
        "replay of {} records (1,000,000 PartitionRecords) over {} runs: CPU median {cpu_ms:.0} ms, \
         min {:.0} ms; wall median {wall_ms:.0} ms",
        records.len(),
        rows.len(),
        rows[0].0,
    );
}

fn replay_1m(c: &mut Criterion) {
    let records: Vec<MetadataRecord> = REPLAY_SHAPE.records().collect();
    let mut group = c.benchmark_group("metadata_image");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("replay_1m_partition_records", |b| {
        b.iter_with_large_drop(|| replay(&records))
    });
    group.finish();
}

fn broker_queries(c: &mut Criterion) {
    let shape = Shape {
        topics: 2_000,
        partitions_per_topic: 1_000,
        brokers: 100,
        replication: 3,
    };
    let image = shape.image();
    let twin = shape.image();
    let mut group = c.benchmark_group("metadata_image_2m");
    group.sample_size(10);
    group.bench_function("partitions_with_broker_in_isr", |b| {
        b.iter(|| {
            image
                .topics()
                .partitions_with_broker_in_isr(black_box(42))
                .count()
        })
    });
    group.bench_function("partitions_led_by", |b| {
        b.iter(|| image.topics().partitions_led_by(black_box(42)).count())
    });
    group.bench_function("eq_shared", |b| {
        let clone = image.clone();
        b.iter(|| black_box(&image) == black_box(&clone))
    });
    group.bench_function("eq_independent", |b| {
        b.iter(|| black_box(&image) == black_box(&twin))
    });
    group.finish();
}

criterion_group!(benches, replay_1m, broker_queries);

fn main() {
    // `METADATA_IMAGE_REPLAY_ONLY=1`: only the CPU-timed replay (e.g. under `perf stat`).
    if std::env::var_os("METADATA_IMAGE_REPLAY_ONLY").is_some() {
        replay_cpu_report();
        return;
    }
    memory_report();
    replay_cpu_report();
    if std::env::var_os("METADATA_IMAGE_MEMORY_ONLY").is_some() {
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
