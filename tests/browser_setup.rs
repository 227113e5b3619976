//! The cluster setup form in headless Chromium: an invalid `server.properties` edit
//! shows Kafka's message and disables Apply; fixing it enables Apply, which hands the
//! new spec (with the edited timer as a per-node override) to the app.
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use kraftscope::sim::{ClusterSpec, ConfigKey};
use kraftscope::ui::setup::{ClusterSetup, ClusterSetupProps};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement, InputEvent, InputEventInit};
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount(applied: Rc<RefCell<Vec<ClusterSpec>>>) -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let props = ClusterSetupProps {
        spec: ClusterSpec::new(3, 1, 5, true),
        on_apply: Callback::from(move |spec| applied.borrow_mut().push(spec)),
        edits: Vec::new(),
    };
    yew::Renderer::<ClusterSetup>::with_root_and_props(root.clone(), props).render();
    TimeoutFuture::new(50).await;
    root
}

async fn type_into(area: &HtmlTextAreaElement, text: &str) {
    area.set_value(text);
    // Yew listens at the root: the event must bubble, as a typed one does.
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let event = InputEvent::new_with_event_init_dict("input", &init).unwrap();
    area.dispatch_event(&event).unwrap();
    TimeoutFuture::new(50).await;
}

fn apply_button(root: &Element) -> HtmlElement {
    root.query_selector("button.setup-apply")
        .unwrap()
        .expect("an Apply button")
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn invalid_edit_shows_the_error_and_keeps_apply_disabled() {
    let applied = Rc::new(RefCell::new(Vec::new()));
    let root = mount(applied.clone()).await;
    assert!(!apply_button(&root).has_attribute("disabled"));
    let area: HtmlTextAreaElement = root
        .query_selector("#setup-node-2")
        .unwrap()
        .expect("node 2's textarea")
        .dyn_into()
        .unwrap();
    let original = area.value();
    let broken: String = original
        .lines()
        .filter(|l| !l.starts_with("node.id="))
        .map(|l| format!("{l}\n"))
        .collect();
    type_into(&area, &broken).await;

    let error = root
        .query_selector("#setup-node-2-error")
        .unwrap()
        .expect("an error under node 2's textarea");
    let message = error.text_content().unwrap_or_default();
    assert!(message.contains("node.id"), "{message}");
    assert_eq!(area.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        area.get_attribute("aria-describedby").as_deref(),
        Some("setup-node-2-error")
    );
    let button = apply_button(&root);
    assert!(button.has_attribute("disabled"));
    button.click();
    TimeoutFuture::new(20).await;
    assert!(
        applied.borrow().is_empty(),
        "a disabled Apply applies nothing"
    );

    // Fixing it (with a new election timeout) enables Apply, which emits the spec.
    let fixed = original.replace(
        "controller.quorum.election.timeout.ms=1000",
        "controller.quorum.election.timeout.ms=3000",
    );
    type_into(&area, &fixed).await;
    assert!(root
        .query_selector("#setup-node-2-error")
        .unwrap()
        .is_none());
    let button = apply_button(&root);
    assert!(!button.has_attribute("disabled"));
    button.click();
    TimeoutFuture::new(20).await;
    let applied = applied.borrow();
    assert_eq!(applied.len(), 1);
    assert_eq!(
        applied[0].overrides,
        vec![(2, ConfigKey::ElectionTimeoutMs, 3000)]
    );
}
