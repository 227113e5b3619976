//! The message list: the RPCs in flight (type, from → to, key fields), so a message
//! can be picked from a list as well as clicked on the canvas. Selecting one shows its
//! fields, with Kafka's names, in the inspector.
//!
//! Rows are read from the world's in-flight queue (soonest delivery first) and cut to
//! [`MESSAGES_SHOWN`], so 2,000 messages in flight cost no more than 100.

use std::rc::Rc;

use yew::prelude::*;

use super::state::{Action, Selection};
use crate::kraft::NodeId;
use crate::sim::trace::MsgDetail;
use crate::sim::World;

/// Rows listed (the soonest deliveries).
pub const MESSAGES_SHOWN: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    pub id: u64,
    pub api: &'static str,
    pub from: NodeId,
    pub to: NodeId,
    /// The key fields, with Kafka's names.
    pub detail: String,
    pub selected: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageList {
    /// Whether the list is open; rows are built only then (the canvas already shows
    /// the messages, and the rows change on every refresh).
    pub open: bool,
    pub rows: Vec<MessageRow>,
    pub total: usize,
}

/// The key fields of a message, as `name=value` with Kafka's field names.
pub fn key_fields(d: &MsgDetail) -> String {
    match *d {
        MsgDetail::None => String::new(),
        MsgDetail::Vote {
            last_offset,
            last_epoch,
        } => format!("lastOffset={last_offset} lastOffsetEpoch={last_epoch}"),
        MsgDetail::VoteResponse { granted } => format!("voteGranted={granted}"),
        MsgDetail::Fetch { offset, last_epoch } => {
            format!("fetchOffset={offset} lastFetchedEpoch={last_epoch}")
        }
        MsgDetail::FetchResponse {
            hw,
            records,
            diverging,
            snapshot,
            error,
        } => {
            let mut s = format!("highWatermark={hw} records={records}");
            if let Some((epoch, end)) = diverging {
                s.push_str(&format!(" divergingEpoch={epoch}/{end}"));
            }
            if let Some((end, epoch)) = snapshot {
                s.push_str(&format!(" snapshotId={end}-{epoch}"));
            }
            if error {
                s.push_str(" error");
            }
            s
        }
        MsgDetail::FetchSnapshot { position } => format!("position={position}"),
        MsgDetail::Heartbeat {
            offset,
            want_shut_down,
        } => format!("currentMetadataOffset={offset} wantShutDown={want_shut_down}"),
        MsgDetail::HeartbeatReply {
            fenced,
            should_shut_down,
        } => format!("isFenced={fenced} shouldShutDown={should_shut_down}"),
        MsgDetail::AlterPartition { partitions } => format!("partitions={partitions}"),
        MsgDetail::AlterPartitionReply {
            accepted,
            partitions,
        } => format!("accepted={accepted}/{partitions}"),
        MsgDetail::Registered { broker_epoch } => format!("brokerEpoch={broker_epoch}"),
        MsgDetail::ControllerError(e) => format!("errorCode={}", e.name()),
        MsgDetail::Error => "error".into(),
    }
}

