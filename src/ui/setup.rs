//! Cluster setup: the form that builds a [`ClusterSpec`] — controllers (1–9), brokers
//! (0–50), combined nodes, seed, pre-vote — and shows each node's generated
//! `server.properties`, editable, validated with Kafka's rules
//! ([`ServerConfig::parse`]) on every edit.
//!
//! An invalid field shows Kafka's message beside it (`aria-invalid`,
//! `aria-describedby`) and keeps "Apply" disabled: nothing reaches the running cluster
//! until the whole form is valid. Accepted timer keys (`controller.quorum.*.ms`) become
//! the spec's per-node overrides (`set … node=<id>`).
//!
//! [`SetupForm`] is the plain-Rust model (tested natively); [`ClusterSetup`] renders it.

use crate::kraft::NodeId;
use crate::ordered::ordered;
use crate::server::{ProcessRoles, QuorumVoter, ServerConfig};
use crate::sim::config::{ClusterSpec, ConfigKey};
use crate::sim::scenario::export::{
    check_config_value, config_value, validate_spec, MAX_BROKERS, MAX_CONTROLLERS,
};
use std::collections::BTreeMap;
use yew::prelude::*;

/// The `server.properties` timer keys the simulator models, and where they land.
pub const TIMER_KEYS: [ConfigKey; 6] = [
    ConfigKey::ElectionTimeoutMs,
    ConfigKey::FetchTimeoutMs,
    ConfigKey::ElectionBackoffMaxMs,
    ConfigKey::RequestTimeoutMs,
    ConfigKey::RetryBackoffMs,
    ConfigKey::AppendLingerMs,
];

fn timer_of(cfg: &ServerConfig, key: ConfigKey) -> u64 {
    let v = match key {
        ConfigKey::ElectionTimeoutMs => cfg.quorum_election_timeout_ms,
        ConfigKey::FetchTimeoutMs => cfg.quorum_fetch_timeout_ms,
        ConfigKey::ElectionBackoffMaxMs => cfg.quorum_election_backoff_max_ms,
        ConfigKey::RequestTimeoutMs => cfg.quorum_request_timeout_ms,
        ConfigKey::RetryBackoffMs => cfg.quorum_retry_backoff_ms,
        _ => cfg.quorum_append_linger_ms,
    };
    v as u64
}

fn set_timer(cfg: &mut ServerConfig, key: ConfigKey, value: u64) {
    let v = u32::try_from(value).unwrap_or(u32::MAX);
    match key {
        ConfigKey::ElectionTimeoutMs => cfg.quorum_election_timeout_ms = v,
        ConfigKey::FetchTimeoutMs => cfg.quorum_fetch_timeout_ms = v,
        ConfigKey::ElectionBackoffMaxMs => cfg.quorum_election_backoff_max_ms = v,
        ConfigKey::RequestTimeoutMs => cfg.quorum_request_timeout_ms = v,
        ConfigKey::RetryBackoffMs => cfg.quorum_retry_backoff_ms = v,
        _ => cfg.quorum_append_linger_ms = v,
    }
}

fn process_roles(spec: &ClusterSpec, id: NodeId) -> ProcessRoles {
    let r = spec.roles(id);
    match (r.controller, r.broker) {
        (true, true) => ProcessRoles::Combined,
        (true, false) => ProcessRoles::Controller,
        _ => ProcessRoles::Broker,
    }
}

/// The `server.properties` node `id` of `spec` starts with (its timers included).
pub fn properties_for(spec: &ClusterSpec, id: NodeId) -> String {
    let voters: Vec<QuorumVoter> = spec
        .voters()
        .into_iter()
        .map(QuorumVoter::for_node)
        .collect();
    let mut cfg = ServerConfig::default_for(id, process_roles(spec, id), &voters);
    let q = spec.quorum_for(id);
    for key in TIMER_KEYS {
        set_timer(&mut cfg, key, config_value(&q, key));
    }
    cfg.to_properties_text()
}

