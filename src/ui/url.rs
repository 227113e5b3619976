//! The page's URL follows the run: its fragment is always the link ([`Model::link`]) that
//! reopens the run (seed, cluster, interventions) at the view time. It is rewritten with
//! `history.replaceState` (never a reload, never a history entry per change) at once
//! when the user acts and, while only the view time moves, at most once a second (the
//! browser throttles pages that replace their URL many times a second).
//!
//! Also publishes the test hooks the end-to-end tests compare pages by:
//! `window.__kraftscope.traceHash` (the view's trace hash, hexadecimal) and `.viewMs`.

use super::state::Model;

/// While only the view time moves, the URL is rewritten at most this often.
pub const VIEW_TIME_WRITE_EVERY_MS: f64 = 1_000.0;

/// Decides when the URL is rewritten. Plain Rust, so the rule is tested natively.
#[derive(Debug, Default)]
pub struct UrlSync {
    written: String,
    revision: u64,
    written_at_ms: f64,
}

impl UrlSync {
    /// The link to write now (`now_ms`: the page's clock), if any.
    pub fn next(&mut self, model: &Model, now_ms: f64) -> Option<String> {
        // While a link is opening, the address bar keeps that link (a reload reopens
        // it), not the run it is about to replace.
        if model.load_progress().is_some() {
            return None;
        }
        let link = model.link();
        if link == self.written {
            return None;
        }
        let acted = model.revision != self.revision || self.written.is_empty();
        if !acted && now_ms - self.written_at_ms < VIEW_TIME_WRITE_EVERY_MS {
            return None;
        }
        self.revision = model.revision;
        self.written_at_ms = now_ms;
        self.written = link.clone();
        Some(link)
    }
}

/// The page's fragment, with its `#` (empty when there is none).
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The whole address of the page (what "Copy link" copies).
pub fn location_href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// Replace the page's fragment without a reload or a history entry.
pub fn replace_hash(link: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(link));
    }
}

/// `window.__kraftscope.traceHash` and `.viewMs` for the end-to-end tests.
pub fn publish_hooks(model: &Model) {
    use wasm_bindgen::{JsCast, JsValue};
    let Some(w) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str("__kraftscope");
    let hooks = match js_sys::Reflect::get(&w, &key) {
        Ok(o) if o.is_object() => o,
        _ => {
            let o: JsValue = js_sys::Object::new().unchecked_into();
            let _ = js_sys::Reflect::set(&w, &key, &o);
            o
        }
    };
    let world = model.world();
    let hash = format!("{:016x}", world.trace_hash());
    let _ = js_sys::Reflect::set(&hooks, &"traceHash".into(), &hash.into());
    let _ = js_sys::Reflect::set(&hooks, &"viewMs".into(), &(world.now_ms() as f64).into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{ClusterSpec, Intervention};
    use crate::ui::state::Action;

    #[test]
    fn the_url_follows_actions_at_once_and_the_clock_once_a_second() {
        let mut m = Model::new(ClusterSpec::new(3, 0, 4, true));
        let mut sync = UrlSync::default();
        let first = sync.next(&m, 0.0).expect("the first link is written");
        assert_eq!(first, m.link());
        assert_eq!(sync.next(&m, 10.0), None, "nothing changed");

        // Playing moves only the view time: written again after a second.
        for _ in 0..20 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        assert_eq!(sync.next(&m, 500.0), None);
        assert_eq!(sync.next(&m, 1_000.0), Some(m.link()));

        // An action writes at once.
        m.reduce(Action::Intervene(Intervention::Append(1)));
        assert_eq!(sync.next(&m, 1_010.0), Some(m.link()));
        let run = crate::ui::share::decode_run(&m.link()).unwrap();
        assert_eq!(run.interventions.len(), 1);
    }
}
