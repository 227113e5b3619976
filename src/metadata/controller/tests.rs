//! KIP-631 §Broker registration / §Fencing: the controller's record output per request.

use super::*;
use crate::metadata::PartitionRegistration;

fn reg(id: i32) -> BrokerRegistrationRequest {
    BrokerRegistrationRequest {
        broker_id: id,
        incarnation_id: Uuid::from_u128(100 + id as u128),
    }
}

fn hb(id: i32, epoch: i64, offset: i64) -> BrokerHeartbeatRequest {
    BrokerHeartbeatRequest {
        broker_id: id,
        broker_epoch: epoch,
        current_metadata_offset: offset,
        want_fence: false,
        want_shut_down: false,
    }
}

/// An active controller with brokers 1..=n registered and unfenced; returns the
/// controller and the next log offset.
fn cluster(n: i32) -> (QuorumController, i64) {
    cluster_with(ControllerConfig::default(), n)
}

fn cluster_with(config: ControllerConfig, n: i32) -> (QuorumController, i64) {
    let mut c = QuorumController::new(config);
    let mut next = 1;
    next += c.activate(0, 1, &MetadataImage::empty(), next).len() as i64;
    let mut epochs = Vec::new();
    for id in 1..=n {
        let (epoch, recs) = c.register_broker(0, reg(id), next).unwrap();
        assert_eq!(
            epoch, next,
            "BrokerEpoch = offset of the RegisterBrokerRecord"
        );
        next += recs.len() as i64;
        epochs.push(epoch);
    }
    for (i, epoch) in epochs.iter().enumerate() {
        let (reply, recs) = c
            .heartbeat(10, hb(i as i32 + 1, *epoch, next), next)
            .unwrap();
        assert!(!reply.is_fenced);
        next += recs.len() as i64;
    }
    (c, next)
}

#[test]
fn first_activation_writes_metadata_version() {
    let mut c = QuorumController::new(ControllerConfig::default());
    let recs = c.activate(0, 1, &MetadataImage::empty(), 1);
    assert!(matches!(&recs[..], [MetadataRecord::FeatureLevel(f)] if f.name == "metadata.version"));
    let image = c.image().unwrap().clone();
    let mut again = QuorumController::new(ControllerConfig::default());
    assert!(matches!(
        &again.activate(5, 2, &image, 9)[..],
        [MetadataRecord::NoOp(_)]
    ));
}

#[test]
fn registration_is_fenced_until_caught_up() {
    let mut c = QuorumController::new(ControllerConfig::default());
    c.activate(0, 1, &MetadataImage::empty(), 1);
    let (epoch, recs) = c.register_broker(0, reg(4), 2).unwrap();
    assert_eq!(epoch, 2);
    assert!(
        matches!(&recs[..], [MetadataRecord::RegisterBroker(r)] if r.fenced && r.broker_epoch == 2)
    );
    let (reply, recs) = c.heartbeat(1, hb(4, 2, 1), 3).unwrap();
    assert!(reply.is_fenced && !reply.is_caught_up && recs.is_empty());
    let (reply, recs) = c.heartbeat(2, hb(4, 2, 2), 3).unwrap();
    assert!(!reply.is_fenced && reply.is_caught_up);
    assert_eq!(recs.len(), 1);
    assert_eq!(
        c.heartbeat(3, hb(4, 1, 2), 4),
        Err(ControllerError::StaleBrokerEpoch)
    );
}

#[test]
fn live_duplicate_registration_is_refused() {
    let (mut c, next) = cluster(2);
    let other = BrokerRegistrationRequest {
        broker_id: 1,
        incarnation_id: Uuid::from_u128(999),
    };
    assert_eq!(
        c.register_broker(20, other, next).map(|_| ()),
        Err(ControllerError::DuplicateBrokerRegistration)
    );
}

