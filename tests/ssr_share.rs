//! The header's run menu rendered natively (Yew SSR): both buttons are named for what
//! they open, and a link or file that could not be opened shows as an alert that says
//! why and can be dismissed.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::tag_with_id;

use std::cell::RefCell;
use std::rc::Rc;

use kraftscope::ui::share_panel::{RunMenu, RunMenuProps};
use kraftscope::ui::state::Model;
use kraftscope::ui::ModelHandle;
use yew::Callback;

async fn render(load_error: Option<String>) -> String {
    let props = RunMenuProps {
        model: ModelHandle(Rc::new(RefCell::new(Model::new(Model::default_spec(1))))),
        load_error,
        dispatch: Callback::noop(),
    };
    yew::LocalServerRenderer::<RunMenu>::with_props(props)
        .hydratable(false)
        .render()
        .await
}

#[tokio::test]
async fn both_buttons_are_named_and_open_dialogs() {
    let html = render(None).await;
    let setup = tag_with_id(&html, "setup-open");
    assert!(setup.starts_with("<button"), "{setup}");
    assert!(setup.contains(r#"aria-haspopup="dialog""#), "{setup}");
    assert!(setup.contains(r#"aria-label="Cluster setup"#), "{setup}");
    let share = tag_with_id(&html, "share-open");
    assert!(share.contains(r#"aria-label="Share and save"#), "{share}");
    assert!(
        !html.contains("load-error"),
        "no message without an error: {html}"
    );
    assert!(
        !html.contains("<dialog"),
        "dialogs open only when asked: {html}"
    );
}

#[tokio::test]
async fn a_load_error_is_an_alert_that_can_be_dismissed() {
    let message = "Could not open the link: link: byte 12: node 12 does not exist in a 5-node cluster. The run shown is unchanged.";
    let html = render(Some(message.into())).await;
    let banner_at = html.find(r#"class="load-banner""#).expect("a banner");
    let banner = &html[html[..banner_at].rfind('<').unwrap()..];
    let tag = &banner[..banner.find('>').unwrap()];
    assert!(tag.contains(r#"role="alert""#), "{banner}");
    assert!(banner.contains(message), "{banner}");
    assert!(
        banner.contains(r#"aria-label="Dismiss this message""#),
        "{banner}"
    );
}
