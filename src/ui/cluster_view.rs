//! The `<canvas>` that fills the main area, and the `requestAnimationFrame` loop that
//! repaints it. The loop lives here so `canvas.rs` stays a plain painter.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::canvas::{self, Frame};

/// The cluster picture. It owns no data yet; it repaints every animation frame.
#[function_component(ClusterView)]
pub fn cluster_view() -> Html {
    let canvas_ref = use_node_ref();
    {
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            let pending = Rc::new(RefCell::new(None));
            schedule(canvas_ref, Rc::clone(&pending), !prefers_reduced_motion());
            // Dropping the pending frame cancels it and breaks the loop's Rc cycle.
            move || drop(pending.borrow_mut().take())
        });
    }
    html! {
        <canvas ref={canvas_ref} id="cluster" role="img"
            aria-label="The KRaft quorum: controllers 1, 2 and 3 on a ring" />
    }
}

type Pending = Rc<RefCell<Option<AnimationFrame>>>;

/// Asks for the next frame; each frame paints, then asks again.
fn schedule(canvas_ref: NodeRef, pending: Pending, animate: bool) {
    let next = Rc::clone(&pending);
    let frame = request_animation_frame(move |now_ms| {
        paint(&canvas_ref, now_ms, animate);
        schedule(canvas_ref, next, animate);
    });
    *pending.borrow_mut() = Some(frame);
}

fn paint(canvas_ref: &NodeRef, now_ms: f64, animate: bool) {
    let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() else {
        return; // unmounted between frames
    };
    let pixel_ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let (width_css, height_css) = (canvas.client_width() as f64, canvas.client_height() as f64);
    // Match the backing store to the laid-out size every frame: this follows window
    // resizes without a resize listener, and a canvas never looks blurry.
    let (w_px, h_px) = (
        (width_css * pixel_ratio) as u32,
        (height_css * pixel_ratio) as u32,
    );
    if canvas.width() != w_px || canvas.height() != h_px {
        canvas.set_width(w_px);
        canvas.set_height(h_px);
    }
    let Some(ctx) = context_2d(&canvas) else {
        return;
    };
    let frame = Frame {
        width_css,
        height_css,
        pixel_ratio,
        now_ms,
        animate,
    };
    canvas::draw_placeholder(&ctx, &frame);
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}
