//! Draws the cluster view on a 2D canvas, one call per animation frame.
//!
//! It only paints what it is given: no state survives between frames and nothing here
//! decides anything about the cluster. For now the picture is a placeholder ring of
//! controllers; the real nodes, roles and messages in flight replace it once the
//! simulator exists.

use std::f64::consts::{PI, TAU};
use web_sys::CanvasRenderingContext2d;

/// The controllers drawn until the simulator supplies real ones.
pub const PLACEHOLDER_CONTROLLERS: [u32; 3] = [1, 2, 3];

/// What one frame needs to know about the world outside the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Drawing area in CSS pixels (the backing store is this times the pixel ratio).
    pub width_css: f64,
    pub height_css: f64,
    pub pixel_ratio: f64,
    /// The `requestAnimationFrame` timestamp.
    pub now_ms: f64,
    /// False when the user asked for reduced motion: then nothing moves.
    pub animate: bool,
}

const BACKGROUND: &str = "#0f172a";
const RING: &str = "#334155";
const NODE_FILL: &str = "#0d9488";
const NODE_EDGE: &str = "#5eead4";
const LABEL: &str = "#f8fafc";
const PULSE: &str = "#fbbf24";
/// One trip of the placeholder pulse round the ring.
const PULSE_PERIOD_MS: f64 = 3_000.0;

/// Where a ring of nodes sits in the drawing area, in CSS pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct RingLayout {
    pub centre: (f64, f64),
    pub ring_radius: f64,
    pub node_radius: f64,
    /// Node centres, the first at the top, then clockwise.
    pub nodes: Vec<(f64, f64)>,
}

impl RingLayout {
    pub fn new(count: usize, width: f64, height: f64) -> Self {
        let centre = (width / 2.0, height / 2.0);
        let ring_radius = width.min(height) * 0.32;
        let node_radius = (width.min(height) * 0.08).clamp(12.0, 48.0);
        let nodes = (0..count).map(|i| Self::point(centre, ring_radius, i as f64 / count as f64));
        RingLayout {
            centre,
            ring_radius,
            node_radius,
            nodes: nodes.collect(),
        }
    }

    /// The point a `fraction` of a turn round the ring, clockwise from the top.
    fn point(centre: (f64, f64), radius: f64, fraction: f64) -> (f64, f64) {
        let angle = -PI / 2.0 + TAU * fraction;
        (
            centre.0 + radius * angle.cos(),
            centre.1 + radius * angle.sin(),
        )
    }
}

/// Paints the placeholder ring of controllers labelled with their node ids.
pub fn draw_placeholder(ctx: &CanvasRenderingContext2d, frame: &Frame) {
    let (w, h) = (frame.width_css, frame.height_css);
    // Draw in CSS pixels; the transform maps them onto the sharper backing store.
    let _ = ctx.set_transform(frame.pixel_ratio, 0.0, 0.0, frame.pixel_ratio, 0.0, 0.0);
    ctx.set_fill_style_str(BACKGROUND);
    ctx.fill_rect(0.0, 0.0, w, h);

    let ring = RingLayout::new(PLACEHOLDER_CONTROLLERS.len(), w, h);
    ctx.set_stroke_style_str(RING);
    ctx.set_line_width(2.0);
    ctx.begin_path();
    let _ = ctx.arc(ring.centre.0, ring.centre.1, ring.ring_radius, 0.0, TAU);
    ctx.stroke();

    if frame.animate {
        // A dot travelling round the ring shows at a glance that frames are being drawn.
        let turn = (frame.now_ms % PULSE_PERIOD_MS) / PULSE_PERIOD_MS;
        let (x, y) = RingLayout::point(ring.centre, ring.ring_radius, turn);
        ctx.set_fill_style_str(PULSE);
        ctx.begin_path();
        let _ = ctx.arc(x, y, 5.0, 0.0, TAU);
        ctx.fill();
    }

    let font_px = (ring.node_radius * 0.9).round();
    ctx.set_font(&format!("600 {font_px}px system-ui, sans-serif"));
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    for (id, &(x, y)) in PLACEHOLDER_CONTROLLERS.iter().zip(&ring.nodes) {
        ctx.begin_path();
        let _ = ctx.arc(x, y, ring.node_radius, 0.0, TAU);
        ctx.set_fill_style_str(NODE_FILL);
        ctx.fill();
        ctx.set_stroke_style_str(NODE_EDGE);
        ctx.stroke();
        ctx.set_fill_style_str(LABEL);
        let _ = ctx.fill_text(&id.to_string(), x, y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_starts_at_the_top_and_stays_inside_the_area() {
        let ring = RingLayout::new(3, 800.0, 600.0);
        assert_eq!(ring.nodes.len(), 3);
        let (x0, y0) = ring.nodes[0];
        assert!(
            (x0 - 400.0).abs() < 1e-9,
            "first node is centred horizontally"
        );
        assert!(y0 < 300.0, "first node is above the centre");
        let r = ring.node_radius;
        for (x, y) in ring.nodes {
            assert!(x - r >= 0.0 && x + r <= 800.0 && y - r >= 0.0 && y + r <= 600.0);
        }
    }

    #[test]
    fn ring_nodes_are_evenly_spaced() {
        let c = RingLayout::new(3, 500.0, 500.0).nodes;
        let d = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).hypot(a.1 - b.1);
        let (ab, bc, ca) = (d(c[0], c[1]), d(c[1], c[2]), d(c[2], c[0]));
        assert!((ab - bc).abs() < 1e-9 && (bc - ca).abs() < 1e-9);
    }
}
