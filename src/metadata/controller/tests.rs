//! KIP-631 §Broker registration / §Fencing: the controller's record output per request.

use super::*;

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
    let mut c = QuorumController::new(ControllerConfig::default());
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
