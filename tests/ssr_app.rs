//! The App rendered to HTML natively (Yew SSR): the page's skeleton and its accessible
//! controls are there without a browser. Native only: the `ssr` feature and tokio are
//! native dev-dependencies.
#![cfg(not(target_arch = "wasm32"))]

use kraftscope::App;

async fn render_app() -> String {
    // Not hydratable: hydration comments would only get in the way of the assertions.
    yew::LocalServerRenderer::<App>::new()
        .hydratable(false)
        .render()
        .await
}

/// The first opening tag named `name`, attributes included (their order is Yew's choice).
fn opening_tag<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("<{name}"))
        .unwrap_or_else(|| panic!("no <{name}> in {html}"));
    let end = start + html[start..].find('>').expect("tag is closed");
    &html[start..=end]
}

#[tokio::test]
async fn app_renders_title_canvas_and_panel() {
    let html = render_app().await;
    assert!(html.contains("<h1>KRaftScope</h1>"), "{html}");
    assert!(
        opening_tag(&html, "canvas").contains(r#"id="cluster""#),
        "{html}"
    );
    assert!(
        opening_tag(&html, "aside").contains(r#"class="panel""#),
        "{html}"
    );
}

#[tokio::test]
async fn every_node_is_listed_with_an_accessible_name() {
    let html = render_app().await;
    for name in [
        "Controller 1",
        "Controller 2",
        "Controller 3",
        "Broker 4",
        "Broker 5",
    ] {
        assert!(
            html.contains(&format!(r#"aria-label="{name}: "#)),
            "{name} in {html}"
        );
    }
}

#[tokio::test]
async fn controls_have_accessible_names_and_a_live_region() {
    let html = render_app().await;
    for label in [
        "Pause (space)",
        "Step to the next event (right arrow)",
        "Skip to the next interesting event (n)",
        "Timeline: seek to any time in the run",
        "Keyboard shortcuts (?)",
    ] {
        assert!(
            html.contains(&format!(r#"aria-label="{label}""#)),
            "{label}"
        );
    }
    assert!(html.contains(r#"aria-live="polite""#));
}
