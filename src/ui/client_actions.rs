//! Client actions: create topic, delete topic, controlled shutdown of a broker. Each
//! becomes the scenario language's intervention (`create-topic`, `delete-topic`,
//! `controlled-shutdown`) sent through the reducer, so it lands on the timeline and
//! replays like any other.
//!
//! The form checks only what a client checks before sending (the topic name's
//! characters, that the counts are positive numbers), with Kafka's wording; whether the
//! cluster accepts the request is the active controller's decision, read back from its
//! `AdminRefused` trace event and worded as Kafka's error message by
//! [`admin_refusal_message`].

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::narrate::node_name;
use super::state::Action;
use crate::kraft::NodeId;
use crate::metadata::controller::ControllerError;
use crate::sim::{Intervention, World};

/// Kafka's `Topic.MAX_NAME_LENGTH`.
pub const MAX_TOPIC_NAME_LENGTH: usize = 249;

/// What the client actions offer, read from the world.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientData {
    /// Topic names in the active controller's image (for delete).
    pub topics: Vec<String>,
    /// Brokers: id and display name (for controlled shutdown).
    pub brokers: Vec<(NodeId, String)>,
    /// The controller's refusal of the last admin request, in Kafka's words.
    pub refusal: Option<String>,
}

impl ClientData {
    pub fn build(w: &World, refusal: Option<String>) -> ClientData {
        let image = w
            .active_controller()
            .and_then(|c| w.process(c))
            .map(|p| p.image());
        ClientData {
            topics: image.map_or_else(Vec::new, |i| {
                i.topics()
                    .topics_by_name()
                    .take(200)
                    .map(|t| t.name().to_string())
                    .collect()
            }),
            brokers: w
                .processes()
                .iter()
                .filter(|p| p.roles.broker)
                .map(|p| (p.id, node_name(w.spec(), p.id)))
                .collect(),
            refusal,
        }
    }
}

/// Kafka's `Topic.validate`, with its messages.
pub fn validate_topic_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Topic name is illegal, it can't be empty".into());
    }
    if name == "." || name == ".." {
        return Err("Topic name cannot be \".\" or \"..\"".into());
    }
    if name.len() > MAX_TOPIC_NAME_LENGTH {
        return Err(format!(
            "Topic name is illegal, it can't be longer than {MAX_TOPIC_NAME_LENGTH} characters, topic name: {name}"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

fn positive(field: &str, text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "{field}: \"{}\" is not a positive whole number",
            text.trim()
        )),
    }
}

/// The create-topic form's fields as the `create-topic` intervention, or the first
/// problem with them, naming the field.
pub fn parse_create_topic(
    name: &str,
    partitions: &str,
    replication: &str,
) -> Result<Intervention, String> {
    let name = name.trim();
    validate_topic_name(name).map_err(|e| format!("Topic name: {e}"))?;
    Ok(Intervention::CreateTopic {
        name: name.to_string(),
        partitions: positive("Partitions", partitions)?,
        replication: positive("Replication factor", replication)?,
    })
}