/// Check node `id`'s edited text: Kafka's rules, then what the simulated cluster needs
/// (the same `node.id`, roles and voters). `Ok` gives its timer values.
pub fn check_properties(
    spec: &ClusterSpec,
    id: NodeId,
    text: &str,
) -> Result<Vec<(ConfigKey, u64)>, String> {
    let cfg = ServerConfig::parse(text).map_err(|e| e.to_string())?;
    if cfg.node_id != id {
        return Err(format!(
            "node.id={} but this is node {id}: node ids are given by the cluster's shape",
            cfg.node_id
        ));
    }
    let want = process_roles(spec, id);
    if cfg.process_roles != want {
        return Err(format!(
            "process.roles={} but node {id} is set up as {}: change the counts above instead",
            cfg.process_roles.config_value(),
            want.config_value()
        ));
    }
    let voters: Vec<NodeId> = cfg.controller_quorum_voters.iter().map(|v| v.id).collect();
    if voters != spec.voters() {
        return Err(format!(
            "controller.quorum.voters names {voters:?}, but the cluster's controllers are {:?}",
            spec.voters()
        ));
    }
    let mut timers = Vec::new();
    for key in TIMER_KEYS {
        let value = timer_of(&cfg, key);
        check_config_value(key, value)?;
        timers.push((key, value));
    }
    Ok(timers)
}

/// The form's state: what was typed, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupForm {
    /// The spec the form started from (its quorum defaults and relaxed invariants carry over).
    pub base: ClusterSpec,
    pub controllers: String,
    pub brokers: String,
    pub combined: String,
    pub seed: String,
    pub pre_vote: bool,
    /// Each node's `server.properties` text, by node id.
    pub texts: BTreeMap<NodeId, String>,
}

/// What is wrong with the form, by field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormErrors {
    pub controllers: Option<String>,
    pub brokers: Option<String>,
    pub combined: Option<String>,
    pub seed: Option<String>,
    pub nodes: BTreeMap<NodeId, String>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.controllers.is_none()
            && self.brokers.is_none()
            && self.combined.is_none()
            && self.seed.is_none()
            && self.nodes.is_empty()
    }
}

fn parse_count(text: &str, what: &str, min: u32, max: u32) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{what}: enter a whole number from {min} to {max}")),
    }
}

impl SetupForm {
    pub fn from_spec(spec: &ClusterSpec) -> Self {
        let texts: BTreeMap<_, _> =
            ordered((1..=spec.max_node_id()).map(|id| (id, properties_for(spec, id))));
        Self {
            base: spec.clone(),
            controllers: spec.controllers.to_string(),
            brokers: spec.brokers.to_string(),
            combined: spec.combined.to_string(),
            seed: spec.seed.to_string(),
            pre_vote: spec.quorum.pre_vote,
            texts,
        }
    }

    /// The spec from the counts, seed and switch (texts aside), or the field errors.
    fn shape(&self) -> Result<ClusterSpec, FormErrors> {
        let mut e = FormErrors::default();
        let controllers = parse_count(&self.controllers, "Controllers", 1, MAX_CONTROLLERS)
            .map_err(|m| e.controllers = Some(m))
            .ok();
        let brokers = parse_count(&self.brokers, "Brokers", 0, MAX_BROKERS)
            .map_err(|m| e.brokers = Some(m))
            .ok();
        let combined = parse_count(
            &self.combined,
            "Combined nodes",
            0,
            controllers.unwrap_or(MAX_CONTROLLERS),
        )
        .map_err(|m| e.combined = Some(m))
        .ok();
        let seed = self
            .seed
            .trim()
            .parse::<u64>()
            .map_err(|_| {
                e.seed = Some("Seed: enter a whole number from 0 to 18446744073709551615".into())
            })
            .ok();
        match (controllers, brokers, combined, seed) {
            (Some(c), Some(b), Some(k), Some(s)) => {
                let mut spec = ClusterSpec {
                    controllers: c,
                    brokers: b,
                    combined: k,
                    seed: s,
                    quorum: self.base.quorum.clone(),
                    overrides: Vec::new(),
                    relaxed: self.base.relaxed.clone(),
                    metadata: self.base.metadata,
                    server_properties: Vec::new(),
                    formats: Vec::new(),
                };
                spec.quorum.pre_vote = self.pre_vote;
                // Overrides `server.properties` cannot show (the kraftscope.* switches)
                // carry over for the nodes that remain.
                spec.overrides = self
                    .base
                    .overrides
                    .iter()
                    .filter(|(n, k, _)| spec.exists(*n) && !TIMER_KEYS.contains(k))
                    .cloned()
                    .collect();
                Ok(spec)
            }
            _ => Err(e),
        }
    }

