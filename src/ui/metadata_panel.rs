//! The metadata panel: the selected node's committed metadata image laid out as the
//! metadata shell's tree (`/image/cluster/brokers/<id>`, `/image/topics/byName/<name>/
//! <partition>`), and how far the image is behind the node's high watermark.
//!
//! [`MetadataView::build`] only reads the node's image (the simulator's loader built
//! it); it is called with the rest of the panel data (≤ ~10 times a second), never per
//! frame. Huge images are cut to the first [`TOPICS_SHOWN`] topics and
//! [`PARTITIONS_SHOWN`] partitions of each, so a 2,000,000-partition topic costs no
//! more to show than a small one. The tree is nested `<details>`: Tab reaches every
//! branch, Enter or Space opens it.

use yew::prelude::*;

use crate::kraft::NodeId;
use crate::sim::World;

use super::narrate::node_name;

/// Topics listed under `/image/topics/byName`.
pub const TOPICS_SHOWN: usize = 50;
/// Partitions listed under each topic.
pub const PARTITIONS_SHOWN: usize = 64;
/// Brokers listed under `/image/cluster/brokers`.
pub const BROKERS_SHOWN: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub struct MetadataView {
    pub node: NodeId,
    pub name: String,
    /// `/image/provenance`: the last offset and epoch the image contains.
    pub offset: i64,
    pub epoch: i32,
    /// The node's high watermark, when it knows one.
    pub high_watermark: Option<i64>,
    /// Offsets the image is behind the high watermark.
    pub lag: i64,
    pub brokers: Vec<BrokerRow>,
    pub broker_count: usize,
    pub topics: Vec<TopicRow>,
    pub topic_count: usize,
}

/// `/image/cluster/brokers/<id>`.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokerRow {
    pub id: i32,
    pub epoch: i64,
    pub fenced: bool,
    pub in_controlled_shutdown: bool,
}

/// `/image/topics/byName/<name>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicRow {
    pub name: String,
    pub id: String,
    pub partitions: Vec<PartitionRow>,
    pub partition_count: usize,
}

/// `/image/topics/byName/<name>/<partition>`: PartitionRegistration's fields.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionRow {
    pub id: i32,
    pub leader: i32,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

impl BrokerRow {
    /// Fenced / unfenced as the controller registered it.
    pub fn status(&self) -> &'static str {
        match (self.fenced, self.in_controlled_shutdown) {
            (true, _) => "fenced",
            (false, true) => "unfenced, in controlled shutdown",
            (false, false) => "unfenced",
        }
    }
}

impl MetadataView {
    pub fn build(w: &World, id: NodeId) -> Option<MetadataView> {
        let p = w.process(id)?;
        let image = p.image();
        let provenance = image.provenance();
        let cluster = image.cluster();
        let topics = image.topics();
        Some(MetadataView {
            node: id,
            name: node_name(w.spec(), id),
            offset: provenance.last_contained_offset,
            epoch: provenance.last_contained_epoch,
            high_watermark: p.high_watermark(),
            lag: p.metadata_lag(),
            brokers: cluster
                .brokers()
                .take(BROKERS_SHOWN)
                .map(|b| BrokerRow {
                    id: b.id,
                    epoch: b.epoch,
                    fenced: b.fenced,
                    in_controlled_shutdown: b.in_controlled_shutdown,
                })
                .collect(),
            broker_count: cluster.broker_count(),
            topics: topics
                .topics_by_name()
                .take(TOPICS_SHOWN)
                .map(|t| TopicRow {
                    name: t.name().to_string(),
                    id: t.id().to_string(),
                    partitions: t
                        .partitions()
                        .take(PARTITIONS_SHOWN)
                        .map(|(pid, r)| PartitionRow {
                            id: pid,
                            leader: r.leader(),
                            leader_epoch: r.leader_epoch(),
                            replicas: r.replicas().to_vec(),
                            isr: r.isr().to_vec(),
                        })
                        .collect(),
                    partition_count: t.partition_count(),
                })
                .collect(),
            topic_count: topics.topic_count(),
        })
    }
}

fn ids(list: &[i32]) -> String {
    let parts: Vec<String> = list.iter().map(|i| i.to_string()).collect();
    format!("[{}]", parts.join(","))
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: MetadataView,
}

