//! The App rendered to HTML natively (Yew SSR): the page's skeleton is there without a
//! browser. Native only: the `ssr` feature and tokio are native dev-dependencies.
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
async fn panel_lists_the_placeholder_controllers() {
    let html = render_app().await;
    for id in 1..=3 {
        assert!(html.contains(&format!("Controller {id}")), "{html}");
    }
}