/// The refusal as Kafka's admin client reports it (`ERROR_NAME (message)`). For
/// INVALID_REPLICATION_FACTOR the count is the brokers the active controller's image
/// has unfenced and not shutting down: the ones its replica placer may use.
pub fn admin_refusal_message(
    error: ControllerError,
    request: Option<&Intervention>,
    w: &World,
) -> String {
    let detail = match (error, request) {
        (
            ControllerError::InvalidReplicationFactor,
            Some(Intervention::CreateTopic { replication, .. }),
        ) => {
            let usable = w
                .active_controller()
                .and_then(|c| w.process(c))
                .map_or(0, |p| {
                    p.image()
                        .cluster()
                        .brokers()
                        .filter(|b| !b.fenced && !b.in_controlled_shutdown)
                        .count()
                });
            format!(
                "Unable to replicate the partition {replication} time(s): The target replication factor of {replication} cannot be reached because only {usable} broker(s) are registered."
            )
        }
        (ControllerError::TopicAlreadyExists, Some(Intervention::CreateTopic { name, .. })) => {
            format!("Topic '{name}' already exists.")
        }
        (ControllerError::InvalidPartitions, _) => {
            "Number of partitions must be larger than 0.".into()
        }
        (
            ControllerError::NotAnIncrease { current, requested },
            Some(Intervention::CreatePartitions { name, .. }),
        ) if current != requested => {
            format!(
                "The topic {name} currently has {current} partition(s); {requested} would not be an increase."
            )
        }
        (ControllerError::UnknownTopicOrPartition, _) => {
            "This server does not host this topic-partition.".into()
        }
        (ControllerError::NotController, _) => {
            "There is no active controller yet: try again once one is elected.".into()
        }
        _ => error.message().unwrap_or_default(),
    };
    if detail.is_empty() {
        format!("The controller refused the request: {}", error.name())
    } else {
        format!("{} ({detail})", error.name())
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub data: Rc<ClientData>,
    pub dispatch: Callback<Action>,
}

/// The Client actions card.
#[function_component(ClientActions)]
pub fn client_actions(props: &Props) -> Html {
    // Controlled inputs: the form's text lives in state, so a re-render never resets it.
    let name = use_state(|| "orders".to_string());
    let partitions = use_state(|| "3".to_string());
    let replication = use_state(|| "2".to_string());
    let problem = use_state(|| None::<String>);
    let bind = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| {
            h.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_create = {
        let (n, p, r) = (name.clone(), partitions.clone(), replication.clone());
        let dispatch = props.dispatch.clone();
        let problem = problem.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_create_topic(&n, &p, &r) {
                Ok(i) => {
                    problem.set(None);
                    dispatch.emit(Action::Intervene(i));
                }
                Err(msg) => problem.set(Some(msg)),
            }
        })
    };
    let delete_ref = use_node_ref();
    let on_delete = {
        let d = delete_ref.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(s) = d.cast::<HtmlSelectElement>() {
                if !s.value().is_empty() {
                    dispatch.emit(Action::Intervene(Intervention::DeleteTopic(s.value())));
                }
            }
        })
    };
    let broker_ref = use_node_ref();
    let on_shutdown = {
        let b = broker_ref.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(id) = b
                .cast::<HtmlSelectElement>()
                .and_then(|s| s.value().parse::<NodeId>().ok())
            {
                dispatch.emit(Action::Intervene(Intervention::ControlledShutdown(id)));
            }
        })
    };
    let d = &props.data;
    html! {
        <section class="card client-actions" aria-labelledby="client-title">
            <h2 id="client-title">{ "Client actions" }</h2>
            <form id="create-topic" class="form" onsubmit={on_create} aria-label="Create topic">
                <label class="wide">{ "Topic" }<input id="topic-name" name="topic" type="text" value={(*name).clone()} oninput={bind(&name)} autocomplete="off" spellcheck="false" /></label>
                <label>{ "Partitions" }<input id="topic-partitions" name="partitions" type="text" inputmode="numeric" value={(*partitions).clone()} oninput={bind(&partitions)} /></label>
                <label>{ "Replication factor" }<input id="topic-replication" name="replication" type="text" inputmode="numeric" value={(*replication).clone()} oninput={bind(&replication)} /></label>
                <button type="submit" id="create-topic-submit">{ "Create topic" }</button>
            </form>
            if let Some(p) = &*problem {
                <p class="error" role="alert" id="create-topic-error">{ p }</p>
            } else if let Some(r) = &d.refusal {
                <p class="error" role="alert" id="admin-refusal">{ r }</p>
            }
            <form id="delete-topic" class="form inline" onsubmit={on_delete} aria-label="Delete topic">
                <label>{ "Topic" }
                    <select ref={delete_ref} id="delete-topic-name" disabled={d.topics.is_empty()}>
                        { for d.topics.iter().map(|t| html! { <option value={t.clone()}>{ t }</option> }) }
                    </select>
                </label>
                <button type="submit" disabled={d.topics.is_empty()}>{ "Delete topic" }</button>
            </form>
            <form id="controlled-shutdown" class="form inline" onsubmit={on_shutdown} aria-label="Controlled shutdown">
                <label>{ "Broker" }
                    <select ref={broker_ref} id="shutdown-broker" disabled={d.brokers.is_empty()}>
                        { for d.brokers.iter().map(|(id, name)| html! { <option value={id.to_string()}>{ name }</option> }) }
                    </select>
                </label>
                <button type="submit" disabled={d.brokers.is_empty()}>{ "Controlled shutdown" }</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_create_topic_form_becomes_the_create_topic_intervention() {
        assert_eq!(
            parse_create_topic(" orders ", "3", " 2"),
            Ok(Intervention::CreateTopic {
                name: "orders".into(),
                partitions: 3,
                replication: 2
            })
        );
    }

    #[test]
    fn bad_form_input_names_the_field_and_what_is_wrong() {
        assert_eq!(
            parse_create_topic("", "3", "2"),
            Err("Topic name: Topic name is illegal, it can't be empty".into())
        );
        assert_eq!(
            parse_create_topic("a b", "3", "2"),
            Err("Topic name: Topic name \"a b\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'".into())
        );
        assert_eq!(
            parse_create_topic("..", "3", "2"),
            Err("Topic name: Topic name cannot be \".\" or \"..\"".into())
        );
        assert!(parse_create_topic(&"x".repeat(250), "1", "1")
            .unwrap_err()
            .contains("longer than 249"));
        assert_eq!(
            parse_create_topic("t", "0", "2"),
            Err("Partitions: \"0\" is not a positive whole number".into())
        );
        assert_eq!(
            parse_create_topic("t", "3", "-1"),
            Err("Replication factor: \"-1\" is not a positive whole number".into())
        );
        assert_eq!(
            parse_create_topic("t", "lots", "1"),
            Err("Partitions: \"lots\" is not a positive whole number".into())
        );
    }
}