#[test]
fn session_timeout_fences_and_moves_leadership() {
    let (mut c, next) = cluster(3);
    let recs = c.create_topic(20, "t", 3, 3, next).unwrap();
    let next = next + recs.len() as i64;
    let led_by_1 = c.image().unwrap().topics().partitions_led_by(1).count();
    assert!(led_by_1 > 0);
    // Brokers 2 and 3 keep heartbeating, broker 1 is silent.
    let e2 = c.image().unwrap().cluster().broker(2).unwrap().epoch;
    let e3 = c.image().unwrap().cluster().broker(3).unwrap().epoch;
    c.heartbeat(9_000, hb(2, e2, next), next).unwrap();
    c.heartbeat(9_000, hb(3, e3, next), next).unwrap();
    let recs = c.tick(9_011, next);
    assert!(
        matches!(&recs[0], MetadataRecord::BrokerRegistrationChange(r) if r.broker_id == 1 && r.fenced == 1)
    );
    let image = c.image().unwrap();
    assert!(image.cluster().broker(1).unwrap().fenced);
    assert_eq!(image.topics().partitions_led_by(1).count(), 0);
    assert_eq!(image.topics().partitions_with_broker_in_isr(1).count(), 0);
    for (_, p) in image.topics().topic_by_name("t").unwrap().partitions() {
        assert!(p.leader() == 2 || p.leader() == 3);
    }
}

#[test]
fn controlled_shutdown_moves_leadership_then_allows_shutdown() {
    let (mut c, next) = cluster(2);
    let recs = c.create_topic(20, "t", 2, 2, next).unwrap();
    let next = next + recs.len() as i64;
    let e1 = c.image().unwrap().cluster().broker(1).unwrap().epoch;
    let mut req = hb(1, e1, next);
    req.want_shut_down = true;
    let (reply, recs) = c.heartbeat(30, req, next).unwrap();
    // KIP-841: not before the broker has replayed its own shutdown records.
    assert!(!reply.should_shut_down);
    assert!(recs.len() >= 2);
    let done = next + recs.len() as i64 - 1;
    req.current_metadata_offset = done;
    let (reply, recs) = c.heartbeat(40, req, done + 1).unwrap();
    assert!(reply.should_shut_down && recs.is_empty());
    let image = c.image().unwrap();
    assert!(image.cluster().broker(1).unwrap().in_controlled_shutdown);
    assert_eq!(image.topics().partitions_led_by(1).count(), 0);
}

#[test]
fn create_needs_enough_unfenced_brokers_and_delete_removes() {
    let (mut c, next) = cluster(2);
    assert_eq!(
        c.create_topic(1, "t", 1, 3, next),
        Err(ControllerError::InvalidReplicationFactor)
    );
    let recs = c.create_topic(1, "t", 4, 2, next).unwrap();
    assert_eq!(recs.len(), 5);
    let next = next + 5;
    assert_eq!(
        c.create_topic(1, "t", 1, 1, next),
        Err(ControllerError::TopicAlreadyExists)
    );
    c.set_topic_config(1, "t", "retention.ms", "1000", next)
        .unwrap();
    let recs = c.delete_topic(2, "t", next + 1).unwrap();
    assert!(matches!(&recs[..], [MetadataRecord::RemoveTopic(_)]));
    assert_eq!(c.image().unwrap().topics().topic_count(), 0);
}

#[test]
fn idle_log_gets_a_noop_every_interval() {
    let (mut c, next) = cluster(0);
    assert!(c.tick(499, next).is_empty());
    assert!(matches!(&c.tick(500, next)[..], [MetadataRecord::NoOp(_)]));
    assert_eq!(c.next_deadline(), Some(1_000));
}

// ---- KIP-497 AlterPartition, preferred-leader election (ReplicationControlManager) ----

fn epoch_of(c: &QuorumController, id: i32) -> i64 {
    c.image().unwrap().cluster().broker(id).unwrap().epoch
}

fn partition(c: &QuorumController, topic: &str, p: i32) -> PartitionRegistration {
    let topics = c.image().unwrap().topics();
    let id = topics.topic_by_name(topic).unwrap().id();
    topics.partition(&id, p).unwrap().clone()
}