    /// Change a count, the seed or the switch. A new shape (counts) regenerates every
    /// node's text, since ids, roles and voters all move with it.
    pub fn set_field(&mut self, field: Field, value: String) {
        let old_shape = self
            .shape()
            .ok()
            .map(|s| (s.controllers, s.brokers, s.combined));
        match field {
            Field::Controllers => self.controllers = value,
            Field::Brokers => self.brokers = value,
            Field::Combined => self.combined = value,
            Field::Seed => self.seed = value,
        }
        if let Ok(spec) = self.shape() {
            if old_shape != Some((spec.controllers, spec.brokers, spec.combined)) {
                self.texts.clear();
                self.texts
                    .extend((1..=spec.max_node_id()).map(|id| (id, properties_for(&spec, id))));
            }
        }
    }

    /// Every error in the form.
    pub fn errors(&self) -> FormErrors {
        match self.shape() {
            Err(e) => e,
            Ok(spec) => self.check_texts(&spec).err().unwrap_or_default(),
        }
    }

    fn check_texts(&self, spec: &ClusterSpec) -> Result<ClusterSpec, FormErrors> {
        let mut e = FormErrors::default();
        let mut out = spec.clone();
        for id in 1..=spec.max_node_id() {
            let generated;
            let text = match self.texts.get(&id) {
                Some(t) => t.as_str(),
                None => {
                    generated = properties_for(spec, id);
                    generated.as_str()
                }
            };
            match check_properties(spec, id, text) {
                Ok(timers) => {
                    for (key, value) in timers {
                        if value != config_value(&spec.quorum, key) {
                            out.overrides.push((id, key, value));
                        }
                    }
                }
                Err(m) => {
                    e.nodes.insert(id, m);
                }
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        // (node, key) pairs are unique here, so an unstable sort gives the one order.
        out.overrides.sort_unstable_by_key(|(n, k, _)| (*n, *k));
        validate_spec(&out).map_err(|err| FormErrors {
            controllers: Some(err.message),
            ..FormErrors::default()
        })?;
        Ok(out)
    }

    /// The spec to apply, if the whole form is valid.
    pub fn to_spec(&self) -> Result<ClusterSpec, FormErrors> {
        let spec = self.shape()?;
        self.check_texts(&spec)
    }
}

/// The form's text fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Controllers,
    Brokers,
    Combined,
    Seed,
}

#[derive(Properties, PartialEq)]
pub struct ClusterSetupProps {
    /// The cluster running now: the form starts from it (and resets when it changes).
    pub spec: ClusterSpec,
    /// Called with the new spec when "Apply" is pressed on a valid form.
    pub on_apply: Callback<ClusterSpec>,
    /// Texts to start from instead of the generated ones (a draft the app kept).
    #[prop_or_default]
    pub edits: Vec<(NodeId, String)>,
}

fn initial_form(props: &ClusterSetupProps) -> SetupForm {
    let mut form = SetupForm::from_spec(&props.spec);
    for (id, text) in &props.edits {
        form.texts.insert(*id, text.clone());
    }
    form
}

fn role_name(spec: &ClusterSpec, id: NodeId) -> &'static str {
    match process_roles(spec, id) {
        ProcessRoles::Combined => "combined controller and broker",
        ProcessRoles::Controller => "controller",
        ProcessRoles::Broker => "broker",
    }
}

