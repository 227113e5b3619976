//! The App mounted in headless Chromium (wasm-bindgen-test): the canvas is laid out
//! and the animation loop has painted it. `make test` runs every `tests/browser_*.rs`.
#![cfg(target_arch = "wasm32")]

use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_app() -> HtmlCanvasElement {
    let document = gloo::utils::document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<kraftscope::App>::with_root(root.clone()).render();
    // Yew renders on the next tick and the canvas is painted on the next frame;
    // 100 ms covers several frames even on a loaded machine.
    TimeoutFuture::new(100).await;
    root.query_selector("canvas#cluster")
        .unwrap()
        .expect("the App renders a canvas#cluster")
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn canvas_is_sized_to_its_layout_box() {
    let canvas = mount_app().await;
    let ratio = gloo::utils::window().device_pixel_ratio();
    assert!(canvas.client_width() > 0 && canvas.client_height() > 0);
    // The frame loop sets the backing store from the laid-out size.
    assert_eq!(
        canvas.width(),
        (canvas.client_width() as f64 * ratio) as u32
    );
    assert_eq!(
        canvas.height(),
        (canvas.client_height() as f64 * ratio) as u32
    );
}

#[wasm_bindgen_test]
async fn canvas_has_been_painted() {
    let canvas = mount_app().await;
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    let pixels = ctx.get_image_data(0.0, 0.0, w, h).unwrap().data();
    let opaque = pixels.chunks_exact(4).filter(|rgba| rgba[3] == 255).count();
    assert_eq!(
        opaque,
        pixels.len() / 4,
        "the background covers the whole canvas"
    );
    let first = &pixels[..4];
    let differing = pixels.chunks_exact(4).filter(|rgba| *rgba != first).count();
    assert!(
        differing > 100,
        "the ring and its nodes are drawn, not only a background"
    );
}
