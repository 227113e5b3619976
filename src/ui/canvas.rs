//! Paints a [`Scene`] on a 2D canvas, once per animation frame.
//!
//! It only paints what it is given: no state survives between frames and nothing here
//! decides anything about the cluster. Message dots are batched by colour (one path
//! and one fill per colour) so thousands of them stay cheap.

use std::f64::consts::{PI, TAU};
use web_sys::CanvasRenderingContext2d;

use super::math::{atan2, cos, hypot, sin};
use super::scene::{api_colour, state_colour, state_letter, Scene, MSG_RADIUS};
use super::state::Selection;
use crate::sim::trace::Api;

/// A point in CSS pixels.
pub type Point = (f64, f64);

/// What one frame needs besides the scene.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub pixel_ratio: f64,
    /// False when the user asked for reduced motion: no glide, no fades.
    pub animate: bool,
    pub selected: Option<Selection>,
    /// Messages dropped recently: (x, y, age 0..1).
    pub drops: Vec<(f64, f64, f64)>,
    /// A link being dragged: from (x, y) to (x, y), one way.
    pub drag: Option<(Point, Point, bool)>,
    pub time_label: String,
}

const BACKGROUND: &str = "#0b1120";
const RING: &str = "#1e293b";
const LABEL: &str = "#f8fafc";
const MUTED: &str = "#94a3b8";
const CUT: &str = "#f87171";
const SELECT: &str = "#fde047";
/// Above this many messages in flight, dots carry no text labels (unreadable anyway).
const LABEL_LIMIT: usize = 120;

pub fn draw(ctx: &CanvasRenderingContext2d, scene: &Scene, frame: &Frame) {
    let (w, h) = (scene.width, scene.height);
    // Draw in CSS pixels; the transform maps them onto the sharper backing store.
    let _ = ctx.set_transform(frame.pixel_ratio, 0.0, 0.0, frame.pixel_ratio, 0.0, 0.0);
    ctx.set_fill_style_str(BACKGROUND);
    ctx.fill_rect(0.0, 0.0, w, h);

    // The rings the nodes sit on.
    ctx.set_stroke_style_str(RING);
    ctx.set_line_width(1.5);
    for r in [scene.inner_radius, scene.outer_radius] {
        ctx.begin_path();
        let _ = ctx.arc(scene.centre.0, scene.centre.1, r, 0.0, TAU);
        ctx.stroke();
    }

    draw_cuts(ctx, scene);
    draw_messages(ctx, scene, frame);
    draw_nodes(ctx, scene, frame);

    // Dropped messages die as a red cross that fades.
    ctx.set_line_width(2.0);
    for &(x, y, age) in &frame.drops {
        ctx.set_global_alpha(if frame.animate { 1.0 - age } else { 1.0 });
        ctx.set_stroke_style_str(CUT);
        ctx.begin_path();
        let s = 5.0;
        ctx.move_to(x - s, y - s);
        ctx.line_to(x + s, y + s);
        ctx.move_to(x + s, y - s);
        ctx.line_to(x - s, y + s);
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);

    if let Some(((x0, y0), (x1, y1), one_way)) = frame.drag {
        ctx.set_stroke_style_str(CUT);
        ctx.set_line_width(2.0);
        let _ = ctx.set_line_dash(&dash(&[6.0, 4.0]));
        ctx.begin_path();
        ctx.move_to(x0, y0);
        ctx.line_to(x1, y1);
        ctx.stroke();
        let _ = ctx.set_line_dash(&dash(&[]));
        if one_way {
            arrow_head(ctx, (x0, y0), (x1, y1), 10.0);
        }
    }

    ctx.set_font("500 12px system-ui, sans-serif");
    ctx.set_text_align("left");
    ctx.set_text_baseline("top");
    ctx.set_fill_style_str(MUTED);
    let _ = ctx.fill_text(&frame.time_label, 10.0, 10.0);
}

