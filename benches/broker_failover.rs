//! Broker failover at 2,000,000 partitions (issue 5): the active controller's session
//! check fences a broker that stopped heartbeating, takes it out of every ISR, elects new
//! leaders where it led (`maybeFenceOneStaleBroker` → PartitionChangeRecords), and a
//! broker's loader folds that batch into its image. Wall time of both, on a cluster of
//! 2,000 topics × 1,000 partitions, replication 3, over 100 brokers.
//!
//! `cargo bench --bench broker_failover` prints a one-shot report, then runs criterion.

// criterion is a native-only dev-dependency: on wasm32 (clippy --all-targets) the bench
// is empty.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use kraftscope::metadata::controller::{
    BrokerHeartbeatRequest, ControllerConfig, QuorumController,
};
use kraftscope::metadata::{
    FeatureLevelRecord, MetadataDelta, MetadataImage, MetadataProvenance, MetadataRecord,
    MetadataVersion, PartitionRecord, RegisterBrokerRecord, TopicRecord, Uuid,
    METADATA_VERSION_FEATURE_NAME,
};

const TOPICS: usize = 2_000;
const PARTITIONS_PER_TOPIC: usize = 1_000;
const BROKERS: i32 = 100;
const FAILED: i32 = 42;

fn image() -> MetadataImage {
    let mut delta = MetadataDelta::new(&MetadataImage::empty());
    let mut replay = |r: MetadataRecord| delta.replay(&r).expect("replays");
    replay(MetadataRecord::FeatureLevel(FeatureLevelRecord {
        name: METADATA_VERSION_FEATURE_NAME.into(),
        feature_level: MetadataVersion::SIMULATED.feature_level(),
    }));
    for id in 0..BROKERS {
        replay(MetadataRecord::RegisterBroker(RegisterBrokerRecord {
            broker_id: id,
            is_migrating_zk_broker: false,
            incarnation_id: Uuid::from_u128(id as u128 + 1),
            broker_epoch: id as i64 + 1,
            end_points: vec![],
            features: vec![],
            rack: None,
            fenced: false,
            in_controlled_shutdown: false,
        }));
    }
    for topic in 0..TOPICS {
        let topic_id =
            Uuid::from_u128(0xfa11_0000_0000_0000_0000_0000_0000_0000 | (topic as u128 + 1));
        replay(MetadataRecord::Topic(TopicRecord {
            name: format!("topic-{topic:06}"),
            topic_id,
        }));
        for p in 0..PARTITIONS_PER_TOPIC {
            let first = (topic as i32 * 7 + p as i32) % BROKERS;
            let shift = 1 + (topic as i32 + p as i32 / BROKERS) % (BROKERS - 2);
            let replicas = vec![
                first,
                (first + shift) % BROKERS,
                (first + shift + 1) % BROKERS,
            ];
            replay(MetadataRecord::Partition(PartitionRecord {
                partition_id: p as i32,
                topic_id,
                isr: replicas.clone(),
                leader: replicas[0],
                replicas,
                removing_replicas: vec![],
                adding_replicas: vec![],
                leader_recovery_state: 0,
                leader_epoch: 0,
                partition_epoch: 0,
            }));
        }
    }
    delta.apply(MetadataProvenance::new(3_000_000, 1, 0))
}

/// An active controller on `image` where every broker but [`FAILED`] heartbeat at 5 s.
fn controller(image: &MetadataImage) -> QuorumController {
    let mut c = QuorumController::new(ControllerConfig::default());
    let next = image.offset() + 1;
    c.activate(0, 2, image, next);
    for id in (0..BROKERS).filter(|id| *id != FAILED) {
        let request = BrokerHeartbeatRequest {
            broker_id: id,
            broker_epoch: id as i64 + 1,
            current_metadata_offset: next,
            want_fence: false,
            want_shut_down: false,
        };
        c.heartbeat(5_000, request, next + 1).expect("heartbeat");
    }
    c
}

/// The session check after broker.session.timeout.ms: the fence batch.
fn fence(c: &mut QuorumController, next: i64) -> Vec<MetadataRecord> {
    c.tick(9_001, next)
}

fn load(image: &MetadataImage, records: &[MetadataRecord]) -> MetadataImage {
    let mut delta = MetadataDelta::new(image);
    for r in records {
        delta.replay(r).expect("replays");
    }
    delta.apply(MetadataProvenance::new(
        image.offset() + records.len() as i64,
        2,
        9_001,
    ))
}

fn report(image: &MetadataImage) {
    let base = controller(image);
    let next = image.offset() + 3;
    let mut c = base.clone();
    let t0 = Instant::now();
    let records = fence(&mut c, next);
    let fence_ms = t0.elapsed().as_secs_f64() * 1e3;
    let t1 = Instant::now();
    let after = load(image, &records);
    let load_ms = t1.elapsed().as_secs_f64() * 1e3;
    assert_eq!(after.topics().partitions_led_by(FAILED).count(), 0);
    assert!(after.cluster().broker(FAILED).expect("registered").fenced);
    println!(
        "broker failover at {} partitions: broker {FAILED} fenced, {} records \
         ({} leaderships moved); controller (fence + ISR/leader changes + working image) \
         {fence_ms:.1} ms, broker loader (replay into its image) {load_ms:.1} ms",
        image.topics().partition_count(),
        records.len(),
        image.topics().partitions_led_by(FAILED).count(),
    );
}

fn bench(c: &mut Criterion) {
    let image = image();
    report(&image);
    let base = controller(&image);
    let next = image.offset() + 3;
    let records = fence(&mut base.clone(), next);
    let mut group = c.benchmark_group("broker_failover_2m");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("controller_fences_one_broker", |b| {
        b.iter_batched(
            || base.clone(),
            |mut c| fence(&mut c, black_box(next)),
            criterion::BatchSize::LargeInput,
        )
    });
    group.bench_function("broker_loader_applies_the_fence_batch", |b| {
        b.iter_with_large_drop(|| load(&image, black_box(&records)))
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