impl MessageList {
    pub fn build(w: &World, open: bool, selected: Option<u64>) -> MessageList {
        if !open {
            // Closed: only the count, which the panels read anyway.
            return MessageList {
                open,
                rows: Vec::new(),
                total: w.in_flight().count(),
            };
        }
        let mut total = 0;
        let mut rows = Vec::with_capacity(MESSAGES_SHOWN);
        for f in w.in_flight() {
            total += 1;
            if rows.len() < MESSAGES_SHOWN {
                rows.push(MessageRow {
                    id: f.info.id,
                    api: f.info.api.name(),
                    from: f.info.from,
                    to: f.info.to,
                    detail: key_fields(&f.info.detail),
                    selected: selected == Some(f.info.id),
                });
            }
        }
        MessageList { open, rows, total }
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub list: Rc<MessageList>,
    pub dispatch: Callback<Action>,
}

#[function_component(MessageListPanel)]
pub fn message_list_panel(props: &Props) -> Html {
    let l = &props.list;
    let toggle = {
        let (dispatch, open) = (props.dispatch.clone(), l.open);
        // The model owns open/closed, so a closed list costs nothing per refresh.
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            dispatch.emit(Action::ShowMessages(!open))
        })
    };
    html! {
        <section class="card messages" aria-labelledby="messages-title">
            <details id="message-list" data-count={l.total.to_string()} open={l.open}>
                <summary onclick={toggle}><h2 id="messages-title">{ format!("Messages in flight ({})", l.total) }</h2></summary>
                if l.total > l.rows.len() {
                    <p class="hint">{ format!("The {} soonest to arrive are listed.", l.rows.len()) }</p>
                }
                <ul class="message-list">
                    { for l.rows.iter().map(|r| {
                        let dispatch = props.dispatch.clone();
                        let (id, selected) = (r.id, r.selected);
                        let onclick = Callback::from(move |_: MouseEvent| {
                            dispatch.emit(Action::Select((!selected).then_some(Selection::Message(id))))
                        });
                        html! {
                            <li key={r.id}>
                                <button class={classes!("msg-row", r.selected.then_some("selected"))}
                                    aria-pressed={r.selected.to_string()} data-msg={r.id.to_string()} {onclick}>
                                    <span class="api">{ r.api }</span>
                                    <span class="route">{ format!("{} → {}", r.from, r.to) }</span>
                                    <span class="detail">{ &r.detail }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterSpec;

    #[test]
    fn the_list_names_each_rpc_with_kafka_field_names_and_caps_its_rows() {
        let mut w = World::new(ClusterSpec::new(3, 2, 1, true), false);
        w.run_until(3_000);
        // Fetches wait at the leader; step to an instant with messages on the wire.
        while w.in_flight().count() == 0 && w.now_ms() < 10_000 {
            w.step();
        }
        let first = w.in_flight().next().map(|f| f.info.id);
        assert!(MessageList::build(&w, false, first).rows.is_empty());
        let l = MessageList::build(&w, true, first);
        assert!(l.open);
        assert_eq!(l.total, w.in_flight().count());
        assert!(l.total > 0, "nothing in flight after 3 s");
        assert!(l.rows.len() <= MESSAGES_SHOWN);
        assert!(l.rows[0].selected);
        assert!(l.rows.iter().skip(1).all(|r| !r.selected));
        assert_eq!(
            key_fields(&MsgDetail::Fetch {
                offset: 7,
                last_epoch: 2
            }),
            "fetchOffset=7 lastFetchedEpoch=2"
        );
        assert_eq!(
            key_fields(&MsgDetail::FetchResponse {
                hw: 5,
                records: 0,
                diverging: Some((1, 3)),
                snapshot: None,
                error: false
            }),
            "highWatermark=5 records=0 divergingEpoch=1/3"
        );
    }

    #[test]
    fn show_messages_opens_the_list_and_only_then_builds_rows() {
        use crate::ui::state::Model;
        use crate::ui::view_model::PanelData;
        let mut m = Model::new(ClusterSpec::new(3, 0, 7, true));
        m.reduce(Action::Pause);
        while m.world().in_flight().count() == 0 {
            m.reduce(Action::Step);
        }
        assert!(PanelData::build(&m).messages.rows.is_empty());
        m.reduce(Action::ShowMessages(true));
        let d = PanelData::build(&m);
        assert!(d.messages.open);
        assert_eq!(d.messages.rows.len(), m.world().in_flight().count());
        let id = d.messages.rows[0].id;
        m.reduce(Action::Select(Some(Selection::Message(id))));
        let d = PanelData::build(&m);
        assert!(d.messages.rows[0].selected);
        assert!(d
            .message
            .unwrap()
            .fields
            .iter()
            .any(|(k, _)| k == "correlationId"));
        m.reduce(Action::ShowMessages(false));
        assert!(!PanelData::build(&m).messages.open);
    }
}