fn dash(v: &[f64]) -> wasm_bindgen::JsValue {
    let a = js_sys::Array::new();
    for x in v {
        a.push(&(*x).into());
    }
    a.into()
}

fn arrow_head(ctx: &CanvasRenderingContext2d, from: (f64, f64), to: (f64, f64), size: f64) {
    let a = atan2(to.1 - from.1, to.0 - from.0);
    ctx.begin_path();
    ctx.move_to(to.0, to.1);
    ctx.line_to(to.0 - size * cos(a - 0.4), to.1 - size * sin(a - 0.4));
    ctx.line_to(to.0 - size * cos(a + 0.4), to.1 - size * sin(a + 0.4));
    ctx.close_path();
    ctx.set_fill_style_str(CUT);
    ctx.fill();
}

fn draw_cuts(ctx: &CanvasRenderingContext2d, scene: &Scene) {
    ctx.set_stroke_style_str(CUT);
    ctx.set_line_width(1.5);
    let _ = ctx.set_line_dash(&dash(&[5.0, 4.0]));
    for c in &scene.cuts {
        let (Some(a), Some(b)) = (scene.node(c.from), scene.node(c.to)) else {
            continue;
        };
        ctx.begin_path();
        ctx.move_to(a.x, a.y);
        ctx.line_to(b.x, b.y);
        ctx.stroke();
    }
    let _ = ctx.set_line_dash(&dash(&[]));
    for c in &scene.cuts {
        let (Some(a), Some(b)) = (scene.node(c.from), scene.node(c.to)) else {
            continue;
        };
        let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        // A cross where the link is cut; one-way cuts add an arrow at the receiver.
        ctx.begin_path();
        ctx.move_to(mx - 5.0, my - 5.0);
        ctx.line_to(mx + 5.0, my + 5.0);
        ctx.move_to(mx + 5.0, my - 5.0);
        ctx.line_to(mx - 5.0, my + 5.0);
        ctx.stroke();
        if !c.both {
            let d = hypot(b.x - a.x, b.y - a.y).max(1.0);
            let k = (d - b.r - 2.0) / d;
            arrow_head(
                ctx,
                (a.x, a.y),
                (a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k),
                10.0,
            );
        }
    }
    for id in &scene.isolated {
        if let Some(n) = scene.node(*id) {
            let _ = ctx.set_line_dash(&dash(&[4.0, 3.0]));
            ctx.begin_path();
            let _ = ctx.arc(n.x, n.y, n.r + 10.0, 0.0, TAU);
            ctx.stroke();
            let _ = ctx.set_line_dash(&dash(&[]));
        }
    }
}

fn draw_messages(ctx: &CanvasRenderingContext2d, scene: &Scene, frame: &Frame) {
    // A duplicated message: a thin line joins the two copies as they split.
    if !scene.twins.is_empty() {
        ctx.begin_path();
        for &(a, b) in &scene.twins {
            let (a, b) = (&scene.messages[a], &scene.messages[b]);
            ctx.move_to(a.x, a.y);
            ctx.line_to(b.x, b.y);
        }
        ctx.set_stroke_style_str("rgba(226, 232, 240, 0.55)");
        ctx.set_line_width(1.0);
        ctx.stroke();
    }
    // One path per colour.
    let mut colours: Vec<&'static str> = Api::ALL.iter().map(|a| api_colour(*a)).collect();
    colours.dedup();
    for colour in colours {
        ctx.begin_path();
        let mut any = false;
        for m in scene
            .messages
            .iter()
            .filter(|m| api_colour(m.api) == colour)
        {
            ctx.move_to(m.x + MSG_RADIUS, m.y);
            let _ = ctx.arc(m.x, m.y, MSG_RADIUS, 0.0, TAU);
            any = true;
        }
        if any {
            ctx.set_fill_style_str(colour);
            ctx.fill();
        }
    }
    if let Some(Selection::Message(id)) = frame.selected {
        if let Some(m) = scene.message(id) {
            ctx.set_stroke_style_str(SELECT);
            ctx.set_line_width(2.0);
            ctx.begin_path();
            let _ = ctx.arc(m.x, m.y, MSG_RADIUS + 4.0, 0.0, TAU);
            ctx.stroke();
        }
    }
    if scene.messages.len() <= LABEL_LIMIT {
        ctx.set_font("600 10px system-ui, sans-serif");
        ctx.set_text_align("left");
        ctx.set_text_baseline("middle");
        for m in &scene.messages {
            ctx.set_fill_style_str(api_colour(m.api));
            let text = match &m.mark {
                Some(mark) => format!("{} {mark}", m.label),
                None => m.label.to_string(),
            };
            let _ = ctx.fill_text(&text, m.x + MSG_RADIUS + 3.0, m.y - 7.0);
        }
    }
}