/// Three brokers, topic "t" with 3 partitions on all three; broker 1 goes silent and is
/// fenced at 9,011 ms, then comes back (unfenced) at 9,100 ms. Returns the controller, the
/// next offset and the partition broker 1 prefers.
fn preferred_replica_fenced_and_back(config: ControllerConfig) -> (QuorumController, i64, i32) {
    let (mut c, mut next) = cluster_with(config, 3);
    next += c.create_topic(20, "t", 3, 3, next).unwrap().len() as i64;
    let p = (0..3)
        .find(|p| partition(&c, "t", *p).leader() == 1)
        .unwrap();
    for id in [2, 3] {
        next += c
            .heartbeat(9_000, hb(id, epoch_of(&c, id), next), next)
            .unwrap()
            .1
            .len() as i64;
    }
    next += c.tick(9_011, next).len() as i64;
    assert!(c.image().unwrap().cluster().broker(1).unwrap().fenced);
    let (reply, recs) = c
        .heartbeat(9_100, hb(1, epoch_of(&c, 1), next), next)
        .unwrap();
    assert!(!reply.is_fenced);
    next += recs.len() as i64;
    (c, next, p)
}

fn rejoin_isr(c: &mut QuorumController, p: i32, now_ms: u64, next: i64) -> Records {
    let part = partition(c, "t", p);
    let mut new_isr: Vec<i32> = part.isr().to_vec();
    new_isr.push(1);
    let request = AlterPartitionRequest {
        broker_id: part.leader(),
        broker_epoch: epoch_of(c, part.leader()),
        partitions: vec![AlterPartitionEntry {
            topic_id: c.image().unwrap().topics().topic_by_name("t").unwrap().id(),
            partition_id: p,
            leader_epoch: part.leader_epoch(),
            partition_epoch: part.partition_epoch(),
            new_isr,
        }],
    };
    let (results, recs) = c.alter_partition(now_ms, &request, next).unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].1, Ok(()));
    recs
}

#[test]
fn alter_partition_adds_a_replica_back_and_checks_epochs_and_eligibility() {
    let (mut c, next, p) = preferred_replica_fenced_and_back(ControllerConfig::default());
    let before = partition(&c, "t", p);
    assert!(!before.is_in_isr(1) && before.leader() != 1);
    let recs = rejoin_isr(&mut c, p, 9_200, next);
    assert!(matches!(&recs[..], [MetadataRecord::PartitionChange(r)]
        if r.partition_id == p && r.isr.as_ref().is_some_and(|isr| isr.contains(&1))
            && r.leader == NO_LEADER_CHANGE));
    let after = partition(&c, "t", p);
    assert!(after.is_in_isr(1));
    assert_eq!(
        after.leader_epoch(),
        before.leader_epoch(),
        "an ISR expansion keeps the leader epoch"
    );
    assert_eq!(after.partition_epoch(), before.partition_epoch() + 1);

    // The same request again is based on the old partition epoch.
    let topic_id = c.image().unwrap().topics().topic_by_name("t").unwrap().id();
    let stale = AlterPartitionRequest {
        broker_id: after.leader(),
        broker_epoch: epoch_of(&c, after.leader()),
        partitions: vec![AlterPartitionEntry {
            topic_id,
            partition_id: p,
            leader_epoch: before.leader_epoch(),
            partition_epoch: before.partition_epoch(),
            new_isr: after.isr().to_vec(),
        }],
    };
    let (results, recs) = c.alter_partition(9_300, &stale, next + 1).unwrap();
    assert_eq!(results[0].1, Err(ControllerError::InvalidUpdateVersion));
    assert!(recs.is_empty());
    // Only the leader may ask, and only for eligible replicas.
    let mut not_leader = stale.clone();
    not_leader.broker_id = 1;
    not_leader.broker_epoch = epoch_of(&c, 1);
    let (results, _) = c.alter_partition(9_300, &not_leader, next + 1).unwrap();
    assert_eq!(results[0].1, Err(ControllerError::NotLeaderOrFollower));
    let mut ineligible = stale;
    ineligible.partitions[0].partition_epoch = after.partition_epoch();
    ineligible.partitions[0].leader_epoch = after.leader_epoch();
    ineligible.partitions[0].new_isr.push(7);
    let (results, _) = c.alter_partition(9_300, &ineligible, next + 1).unwrap();
    assert_eq!(results[0].1, Err(ControllerError::IneligibleReplica));
}

