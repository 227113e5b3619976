//! The cluster setup form rendered to HTML natively (Yew SSR): every control has a label,
//! and a bad `server.properties` shows Kafka's message at its field with Apply disabled.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::tag_with_id;

use kraftscope::sim::ClusterSpec;
use kraftscope::ui::setup::{properties_for, ClusterSetup, ClusterSetupProps};
use yew::Callback;

async fn render(spec: ClusterSpec, edits: Vec<(i32, String)>) -> String {
    let props = ClusterSetupProps {
        spec,
        on_apply: Callback::noop(),
        edits,
    };
    yew::LocalServerRenderer::<ClusterSetup>::with_props(props)
        .hydratable(false)
        .render()
        .await
}

fn button(html: &str) -> &str {
    let start = html.find("<button").expect("a button");
    &html[start..start + html[start..].find('>').unwrap() + 1]
}

fn spec() -> ClusterSpec {
    let mut s = ClusterSpec::new(3, 2, 11, true);
    s.combined = 1;
    s
}

#[tokio::test]
async fn renders_labelled_fields_and_one_textarea_per_node() {
    let html = render(spec(), Vec::new()).await;
    for (id, label) in [
        ("setup-controllers", "Controllers (1–9)"),
        ("setup-brokers", "Brokers (0–50)"),
        ("setup-combined", "Combined nodes"),
        ("setup-seed", "Seed"),
        ("setup-prevote", "Pre-vote"),
    ] {
        assert!(
            html.contains(&format!(r#"for="{id}""#)),
            "label for {id}: {html}"
        );
        assert!(html.contains(label), "{label}: {html}");
        tag_with_id(&html, id);
    }
    assert!(tag_with_id(&html, "setup-controllers").contains(r#"value="3""#));
    assert!(tag_with_id(&html, "setup-seed").contains(r#"value="11""#));
    assert!(tag_with_id(&html, "setup-prevote").contains("checked"));
    for id in 1..=5 {
        let area = tag_with_id(&html, &format!("setup-node-{id}"));
        assert!(area.starts_with("<textarea"), "{area}");
        assert!(area.contains(r#"aria-invalid="false""#), "{area}");
        assert!(html.contains(&format!(r#"for="setup-node-{id}""#)));
    }
    assert!(html.contains("node.id=4"), "the generated text is shown");
    assert!(html.contains("process.roles=broker,controller"));
    assert!(!button(&html).contains("disabled"), "{}", button(&html));
    assert!(!html.contains("setup-error"));
}

#[tokio::test]
async fn a_bad_edit_shows_kafkas_message_at_the_field_and_disables_apply() {
    let spec = spec();
    let without_node_id: String = properties_for(&spec, 2)
        .lines()
        .filter(|l| !l.starts_with("node.id="))
        .map(|l| format!("{l}\n"))
        .collect();
    let html = render(spec, vec![(2, without_node_id)]).await;
    let area = tag_with_id(&html, "setup-node-2");
    assert!(area.contains(r#"aria-invalid="true""#), "{area}");
    assert!(
        area.contains(r#"aria-describedby="setup-node-2-error""#),
        "{area}"
    );
    let message = tag_with_id(&html, "setup-node-2-error");
    assert!(message.contains(r#"role="alert""#), "{message}");
    let text_start = html.find(r#"id="setup-node-2-error""#).unwrap();
    let text = &html[text_start..text_start + html[text_start..].find("</p>").unwrap()];
    assert!(
        text.contains("node.id"),
        "Kafka's message names the key: {text}"
    );
    assert!(button(&html).contains("disabled"), "{}", button(&html));
    // The other nodes are untouched.
    assert!(tag_with_id(&html, "setup-node-1").contains(r#"aria-invalid="false""#));
}
