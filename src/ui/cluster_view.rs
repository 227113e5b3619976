//! The `<canvas>` that fills the stage, its `requestAnimationFrame` loop and its pointer
//! gestures. Each frame advances the model by one bounded slice, rebuilds the scene
//! and paints it; every ~100 ms it asks the app to refresh the panels.
//!
//! Gestures: click a node or a message dot to inspect it; drag from a node to another
//! to cut that link both ways (Shift: one way); drag a node out to empty space to
//! isolate it.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use super::canvas::{self, Frame};
use super::math::{hypot, Fixed};
use super::node_menu::MenuAnchor;
use super::scene::Scene;
use super::state::{Action, Model, Selection};
use super::view_model::format_ms;
use super::ModelHandle;
use crate::sim::{Intervention, TraceKind};

/// Panels refresh at most this often while the simulation runs.
const PANEL_REFRESH_MS: f64 = 100.0;
/// How long (simulated ms, at least) a dropped message's cross stays visible.
const DROP_FADE_MS: f64 = 400.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub model: ModelHandle,
    pub dispatch: Callback<Action>,
    /// Called every ~100 ms while frames run, to refresh the panels.
    pub on_tick: Callback<()>,
    /// `?bench=frames`: record frame script times.
    #[prop_or_default]
    pub bench: bool,
}

#[derive(Clone, Copy, Debug)]
struct Drag {
    from: crate::kraft::NodeId,
    start: (f64, f64),
    at: (f64, f64),
    shift: bool,
}

/// State the frame loop and the pointer handlers share.
#[derive(Default)]
struct Shared {
    scene: Scene,
    drag: Option<Drag>,
    last_frame_ms: Option<f64>,
    last_panel_ms: f64,
    layout_key: String,
    frame_times: Vec<f64>,
    first_paint_done: bool,
    leader_seen: bool,
}

#[function_component(ClusterView)]
pub fn cluster_view(props: &Props) -> Html {
    let canvas_ref = use_node_ref();
    let shared = use_mut_ref(Shared::default);
    {
        let canvas_ref = canvas_ref.clone();
        let model = props.model.clone();
        let shared = shared.clone();
        let on_tick = props.on_tick.clone();
        let bench = props.bench;
        use_effect_with((), move |_| {
            let pending = Rc::new(RefCell::new(None));
            let ctx = Loop {
                canvas_ref,
                model,
                shared,
                on_tick,
                animate: !prefers_reduced_motion(),
                bench,
            };
            schedule(Rc::new(ctx), Rc::clone(&pending));
            // Dropping the pending frame cancels it and breaks the loop's Rc cycle.
            move || drop(pending.borrow_mut().take())
        });
    }

    let point = |e: &PointerEvent| (e.offset_x() as f64, e.offset_y() as f64);
    let onpointerdown = {
        let shared = shared.clone();
        Callback::from(move |e: PointerEvent| {
            let p = point(&e);
            let mut s = shared.borrow_mut();
            if let Some(id) = s.scene.node_at(p.0, p.1) {
                s.drag = Some(Drag {
                    from: id,
                    start: p,
                    at: p,
                    shift: e.shift_key(),
                });
                if let Some(t) = e.target_dyn_into::<web_sys::Element>() {
                    let _ = t.set_pointer_capture(e.pointer_id());
                }
            }
        })
    };
    let onpointermove = {
        let shared = shared.clone();
        Callback::from(move |e: PointerEvent| {
            let mut s = shared.borrow_mut();
            if let Some(d) = &mut s.drag {
                d.at = point(&e);
                d.shift = e.shift_key();
            }
        })
    };
    let onpointerup = {
        let shared = shared.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: PointerEvent| {
            let p = point(&e);
            let (drag, hit, target) = {
                let mut s = shared.borrow_mut();
                let drag = s.drag.take();
                (drag, s.scene.hit(p.0, p.1), s.scene.node_at(p.0, p.1))
            };
            let moved = drag.is_some_and(|d| hypot(d.start.0 - p.0, d.start.1 - p.1) > 12.0);
            match drag {
                Some(d) if moved => match target {
                    Some(to) if to != d.from => {
                        dispatch.emit(Action::Intervene(Intervention::Cut { from: d.from, to }));
                        if !e.shift_key() {
                            dispatch.emit(Action::Intervene(Intervention::Cut {
                                from: to,
                                to: d.from,
                            }));
                        }
                    }
                    Some(_) => {}
                    None => dispatch.emit(Action::Intervene(Intervention::Isolate(d.from))),
                },
                // A click on a node opens its menu there; on a message or nothing, selects.
                _ => match hit {
                    Some(Selection::Node(node)) => {
                        // Keep the menu (about 240 × 300 px) inside the canvas.
                        let (w, h) = e
                            .target_dyn_into::<web_sys::Element>()
                            .map_or((f64::MAX, f64::MAX), |c| {
                                (c.client_width() as f64, c.client_height() as f64)
                            });
                        let at = (p.0.min(w - 250.0).max(0.0), p.1.min(h - 310.0).max(0.0));
                        dispatch.emit(Action::OpenMenu(MenuAnchor { node, at: Some(at) }))
                    }
                    _ => dispatch.emit(Action::Select(hit)),
                },
            }
        })
    };
    let onpointercancel = {
        let shared = shared.clone();
        Callback::from(move |_: PointerEvent| shared.borrow_mut().drag = None)
    };

    html! {
        <canvas ref={canvas_ref} id="cluster" role="img" tabindex="-1"
            aria-label="The cluster: controllers on the inner ring, brokers on the outer ring, messages in flight between them. Use the Nodes list for the same actions by keyboard."
            {onpointerdown} {onpointermove} {onpointerup} {onpointercancel} />
    }
}