#[cfg(test)]
mod reducer_tests {
    use super::*;
    use crate::sim::ClusterSpec;
    use crate::ui::metadata_panel::MetadataView;
    use crate::ui::state::Model;
    use crate::ui::view_model::PanelData;

    fn running() -> Model {
        let mut m = Model::new(ClusterSpec::new(3, 2, 7, true));
        for _ in 0..400 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        assert!(m.world().active_controller().is_some());
        m
    }

    fn play(m: &mut Model, ms: f64) {
        for _ in 0..(ms / 16.0) as usize {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
    }

    #[test]
    fn create_topic_is_recorded_and_every_broker_image_shows_it_with_leaders_and_isr() {
        let mut m = running();
        m.reduce(Action::Intervene(
            parse_create_topic("orders", "3", "2").unwrap(),
        ));
        assert_eq!(m.error, None);
        assert_eq!(m.timeline().run().interventions.len(), 1);
        play(&mut m, 2_000.0);
        let v = MetadataView::build(m.world(), 4).unwrap();
        let t = v.topics.iter().find(|t| t.name == "orders").expect("topic");
        assert_eq!(t.partition_count, 3);
        for p in &t.partitions {
            assert_eq!(p.replicas.len(), 2);
            assert_eq!(p.isr, p.replicas);
            assert_eq!(p.leader, p.replicas[0]);
        }
        assert!(v.brokers.iter().all(|b| !b.fenced), "{:?}", v.brokers);
        // Deleting it removes it from the image too.
        m.reduce(Action::Intervene(Intervention::DeleteTopic(
            "orders".into(),
        )));
        play(&mut m, 2_000.0);
        let v = MetadataView::build(m.world(), 4).unwrap();
        assert!(v.topics.is_empty());
        assert_eq!(m.timeline().run().interventions.len(), 2);
    }

    #[test]
    fn a_replication_factor_above_the_unfenced_brokers_gets_kafkas_message() {
        let mut m = running();
        m.reduce(Action::Intervene(
            parse_create_topic("orders", "3", "3").unwrap(),
        ));
        assert_eq!(m.error, None);
        assert_eq!(
            m.admin_error.as_deref(),
            Some("INVALID_REPLICATION_FACTOR (Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.)")
        );
        play(&mut m, 1_000.0);
        assert!(MetadataView::build(m.world(), 4).unwrap().topics.is_empty());
        // The form shows the message, where the user acted.
        assert_eq!(PanelData::build(&m).client.refusal, m.admin_error);
        // The next accepted request retires it.
        m.reduce(Action::Intervene(
            parse_create_topic("orders", "3", "2").unwrap(),
        ));
        assert_eq!(m.admin_error, None);
    }

    #[test]
    fn controlled_shutdown_shows_in_the_broker_state_and_the_image() {
        let mut m = running();
        m.reduce(Action::Intervene(Intervention::ControlledShutdown(5)));
        assert_eq!(m.error, None);
        play(&mut m, 3_000.0);
        let p = m.world().process(5).unwrap();
        assert!(
            !p.alive() || p.broker_state() != Some(crate::metadata::broker::BrokerState::Running)
        );
        let v = MetadataView::build(m.world(), 1).unwrap();
        let b = v.brokers.iter().find(|b| b.id == 5).unwrap();
        assert!(b.fenced || b.in_controlled_shutdown, "{b:?}");
        assert_ne!(b.status(), "unfenced");
    }
}