#[test]
fn balancing_pass_returns_leadership_to_the_preferred_replica_one_interval_later() {
    let config = ControllerConfig {
        leader_imbalance_check_interval_ms: Some(1_000),
        metadata_max_idle_interval_ms: 0,
        ..ControllerConfig::default()
    };
    let (mut c, next, p) = preferred_replica_fenced_and_back(config);
    // The fence at 9,011 left partition p imbalanced: a pass is due one interval later.
    assert_eq!(c.next_deadline(), Some(10_011));
    let recs = rejoin_isr(&mut c, p, 9_200, next);
    let next = next + recs.len() as i64;
    assert!(c.tick(10_010, next).is_empty());
    let recs = c.tick(10_011, next);
    assert!(matches!(&recs[..], [MetadataRecord::PartitionChange(r)]
        if r.partition_id == p && r.leader == 1 && r.isr.is_none()));
    let part = partition(&c, "t", p);
    assert!(part.has_preferred_leader());
    assert!(c
        .image()
        .unwrap()
        .topics()
        .imbalanced_partitions()
        .next()
        .is_none());
    // Balanced again: nothing is scheduled any more (no NoOps, sessions far away).
    assert_eq!(c.next_deadline(), Some(9_000 + 9_000 + 1));
}

#[test]
fn balancing_is_off_without_auto_leader_rebalance() {
    let config = ControllerConfig {
        leader_imbalance_check_interval_ms: None,
        metadata_max_idle_interval_ms: 0,
        ..ControllerConfig::default()
    };
    let (mut c, next, p) = preferred_replica_fenced_and_back(config);
    let recs = rejoin_isr(&mut c, p, 9_200, next);
    let next = next + recs.len() as i64;
    // Only the session deadlines remain, and a tick long after changes no leader.
    assert_eq!(c.next_deadline(), Some(9_000 + 9_000 + 1));
    assert!(c.tick(9_500, next).is_empty());
    assert!(!partition(&c, "t", p).has_preferred_leader());
}

#[test]
fn elect_leaders_preferred_per_partition_and_for_all() {
    let (mut c, next, p) = preferred_replica_fenced_and_back(ControllerConfig::default());
    let other = (p + 1) % 3;
    assert_eq!(
        c.elect_preferred_leaders(9_150, Some(("t", other)), next),
        Err(ControllerError::ElectionNotNeeded)
    );
    // Broker 1 is unfenced but not in the ISR yet.
    assert_eq!(
        c.elect_preferred_leaders(9_150, Some(("t", p)), next),
        Err(ControllerError::PreferredLeaderNotAvailable)
    );
    assert_eq!(
        c.elect_preferred_leaders(9_150, None, next),
        Err(ControllerError::PreferredLeaderNotAvailable)
    );
    assert_eq!(
        c.elect_preferred_leaders(9_150, Some(("nope", 0)), next),
        Err(ControllerError::UnknownTopicOrPartition)
    );
    let next = next + rejoin_isr(&mut c, p, 9_200, next).len() as i64;
    let recs = c.elect_preferred_leaders(9_300, None, next).unwrap();
    assert!(
        matches!(&recs[..], [MetadataRecord::PartitionChange(r)] if r.partition_id == p && r.leader == 1)
    );
    assert_eq!(
        c.elect_preferred_leaders(9_400, None, next + 1),
        Err(ControllerError::ElectionNotNeeded)
    );
}

/// The replicas of every partition of `topic`, by id.
fn placements(c: &QuorumController, topic: &str) -> Vec<Vec<i32>> {
    c.image()
        .unwrap()
        .topics()
        .topic_by_name(topic)
        .unwrap()
        .partitions()
        .map(|(_, p)| p.replicas().to_vec())
        .collect()
}