struct Loop {
    canvas_ref: NodeRef,
    model: ModelHandle,
    shared: Rc<RefCell<Shared>>,
    on_tick: Callback<()>,
    animate: bool,
    bench: bool,
}

type Pending = Rc<RefCell<Option<AnimationFrame>>>;

/// Asks for the next frame; each frame paints, then asks again.
fn schedule(ctx: Rc<Loop>, pending: Pending) {
    let next = Rc::clone(&pending);
    let frame = request_animation_frame(move |now_ms| {
        paint(&ctx, now_ms);
        schedule(ctx, next);
    });
    *pending.borrow_mut() = Some(frame);
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn paint(lp: &Loop, now_ms: f64) {
    let Some(canvas) = lp.canvas_ref.cast::<HtmlCanvasElement>() else {
        return; // unmounted between frames
    };
    let started = performance_now();
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
    let mut s = lp.shared.borrow_mut();
    let wall = s.last_frame_ms.map_or(0.0, |last| now_ms - last);
    s.last_frame_ms = Some(now_ms);
    let mut model = lp.model.0.borrow_mut();
    model.reduce(Action::Frame { wall_ms: wall });
    let view = if lp.animate {
        model.view_ms()
    } else {
        model.world().now_ms() as f64
    };
    let Shared { scene, .. } = &mut *s;
    scene.rebuild(model.world(), view, width_css, height_css);
    let frame = Frame {
        pixel_ratio,
        animate: lp.animate,
        selected: model.selected,
        drops: drops(&model, scene, view),
        drag: s.drag.map(|d| {
            let from = s.scene.node(d.from).map_or(d.start, |n| (n.x, n.y));
            (from, d.at, d.shift)
        }),
        time_label: format!(
            "t = {}{}",
            format_ms(model.world().now_ms()),
            if model.is_live() { "" } else { "  (past)" }
        ),
    };
    canvas::draw(&ctx, &s.scene, &frame);
    publish_layout(&canvas, &mut s);
    let leader = model.world().leader().is_some();
    drop(model);

    if !s.first_paint_done {
        s.first_paint_done = true;
        set_metric("firstPaintMs", performance_now());
    }
    if leader && !s.leader_seen {
        s.leader_seen = true;
        set_metric("leaderMs", performance_now());
    }
    if now_ms - s.last_panel_ms >= PANEL_REFRESH_MS {
        s.last_panel_ms = now_ms;
        drop(s);
        // Building the panels' data counts in the frame; Yew's render runs after.
        lp.on_tick.emit(());
        s = lp.shared.borrow_mut();
    }
    if lp.bench {
        let spent = performance_now() - started;
        s.frame_times.push(spent);
        if s.frame_times.len().is_multiple_of(60) {
            publish_bench(&s.frame_times);
        }
    }
}

/// Recently dropped messages, placed near the node that dropped them.
fn drops(model: &Model, scene: &Scene, view: f64) -> Vec<(f64, f64, f64)> {
    let window = DROP_FADE_MS.max(DROP_FADE_MS * model.speed.min(10.0));
    let mut out = Vec::new();
    for e in model.events().iter().rev() {
        let age = (view - e.at_ms as f64) / window;
        if age > 1.0 {
            break;
        }
        if let TraceKind::Dropped { msg, .. } = e.kind {
            let (Some(a), Some(b)) = (scene.node(msg.from), scene.node(msg.to)) else {
                continue;
            };
            // Dropped at send time near the sender, at delivery near the receiver.
            let k = if e.node == msg.from { 0.25 } else { 0.75 };
            out.push((
                a.x + (b.x - a.x) * k,
                a.y + (b.y - a.y) * k,
                age.clamp(0.0, 1.0),
            ));
            if out.len() > 200 {
                break;
            }
        }
    }
    out
}

/// Node centres as a `data-layout` attribute ("id:x,y;…", CSS pixels) for tests and
/// tools; written only when the layout changes.
fn publish_layout(canvas: &HtmlCanvasElement, s: &mut Shared) {
    let mut key = String::new();
    for n in &s.scene.nodes {
        key.push_str(&format!("{}:{},{};", n.id, Fixed(n.x, 0), Fixed(n.y, 0)));
    }
    if key != s.layout_key {
        let _ = canvas.set_attribute("data-layout", &key);
        s.layout_key = key;
    }
}

fn metrics() -> Option<js_sys::Object> {
    let w = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("__kraftscope");
    let existing = js_sys::Reflect::get(&w, &key).ok()?;
    if existing.is_object() {
        return existing.dyn_into().ok();
    }
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&w, &key, &o).ok()?;
    Some(o)
}

fn set_metric(name: &str, value: f64) {
    if let Some(o) = metrics() {
        let _ = js_sys::Reflect::set(&o, &name.into(), &value.into());
    }
}

fn publish_bench(times: &[f64]) {
    // The first frames warm up (layout, font cache): leave them out.
    let skip = times.len().min(30);
    let mut sorted: Vec<f64> = times[skip..].to_vec();
    if sorted.is_empty() {
        return;
    }
    sorted.sort_by(f64::total_cmp);
    let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    set_metric("benchFrames", sorted.len() as f64);
    set_metric("frameP50Ms", pick(0.5));
    set_metric("frameP95Ms", pick(0.95));
    set_metric("frameMaxMs", pick(1.0));
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