/// Number/text input with its label and, when invalid, the message it points to.
fn field_view(
    id: &'static str,
    label: &'static str,
    value: &str,
    error: Option<&String>,
    input_type: &'static str,
    oninput: Callback<InputEvent>,
) -> Html {
    let error_id = format!("{id}-error");
    html! {
        <div class="setup-field">
            <label for={id}>{ label }</label>
            <input
                id={id}
                type={input_type}
                inputmode="numeric"
                value={value.to_string()}
                aria-invalid={if error.is_some() { "true" } else { "false" }}
                aria-describedby={error.map(|_| error_id.clone())}
                {oninput}
            />
            if let Some(message) = error {
                <p class="setup-error" id={error_id} role="alert">{ message.clone() }</p>
            }
        </div>
    }
}

#[cfg(target_arch = "wasm32")]
fn event_value(e: &InputEvent) -> String {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| {
            if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
                Some(i.value())
            } else {
                t.dyn_ref::<web_sys::HtmlTextAreaElement>()
                    .map(|a| a.value())
            }
        })
        .unwrap_or_default()
}

/// Native builds (SSR, tests) never receive input events.
#[cfg(not(target_arch = "wasm32"))]
fn event_value(_e: &InputEvent) -> String {
    String::new()
}

/// The cluster setup form.
#[function_component(ClusterSetup)]
pub fn cluster_setup(props: &ClusterSetupProps) -> Html {
    let form = use_state(|| initial_form(props));
    {
        let form = form.clone();
        use_effect_with(props.spec.clone(), move |spec| {
            if form.base != *spec {
                form.set(SetupForm::from_spec(spec));
            }
        });
    }
    let errors = form.errors();
    let shape = form.shape().ok();

    let on_field = |field: Field| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*form).clone();
            next.set_field(field, event_value(&e));
            form.set(next);
        })
    };
    let on_prevote = {
        let form = form.clone();
        Callback::from(move |_: Event| {
            let mut next = (*form).clone();
            next.pre_vote = !next.pre_vote;
            form.set(next);
        })
    };
    let on_apply = {
        let form = form.clone();
        let on_apply = props.on_apply.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Ok(spec) = form.to_spec() {
                on_apply.emit(spec);
            }
        })
    };
    let valid = errors.is_empty();

    let nodes = shape.as_ref().map(|spec| {
        (1..=spec.max_node_id())
            .map(|id| {
                let text = form
                    .texts
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| properties_for(spec, id));
                let error = errors.nodes.get(&id);
                let area_id = format!("setup-node-{id}");
                let error_id = format!("setup-node-{id}-error");
                let oninput = {
                    let form = form.clone();
                    Callback::from(move |e: InputEvent| {
                        let mut next = (*form).clone();
                        next.texts.insert(id, event_value(&e));
                        form.set(next);
                    })
                };
                let role = role_name(spec, id);
                html! {
                    <details class={classes!("setup-node", error.map(|_| "setup-node-invalid"))} open={error.is_some()} key={id}>
                        <summary>
                            { format!("Node {id} · {role}") }
                            if error.is_some() { <span class="setup-badge">{ " · invalid" }</span> }
                        </summary>
                        <label for={area_id.clone()}>{ format!("server.properties of node {id} ({role})") }</label>
                        <textarea
                            id={area_id}
                            class="setup-properties"
                            spellcheck="false"
                            rows="14"
                            value={text}
                            aria-invalid={if error.is_some() { "true" } else { "false" }}
                            aria-describedby={error.map(|_| error_id.clone())}
                            {oninput}
                        />
                        if let Some(message) = error {
                            <p class="setup-error" id={error_id} role="alert">{ message.clone() }</p>
                        }
                    </details>
                }
            })
            .collect::<Html>()
    });

    html! {
        <form class="setup" aria-label="Cluster setup" onsubmit={on_apply}>
            <fieldset class="setup-shape">
                <legend>{ "Cluster" }</legend>
                { field_view("setup-controllers", "Controllers (1–9)", &form.controllers, errors.controllers.as_ref(), "number", on_field(Field::Controllers)) }
                { field_view("setup-brokers", "Brokers (0–50)", &form.brokers, errors.brokers.as_ref(), "number", on_field(Field::Brokers)) }
                { field_view("setup-combined", "Combined nodes (controllers that are also brokers)", &form.combined, errors.combined.as_ref(), "number", on_field(Field::Combined)) }
                { field_view("setup-seed", "Seed", &form.seed, errors.seed.as_ref(), "text", on_field(Field::Seed)) }
                <div class="setup-field setup-switch">
                    <input id="setup-prevote" type="checkbox" checked={form.pre_vote} onchange={on_prevote} />
                    <label for="setup-prevote">{ "Pre-vote (KIP-996; off = Kafka 3.9)" }</label>
                </div>
            </fieldset>
            <fieldset class="setup-nodes">
                <legend>{ "Each node's server.properties" }</legend>
                { nodes.unwrap_or_default() }
            </fieldset>
            <div class="setup-actions">
                <button type="submit" class="setup-apply" disabled={!valid} aria-describedby="setup-status">
                    { "Apply and restart the cluster" }
                </button>
                <p id="setup-status" class="setup-status" aria-live="polite">
                    { if valid { "Ready: applying starts a new run with this cluster." } else { "Fix the fields marked invalid; the running cluster is unchanged." } }
                </p>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ClusterSpec {
        let mut s = ClusterSpec::new(3, 2, 7, true);
        s.combined = 1;
        s
    }

    #[test]
    fn generated_texts_are_valid_and_give_back_the_spec() {
        let form = SetupForm::from_spec(&spec());
        assert_eq!(form.errors(), FormErrors::default());
        assert_eq!(form.to_spec(), Ok(spec()));
        assert!(
            form.texts[&1].contains("process.roles=broker,controller"),
            "{}",
            form.texts[&1]
        );
        assert!(form.texts[&5].contains("node.id=5"));
    }

    #[test]
    fn timer_edits_become_overrides() {
        let mut form = SetupForm::from_spec(&spec());
        let t = form.texts[&2].replace(
            "controller.quorum.election.timeout.ms=1000",
            "controller.quorum.election.timeout.ms=2500",
        );
        assert_ne!(t, form.texts[&2], "the generated text lists the timer");
        form.texts.insert(2, t);
        let got = form.to_spec().unwrap();
        assert_eq!(got.overrides, vec![(2, ConfigKey::ElectionTimeoutMs, 2500)]);
        // And the regenerated text for the new spec shows it.
        assert!(properties_for(&got, 2).contains("controller.quorum.election.timeout.ms=2500"));
        assert_eq!(SetupForm::from_spec(&got).to_spec(), Ok(got));
    }

    #[test]
    fn invalid_edits_are_refused_with_kafkas_message() {
        let mut form = SetupForm::from_spec(&spec());
        let t: String = form.texts[&2]
            .lines()
            .filter(|l| !l.starts_with("node.id="))
            .map(|l| format!("{l}\n"))
            .collect();
        form.texts.insert(2, t);
        let e = form.to_spec().unwrap_err();
        assert_eq!(e.nodes.keys().copied().collect::<Vec<_>>(), vec![2]);
        assert!(e.nodes[&2].contains("node.id"), "{}", e.nodes[&2]);

        let mut form = SetupForm::from_spec(&spec());
        let t = form.texts[&4].replace("node.id=4", "node.id=9");
        form.texts.insert(4, t);
        assert_eq!(
            form.errors().nodes[&4],
            "node.id=9 but this is node 4: node ids are given by the cluster's shape"
        );
    }

    #[test]
    fn counts_are_checked_and_reshape_the_nodes() {
        let mut form = SetupForm::from_spec(&spec());
        form.set_field(Field::Controllers, "10".into());
        assert_eq!(
            form.errors().controllers.as_deref(),
            Some("Controllers: enter a whole number from 1 to 9")
        );
        form.set_field(Field::Controllers, "5".into());
        form.set_field(Field::Brokers, "0".into());
        assert_eq!(form.texts.len(), 5);
        let got = form.to_spec().unwrap();
        assert_eq!((got.controllers, got.brokers, got.combined), (5, 0, 1));
        form.set_field(Field::Combined, "6".into());
        assert!(form.errors().combined.is_some());
        form.set_field(Field::Combined, "1".into());
        form.set_field(Field::Seed, "x".into());
        assert!(form.errors().seed.is_some());
    }
}
