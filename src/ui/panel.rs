//! The side panels: inspector (node or message), the node list with each node's
//! actions, network faults, client actions, the narrated events and safety.
//! They render [`PanelData`] and emit [`Action`]s; nothing else.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::client_actions::ClientActions;
use super::message_list::MessageListPanel;
use super::metadata_panel::MetadataPanel;
use super::node_menu::MenuAnchor;
use super::state::{Action, MarkerKind};
use super::view_model::{format_ms, EventRow, NodeRow, PanelData, SafetyRow};
use crate::sim::{ConfigKey, Intervention, LinkSpec};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub data: Rc<PanelData>,
    pub dispatch: Callback<Action>,
}

#[function_component(SidePanel)]
pub fn side_panel(props: &Props) -> Html {
    let d = &props.data;
    html! {
        <aside class="panel" aria-label="Cluster details">
            if let Some(e) = &d.error {
                <p class="error" role="alert">{ e }</p>
            }
            <Inspector data={d.clone()} dispatch={props.dispatch.clone()} />
            if let Some(v) = &d.metadata {
                <MetadataPanel view={v.clone()} />
            }
            <NodeList rows={d.nodes.clone()} dispatch={props.dispatch.clone()} />
            <MessageListPanel list={d.messages.clone()} dispatch={props.dispatch.clone()} />
            <ClientActions data={d.client.clone()} dispatch={props.dispatch.clone()} />
            <Network pre_vote={d.pre_vote} dispatch={props.dispatch.clone()} />
            <Events rows={d.events.clone()} dispatch={props.dispatch.clone()} />
            <Safety rows={d.safety.clone()} dispatch={props.dispatch.clone()} />
        </aside>
    }
}

#[function_component(Inspector)]
fn inspector(props: &Props) -> Html {
    let d = &props.data;
    let act = |i: Intervention| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Intervene(i.clone())))
    };
    if let Some(n) = &d.node {
        let id = n.id;
        return html! {
            <section class="card inspector" aria-labelledby="inspector-title">
                <h2 id="inspector-title">{ &n.name }</h2>
                <div class="actions" role="group" aria-label={format!("Actions on {}", n.name)}>
                    if n.alive {
                        <button onclick={act(Intervention::Crash(id))} aria-label={format!("Crash {}", n.name)}>{ "Crash" }</button>
                        <button onclick={act(Intervention::Shutdown(id))} aria-label={format!("Shut down {}", n.name)}>{ "Shutdown" }</button>
                    } else {
                        <button onclick={act(Intervention::Restart(id))} aria-label={format!("Restart {}", n.name)}>{ "Restart" }</button>
                        <button onclick={act(Intervention::Wipe(id))} aria-label={format!("Wipe the disk of {}", n.name)}>{ "Wipe" }</button>
                    }
                    <button onclick={act(Intervention::Isolate(id))} aria-label={format!("Isolate {}", n.name)}>{ "Isolate" }</button>
                    if n.alive {
                        <button onclick={act(Intervention::Snapshot(id))} aria-label={format!("Snapshot {}", n.name)}>{ "Snapshot" }</button>
                    }
                </div>
                <dl class="fields">
                    { for n.fields.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ v }</dd></> }) }
                </dl>
                if !n.replication.is_empty() {
                    <h3>{ "DescribeQuorum replication" }</h3>
                    <table class="replication">
                        <thead><tr><th>{ "id" }</th><th>{ "kind" }</th><th>{ "logEndOffset" }</th><th>{ "lag" }</th><th>{ "lastFetch" }</th><th>{ "lastCaughtUp" }</th></tr></thead>
                        <tbody>
                            { for n.replication.iter().map(|r| html! {
                                <tr><td>{ r.id }</td><td>{ r.kind }</td><td>{ r.log_end_offset }</td><td>{ r.lag }</td><td>{ &r.last_fetch }</td><td>{ &r.last_caught_up }</td></tr>
                            }) }
                        </tbody>
                    </table>
                }
            </section>
        };
    }
    if let Some(m) = &d.message {
        return html! {
            <section class="card inspector" aria-labelledby="inspector-title">
                <h2 id="inspector-title">{ &m.title }</h2>
                if !m.in_flight {
                    <p class="hint">{ "No longer in flight (delivered or dropped)." }</p>
                }
                <dl class="fields">
                    { for m.fields.iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
                </dl>
            </section>
        };
    }
    html! {
        <section class="card inspector">
            <h2>{ "Inspector" }</h2>
            <p class="hint">{ "Click a node or a message dot (or pick a node below). Drag from one node to another to cut that link (Shift: one way); drag a node into empty space to isolate it. Press ? for shortcuts." }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RowsProps<T: PartialEq + 'static> {
    rows: Rc<Vec<T>>,
    dispatch: Callback<Action>,
}

#[function_component(NodeList)]
fn node_list(props: &RowsProps<NodeRow>) -> Html {
    let d = props;
    html! {
        <section class="card" aria-labelledby="nodes-title">
            <h2 id="nodes-title">{ "Nodes" }</h2>
            <ul class="node-list">
                { for d.rows.iter().map(|n| {
                    let dispatch = props.dispatch.clone();
                    let id = n.id;
                    let selected = n.selected;
                    let onclick = Callback::from(move |_: MouseEvent| {
                        // Enter or a click opens the node's menu (and selects it).
                        dispatch.emit(if selected { Action::Select(None) } else { Action::OpenMenu(MenuAnchor { node: id, at: None }) })
                    });
                    html! {
                        <li key={n.id}>
                            <button class={classes!("node-button", n.selected.then_some("selected"), (!n.alive).then_some("stopped"))}
                                aria-pressed={n.selected.to_string()} aria-haspopup="menu"
                                aria-label={format!("{}: {}, epoch {}", n.name, n.state, n.epoch)}
                                data-node={n.id.to_string()} data-state={n.state.clone()} {onclick}>
                                <span class={classes!("letter", format!("s-{}", n.letter))}>{ n.letter }</span>
                                <span class="name">{ &n.name }</span>
                                <span class="meta">{ format!("{} · e{}", n.state, n.epoch) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NetworkProps {
    pre_vote: bool,
    dispatch: Callback<Action>,
}

#[function_component(Network)]
fn network(props: &NetworkProps) -> Html {
    let latency = use_state(|| 10u64);
    let loss = use_state(|| 0u32);
    let dispatch = props.dispatch.clone();
    let apply = {
        let (dispatch, latency, loss) = (dispatch.clone(), latency.clone(), loss.clone());
        move |lat: u64, loss_pct: u32| {
            latency.set(lat);
            loss.set(loss_pct);
            let min = (lat / 2).max(1);
            dispatch.emit(Action::Intervene(Intervention::Net {
                link: LinkSpec::new(min, lat + min, loss_pct as f64 / 100.0, 0.0),
                from: None,
                to: None,
            }));
        }
    };
    let on_latency = {
        let apply = apply.clone();
        let loss = *loss;
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(v) = v.parse::<u64>() {
                apply(v.clamp(1, 2_000), loss);
            }
        })
    };
    let on_loss = {
        let latency = *latency;
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(v) = v.parse::<u32>() {
                apply(latency, v.min(100));
            }
        })
    };
    let heal = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Intervene(Intervention::Heal)))
    };
    let append = |n: u32| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::Intervene(Intervention::Append(n)))
        })
    };
    let on_prevote = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            dispatch.emit(Action::Intervene(Intervention::Set {
                key: ConfigKey::PreVote,
                value: on as u64,
                node: None,
            }));
        })
    };
    html! {
        <section class="card" aria-labelledby="network-title">
            <h2 id="network-title">{ "Network and clients" }</h2>
            <div class="actions">
                <button id="heal" onclick={heal}>{ "Heal network" }</button>
                <button id="append-1" onclick={append(1)}>{ "Append 1 record" }</button>
                <button id="append-10" onclick={append(10)}>{ "Append 10" }</button>
            </div>
            <label class="slider">
                <span>{ format!("Latency ≈ {} ms", *latency) }</span>
                <input type="range" min="1" max="2000" step="1" value={latency.to_string()} onchange={on_latency} aria-label="Link latency in milliseconds" />
            </label>
            <label class="slider">
                <span>{ format!("Loss {} %", *loss) }</span>
                <input type="range" min="0" max="100" step="1" value={loss.to_string()} onchange={on_loss} aria-label="Message loss in percent" />
            </label>
            <label class="switch">
                <input type="checkbox" checked={props.pre_vote} onchange={on_prevote} />
                <span>{ "Pre-vote (KIP-996); takes effect as nodes restart" }</span>
            </label>
        </section>
    }
}

