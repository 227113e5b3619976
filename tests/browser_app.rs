//! The App mounted in headless Chromium (wasm-bindgen-test): the canvas is laid out
//! and painted, a leader is elected on screen, and the buttons drive the reducer.
//! `make test` runs every `tests/browser_*.rs`.
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_app() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    root.set_attribute("style", "width:1200px;height:700px")
        .unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<kraftscope::App>::with_root(root.clone()).render();
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