fn draw_nodes(ctx: &CanvasRenderingContext2d, scene: &Scene, frame: &Frame) {
    let selected_node = match frame.selected {
        Some(Selection::Node(id)) => Some(id),
        _ => None,
    };
    for n in &scene.nodes {
        // The timer ring drains clockwise from the top.
        ctx.set_line_width(3.0);
        ctx.set_stroke_style_str(RING);
        ctx.begin_path();
        let _ = ctx.arc(n.x, n.y, n.r + 5.0, 0.0, TAU);
        ctx.stroke();
        if let Some(left) = n.timer_left {
            ctx.set_stroke_style_str("#e2e8f0");
            ctx.begin_path();
            let _ = ctx.arc(n.x, n.y, n.r + 5.0, -PI / 2.0, -PI / 2.0 + TAU * left);
            ctx.stroke();
        }
        ctx.begin_path();
        let _ = ctx.arc(n.x, n.y, n.r, 0.0, TAU);
        ctx.set_fill_style_str(state_colour(n.state));
        ctx.fill();
        // Voters have a solid edge, observers a dashed one; combined nodes a double one.
        ctx.set_line_width(2.0);
        ctx.set_stroke_style_str(if selected_node == Some(n.id) {
            SELECT
        } else {
            LABEL
        });
        if !n.voter {
            let _ = ctx.set_line_dash(&dash(&[3.0, 3.0]));
        }
        ctx.stroke();
        let _ = ctx.set_line_dash(&dash(&[]));
        if n.combined {
            ctx.begin_path();
            let _ = ctx.arc(n.x, n.y, n.r - 4.0, 0.0, TAU);
            ctx.stroke();
        }
        if selected_node == Some(n.id) {
            ctx.set_line_width(3.0);
            ctx.begin_path();
            let _ = ctx.arc(n.x, n.y, n.r + 10.0, 0.0, TAU);
            ctx.stroke();
        }

        ctx.set_text_align("center");
        ctx.set_text_baseline("middle");
        ctx.set_fill_style_str(if n.state.is_some() { "#0b1120" } else { LABEL });
        let big = (n.r * 0.9).clamp(8.0, 24.0).round() as u32;
        ctx.set_font(&format!("700 {big}px system-ui, sans-serif"));
        let _ = ctx.fill_text(state_letter(n.state), n.x, n.y + 1.0);

        ctx.set_font(if n.r < 14.0 {
            "600 9px system-ui, sans-serif"
        } else {
            "600 12px system-ui, sans-serif"
        });
        ctx.set_fill_style_str(LABEL);
        let role = if n.voter { "C" } else { "B" };
        let _ = ctx.fill_text(&format!("{role}{}", n.id), n.x, n.y - n.r - 14.0);
        let mut below = format!("e{}", n.epoch);
        if let Some(l) = n.leader {
            if l != n.id {
                below.push_str(&format!(" →{l}"));
            }
        }
        if let Some((granted, needed)) = n.votes {
            below.push_str(&format!(" {granted}/{needed}✓"));
        }
        ctx.set_fill_style_str(MUTED);
        let _ = ctx.fill_text(&below, n.x, n.y + n.r + 15.0);
    }
}