#[function_component(Events)]
fn events(props: &RowsProps<EventRow>) -> Html {
    let d = props;
    html! {
        <section class="card" aria-labelledby="events-title">
            <h2 id="events-title">{ "Events" }</h2>
            <ol class="events">
                { for d.rows.iter().map(|e| {
                    let dispatch = props.dispatch.clone();
                    let at = e.at_ms;
                    let onclick = Callback::from(move |_: MouseEvent| dispatch.emit(Action::Seek(at)));
                    let class = match e.marker {
                        Some(MarkerKind::LeaderChange) => "ev leader",
                        Some(MarkerKind::Election) => "ev election",
                        Some(MarkerKind::Fault) => "ev fault",
                        Some(MarkerKind::Violation) => "ev violation",
                        None => "ev",
                    };
                    html! {
                        <li class={class}>
                            <button {onclick} title="Jump the timeline here">
                                <span class="at">{ format_ms(e.at_ms) }</span>{ &e.text }
                            </button>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

#[function_component(Safety)]
fn safety(props: &RowsProps<SafetyRow>) -> Html {
    let d = props;
    html! {
        <section class="card" aria-labelledby="safety-title">
            <h2 id="safety-title">{ "Safety" }</h2>
            <ul class="safety">
                { for d.rows.iter().map(|s| {
                    match &s.violation {
                        Some((at, detail)) => {
                            let dispatch = props.dispatch.clone();
                            let at = *at;
                            let onclick = Callback::from(move |_: MouseEvent| dispatch.emit(Action::Seek(at)));
                            html! { <li class="bad"><button {onclick} title={detail.clone()}>{ format!("✗ {} — violated at {}", s.name, format_ms(at)) }</button></li> }
                        }
                        None => html! {
                            <li class={if s.relaxed { "relaxed" } else { "ok" }}>{ if s.relaxed { format!("– {} (relaxed)", s.name) } else { format!("✓ {}", s.name) } }</li>
                        },
                    }
                }) }
            </ul>
        </section>
    }
}