#[function_component(MetadataPanel)]
pub fn metadata_panel(props: &Props) -> Html {
    let v = &props.view;
    let more = |shown: usize, total: usize| {
        (total > shown)
            .then(|| html! { <li class="more">{ format!("… {} more", total - shown) }</li> })
    };
    html! {
        <section class="card metadata" aria-labelledby="metadata-title" id="metadata-panel"
            data-node={v.node.to_string()} data-lag={v.lag.to_string()}>
            <h2 id="metadata-title">{ format!("Metadata image of {}", v.name) }</h2>
            <p class="meta-lag" id="metadata-lag">
                { format!("Image at offset {} (epoch {}); ", v.offset, v.epoch) }
                { match v.high_watermark {
                    Some(hw) => format!("high watermark {hw}, lag {} offset{}", v.lag, if v.lag == 1 { "" } else { "s" }),
                    None => "no high watermark known".to_string(),
                } }
            </p>
            <ul class="tree" role="list">
                <li>
                    <details open=true>
                        <summary>{ format!("/image/cluster/brokers ({})", v.broker_count) }</summary>
                        <ul class="brokers">
                            { for v.brokers.iter().map(|b| html! {
                                <li class={classes!("broker", if b.fenced { "fenced" } else { "unfenced" })}
                                    data-broker={b.id.to_string()} data-fenced={b.fenced.to_string()}>
                                    <code>{ b.id }</code>
                                    { format!(" epoch {} · {}", b.epoch, b.status()) }
                                </li>
                            }) }
                            { for more(v.brokers.len(), v.broker_count) }
                        </ul>
                    </details>
                </li>
                <li>
                    <details open=true>
                        <summary>{ format!("/image/topics/byName ({})", v.topic_count) }</summary>
                        if v.topics.is_empty() {
                            <p class="hint">{ "No topics yet: create one under Client actions." }</p>
                        }
                        <ul class="topics">
                            { for v.topics.iter().map(|t| html! {
                                <li class="topic" key={t.name.clone()} data-topic={t.name.clone()}>
                                    <details open={v.topics.len() <= 3}>
                                        <summary><code>{ &t.name }</code>{ format!(" · {} partition{} · id {}", t.partition_count, if t.partition_count == 1 { "" } else { "s" }, t.id) }</summary>
                                        <table class="partitions">
                                            <thead><tr><th scope="col">{ "partition" }</th><th scope="col">{ "leader" }</th><th scope="col">{ "leaderEpoch" }</th><th scope="col">{ "replicas" }</th><th scope="col">{ "isr" }</th></tr></thead>
                                            <tbody>
                                                { for t.partitions.iter().map(|p| html! {
                                                    <tr data-partition={p.id.to_string()}>
                                                        <td>{ p.id }</td>
                                                        <td>{ if p.leader < 0 { "none".to_string() } else { p.leader.to_string() } }</td>
                                                        <td>{ p.leader_epoch }</td>
                                                        <td>{ ids(&p.replicas) }</td>
                                                        <td>{ ids(&p.isr) }</td>
                                                    </tr>
                                                }) }
                                            </tbody>
                                        </table>
                                        if t.partition_count > t.partitions.len() {
                                            <p class="hint">{ format!("… {} more partitions", t.partition_count - t.partitions.len()) }</p>
                                        }
                                    </details>
                                </li>
                            }) }
                            { for more(v.topics.len(), v.topic_count) }
                        </ul>
                    </details>
                </li>
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{ClusterSpec, Intervention};

    #[test]
    fn a_huge_topic_is_listed_cut_with_its_true_counts_and_the_lag_is_read() {
        let mut w = World::new(ClusterSpec::new(1, 2, 3, true), false);
        // Brokers are unfenced (RUNNING) by about 6 s.
        w.run_until(8_000);
        w.apply(&Intervention::CreateTopic {
            name: "big".into(),
            partitions: 1_000,
            replication: 1,
        })
        .unwrap();
        w.run_until(10_000);
        let v = MetadataView::build(&w, 2).unwrap();
        assert_eq!(v.topic_count, 1);
        assert_eq!(v.topics[0].partition_count, 1_000);
        assert_eq!(v.topics[0].partitions.len(), PARTITIONS_SHOWN);
        assert_eq!(v.broker_count, 2);
        assert_eq!(v.lag, w.process(2).unwrap().metadata_lag());
        assert!(v.offset > 0);
    }
}
