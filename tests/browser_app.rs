//! The App mounted in headless Chromium (wasm-bindgen-test): the canvas is laid out
//! and painted, a leader is elected on screen, and the buttons drive the reducer.
//! `make test` runs every `tests/browser_*.rs`.
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    /// The App the previous test mounted: every test shares one page.
    static MOUNTED: std::cell::RefCell<Option<yew::AppHandle<kraftscope::App>>> =
        const { std::cell::RefCell::new(None) };
}

/// Mounts a fresh App. The one a previous test mounted is destroyed first and the page's
/// link cleared: an App keeps writing its run into the URL, and a new App opens the run
/// the URL names (paused, when it names a moment past the start).
async fn mount_app() -> Element {
    if let Some(previous) = MOUNTED.with(|m| m.borrow_mut().take()) {
        previous.destroy();
    }
    let window = gloo::utils::window();
    let path = window.location().pathname().unwrap() + &window.location().search().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        .unwrap();
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    root.set_attribute("style", "width:1200px;height:700px")
        .unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<kraftscope::App>::with_root(root.clone()).render();
    MOUNTED.with(|m| *m.borrow_mut() = Some(handle));
    // Yew renders on the next tick and the canvas is painted on the next frame.
    TimeoutFuture::new(150).await;
    root
}

fn canvas(root: &Element) -> HtmlCanvasElement {
    root.query_selector("canvas#cluster")
        .unwrap()
        .expect("the App renders a canvas#cluster")
        .dyn_into()
        .unwrap()
}

fn status(root: &Element, attr: &str) -> String {
    root.query_selector("#status")
        .unwrap()
        .expect("a status line")
        .get_attribute(attr)
        .unwrap_or_default()
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

#[wasm_bindgen_test]
async fn canvas_is_sized_and_painted() {
    let root = mount_app().await;
    let canvas = canvas(&root);
    let ratio = gloo::utils::window().device_pixel_ratio();
    assert!(canvas.client_width() > 0 && canvas.client_height() > 0);
    assert_eq!(
        canvas.width(),
        (canvas.client_width() as f64 * ratio) as u32
    );
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    let pixels = ctx.get_image_data(0.0, 0.0, w, h).unwrap().data();
    let first = &pixels[..4];
    let differing = pixels.chunks_exact(4).filter(|rgba| *rgba != first).count();
    assert!(differing > 1000, "nodes are drawn, not only a background");
    assert!(canvas
        .get_attribute("data-layout")
        .is_some_and(|l| l.starts_with("1:")));
}

#[wasm_bindgen_test]
async fn a_leader_appears_and_pause_stops_the_clock() {
    let root = mount_app().await;
    for _ in 0..60 {
        if !status(&root, "data-leader").is_empty() {
            break;
        }
        TimeoutFuture::new(100).await;
    }
    assert!(
        !status(&root, "data-leader").is_empty(),
        "no leader after 6 s"
    );
    click(&root, "#play"); // pause
    TimeoutFuture::new(150).await;
    let t = status(&root, "data-time-ms");
    TimeoutFuture::new(300).await;
    assert_eq!(status(&root, "data-time-ms"), t, "paused clock moved");
    click(&root, "#step");
    TimeoutFuture::new(150).await;
    assert_ne!(status(&root, "data-time-ms"), t, "step did not advance");
}

#[wasm_bindgen_test]
async fn selecting_a_node_opens_its_inspector() {
    let root = mount_app().await;
    click(&root, r#"button[data-node="2"]"#);
    TimeoutFuture::new(150).await;
    let title = root.query_selector("#inspector-title").unwrap().unwrap();
    assert_eq!(title.text_content().unwrap(), "Controller 2");
}