/// `ReplicationControlManager.validateTotalNumberOfPartitions` (Kafka 4.x): more than
/// `MAX_PARTITIONS_PER_BATCH` = 10,000 partitions in one CreateTopics is a
/// PolicyViolationException, checked before the name. The records of one user operation
/// go into a `BoundedList` of `MAX_RECORDS_PER_USER_OP` = 10,000, and
/// `EventHandlerExceptionInfo` turns its overflow into another POLICY_VIOLATION: the
/// TopicRecord counts, so exactly 10,000 partitions (10,001 records) are refused too.
#[test]
fn create_topics_is_capped_at_10000_partitions_and_10000_records() {
    let (mut c, next) = cluster(3);
    let refused = c.create_topic(1, "big", 10_001, 3, next);
    assert_eq!(refused, Err(ControllerError::ExcessivePartitionsPerRequest));
    let e = refused.unwrap_err();
    assert_eq!(e.name(), "POLICY_VIOLATION");
    assert_eq!(
        e.message().as_deref(),
        Some("Excessively large number of partitions per request.")
    );
    assert_eq!(
        e.to_string(),
        "POLICY_VIOLATION (Excessively large number of partitions per request.)"
    );
    // Checked first: even an existing name gets the policy violation.
    let recs = c.create_topic(1, "t", 1, 1, next).unwrap();
    let next = next + recs.len() as i64;
    assert_eq!(
        c.create_topic(1, "t", 10_001, 1, next),
        Err(ControllerError::ExcessivePartitionsPerRequest)
    );

    let refused = c.create_topic(1, "big", 10_000, 3, next);
    assert_eq!(refused, Err(ControllerError::ExcessivelyLargeBatch));
    assert_eq!(
        refused.unwrap_err().to_string(),
        "POLICY_VIOLATION (Unable to perform excessively large batch operation.)"
    );
    assert!(c.image().unwrap().topics().topic_by_name("big").is_none());

    let recs = c.create_topic(1, "big", 9_999, 3, next).unwrap();
    assert_eq!(recs.len(), MAX_RECORDS_PER_USER_OP);
    assert_eq!(
        c.image()
            .unwrap()
            .topics()
            .topic_by_name("big")
            .unwrap()
            .partition_count(),
        9_999
    );
}

/// `ReplicationControlManager.createPartitions`: the count is the new total; an equal
/// count is "Topic already has N partition(s).", a lower one "… would not be an
/// increase." (INVALID_PARTITIONS); an unknown topic UNKNOWN_TOPIC_OR_PARTITION. It has no
/// partition cap of its own, only the 10,000-record bound of every user operation.
#[test]
fn create_partitions_raises_the_count_and_refuses_decreases() {
    let (mut c, next) = cluster(3);
    assert_eq!(
        c.create_partitions(1, "t", 5, next),
        Err(ControllerError::UnknownTopicOrPartition)
    );
    let next = next + c.create_topic(1, "t", 4, 2, next).unwrap().len() as i64;
    let same = c.create_partitions(1, "t", 4, next).unwrap_err();
    assert_eq!(
        same,
        ControllerError::NotAnIncrease {
            current: 4,
            requested: 4
        }
    );
    assert_eq!(
        same.to_string(),
        "INVALID_PARTITIONS (Topic already has 4 partition(s).)"
    );
    let lower = c.create_partitions(1, "t", 2, next).unwrap_err();
    assert_eq!(lower.name(), "INVALID_PARTITIONS");
    assert_eq!(
        lower.message().as_deref(),
        Some("The topic currently has 4 partition(s); 2 would not be an increase.")
    );

    let recs = c.create_partitions(1, "t", 6, next).unwrap();
    assert_eq!(recs.len(), 2);
    let ids: Vec<i32> = recs
        .iter()
        .map(|r| match r {
            MetadataRecord::Partition(p) => p.partition_id,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(ids, [4, 5]);
    let next = next + 2;

    // Exactly 10,000 new partitions is one operation; 10,001 overflow its records.
    assert_eq!(
        c.create_partitions(1, "t", 6 + 10_001, next),
        Err(ControllerError::ExcessivelyLargeBatch)
    );
    let recs = c.create_partitions(1, "t", 6 + 10_000, next).unwrap();
    assert_eq!(recs.len(), 10_000);
}

/// Growing a topic request by request places every partition where one CreateTopics
/// (were it allowed) would have: the striping continues.
#[test]
fn create_partitions_continues_the_striping() {
    let (mut whole, next) = cluster(5);
    whole.create_topic(1, "t", 9, 3, next).unwrap();
    let (mut grown, next) = cluster(5);
    let mut at = next;
    at += grown.create_topic(1, "t", 2, 3, at).unwrap().len() as i64;
    at += grown.create_partitions(1, "t", 7, at).unwrap().len() as i64;
    grown.create_partitions(1, "t", 9, at).unwrap();
    assert_eq!(placements(&grown, "t"), placements(&whole, "t"));
    let leaders: Vec<i32> = placements(&grown, "t").iter().map(|r| r[0]).collect();
    let mut distinct = leaders.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        5,
        "leaders spread over every broker: {leaders:?}"
    );
}
