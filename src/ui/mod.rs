//! The Yew app: controls across the top, the cluster canvas, the timeline and logs
//! under it, and the side panels (inspector, nodes, network, events, safety).
//!
//! One model ([`state::Model`]) and one reducer ([`state::Model::reduce`]) own all UI
//! state. The App keeps the model in a shared cell because the canvas advances it every
//! animation frame; components get a [`PanelData`] snapshot (rebuilt at most ~10 times
//! a second) and a `Callback<Action>`, never the model. Components render what they are
//! given; they never compute protocol state.
//!
//! Map: `state.rs` model + reducer · `scene.rs` canvas view-model + hit testing ·
//! `canvas.rs` painter · `cluster_view.rs` frame loop + gestures · `view_model.rs`
//! panel data · `narrate.rs` plain-language events · `panel.rs` side panels ·
//! `controls.rs` transport bar, timeline, logs, help · `metadata_panel.rs` the
//! selected node's metadata image · `client_actions.rs` create/delete topic,
//! controlled shutdown · `node_menu.rs` a node's action menu · `message_list.rs`
//! the RPCs in flight.

pub mod canvas;
pub mod client_actions;
mod cluster_view;
mod controls;
mod math;
pub mod message_list;
pub mod metadata_panel;
pub mod narrate;
pub mod node_menu;
mod panel;
pub mod scene;
pub mod setup;
pub mod share;
pub mod share_panel;
pub mod state;
pub mod url;
pub mod view_model;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use cluster_view::ClusterView;
use controls::{HelpOverlay, LogsPanel, TimelineBar, Transport};
use panel::SidePanel;
use share_panel::RunMenu;
use state::{Action, Model};
use view_model::PanelData;

/// The model, shared by the frame loop and the App (compared by identity).
#[derive(Clone)]
pub struct ModelHandle(pub Rc<RefCell<Model>>);

impl PartialEq for ModelHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The seed and load the page was opened with (`?seed=N`, `?bench=frames`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageOptions {
    pub seed: u64,
    pub bench: bool,
}

impl PageOptions {
    /// Reads a query string such as `?seed=7&bench=frames`; anything unknown or
    /// malformed is ignored (bad input never panics).
    pub fn parse(query: &str) -> Self {
        let mut o = PageOptions {
            seed: 1,
            bench: false,
        };
        for pair in query.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "seed" => {
                    if let Ok(s) = v.parse() {
                        o.seed = s;
                    }
                }
                "bench" => o.bench = v == "frames",
                _ => {}
            }
        }
        o
    }

    fn from_location() -> Self {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        Self::parse(&query)
    }
}

/// The benchmark load: 5 controllers and 45 brokers on slow, duplicating links, so
/// thousands of messages are in flight at once.
pub fn bench_model(seed: u64) -> Model {
    use crate::sim::{ClusterSpec, ConfigKey, Intervention, LinkSpec};
    let mut spec = ClusterSpec::new(5, 45, seed, true);
    // Short request timeouts and fetch waits keep requests coming while the slow
    // links hold thousands of them in flight.
    spec.overrides.clear();
    for (key, value) in [
        (ConfigKey::RequestTimeoutMs, 400),
        (ConfigKey::FetchMaxWaitMs, 50),
        (ConfigKey::RetryBackoffMs, 20),
        (ConfigKey::ElectionTimeoutMs, 8_000),
        (ConfigKey::FetchTimeoutMs, 16_000),
    ] {
        key.apply(&mut spec.quorum, value);
    }
    let mut m = Model::new(spec);
    m.reduce(Action::Intervene(Intervention::Net {
        // 3-8 s links: a message sent now is still on the wire after the sender's
        // retries, so about 2,000 are in flight by 12 s (1.5-4.5 s gave ~1,400).
        link: LinkSpec::new(3_000, 8_000, 0.0, 0.3),
        from: None,
        to: None,
    }));
    m
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let options = use_memo((), |_| {
        if cfg!(target_arch = "wasm32") {
            PageOptions::from_location()
        } else {
            PageOptions::parse("")
        }
    });
    let model = {
        let options = *options;
        use_memo((), move |_| {
            let mut m = if options.bench {
                bench_model(options.seed)
            } else {
                Model::new(Model::default_spec(options.seed))
            };
            if cfg!(target_arch = "wasm32") {
                m.set_clock(performance_now);
            }
            // A shared link replaces the default run (over several frames if its replay is
            // long, with its progress shown); a bad one leaves it and says why.
            let hash = if cfg!(target_arch = "wasm32") && !options.bench {
                url::location_hash()
            } else {
                String::new()
            };
            if !hash.is_empty() {
                m.reduce(Action::OpenLink(hash));
            }
            ModelHandle(Rc::new(RefCell::new(m)))
        })
    };
    let model = (*model).clone();
    let panel = use_state(|| Rc::new(PanelData::build(&model.0.borrow())));
    let help = use_state(|| false);

    let url_sync = use_mut_ref(url::UrlSync::default);
    let refresh = {
        let model = model.clone();
        let panel = panel.clone();
        let bench = options.bench;
        Callback::from(move |_: ()| {
            if !bench {
                let m = model.0.borrow();
                if let Some(link) = url_sync.borrow_mut().next(&m, js_sys::Date::now()) {
                    url::replace_hash(&link);
                }
                url::publish_hooks(&m);
            }
            let next = PanelData::build(&model.0.borrow());
            if **panel != next {
                panel.set(Rc::new(next));
            }
        })
    };
    let dispatch = {
        let model = model.clone();
        let refresh = refresh.clone();
        Callback::from(move |a: Action| {
            model.0.borrow_mut().reduce(a);
            refresh.emit(());
        })
    };
    let toggle_help = {
        let help = help.clone();
        Callback::from(move |show: Option<bool>| help.set(show.unwrap_or(!*help)))
    };

    // Keyboard shortcuts on the whole page.
    {
        let dispatch = dispatch.clone();
        let toggle_help = toggle_help.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                // Not passive: shortcuts call preventDefault (space would scroll).
                let options = gloo::events::EventListenerOptions::enable_prevent_default();
                gloo::events::EventListener::new_with_options(&w, "keydown", options, move |e| {
                    if let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                        on_key(e, &dispatch, &toggle_help);
                    }
                })
            });
            move || drop(listener)
        });
    }

    let p = (*panel).clone();
    html! {
        <div class="app">
            <header class="header">
                <h1>{ "KRaftScope" }</h1>
                <Transport data={p.clone()} dispatch={dispatch.clone()} on_help={toggle_help.clone()} />
                <RunMenu model={model.clone()} load_error={p.load_error.clone()} dispatch={dispatch.clone()} />
            </header>
            <main class="stage">
                <ClusterView model={model.clone()} dispatch={dispatch.clone()} on_tick={refresh} bench={options.bench} />
                if let Some(job) = &p.job {
                    <LongJob job={job.clone()} />
                }
                <Legend />
                if let Some(menu) = &p.menu {
                    <node_menu::NodeMenu view={menu.clone()} dispatch={dispatch.clone()} />
                }
            </main>
            <section class="bottom" aria-label="Timeline and logs">
                <TimelineBar data={p.clone()} dispatch={dispatch.clone()} />
                <LogsPanel logs={p.logs.clone()} />
            </section>
            <SidePanel data={p.clone()} dispatch={dispatch.clone()} />
            <div class="visually-hidden" aria-live="polite" id="narration-live">
                { p.latest().unwrap_or("") }
            </div>
            if *help {
                <HelpOverlay on_close={toggle_help.reform(|_| Some(false))} />
            }
        </div>
    }
}

/// A long job's progress bar: its label names the `<progress>` (screen readers read
/// both), and the region announces changes politely.
#[derive(Properties, PartialEq)]
struct LongJobProps {
    job: view_model::JobView,
}

#[function_component(LongJob)]
fn long_job(props: &LongJobProps) -> Html {
    let j = &props.job;
    html! {
        <div class="long-job" role="status" aria-live="polite">
            <label for="long-job-progress">{ j.label.clone() }</label>
            <progress id="long-job-progress" max={j.total.to_string()} value={j.done.to_string()}></progress>
        </div>
    }
}

/// The wall clock frames budget their work with (`performance.now()`).
fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The colour key: role letters and message colours.
#[function_component(Legend)]
fn legend() -> Html {
    use crate::kraft::StateKind::*;
    let states = [
        (Some(Leader), "Leader"),
        (Some(Follower), "Follower"),
        (Some(Prospective), "Prospective"),
        (Some(Candidate), "Candidate"),
        (Some(Unattached), "Unattached"),
        (Some(Resigned), "Resigned"),
        (None, "stopped"),
    ];
    html! {
        <div class="legend" aria-hidden="true">
            { for states.iter().map(|(s, name)| html! {
                <span class="chip">
                    <span class="dot" style={format!("background:{}", scene::state_colour(*s))}>
                        { scene::state_letter(*s) }
                    </span>{ *name }
                </span>
            }) }
        </div>
    }
}

fn on_key(e: &web_sys::KeyboardEvent, dispatch: &Callback<Action>, help: &Callback<Option<bool>>) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    // Typing in a field, or arrows on a slider, belong to that control.
    let tag = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            (
                el.tag_name().to_ascii_lowercase(),
                el.get_attribute("type").unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let in_text = tag.0 == "textarea"
        || tag.0 == "select"
        || (tag.0 == "input" && tag.1 != "range" && tag.1 != "checkbox");
    let on_slider = tag.0 == "input" && tag.1 == "range";
    let on_button = tag.0 == "button" || tag.1 == "checkbox";
    if in_text {
        return;
    }
    let action = match e.key().as_str() {
        " " if !on_button => Some(Action::TogglePlay),
        "ArrowRight" if !on_slider => Some(if e.shift_key() {
            Action::Nudge(1_000)
        } else {
            Action::Step
        }),
        "ArrowLeft" if !on_slider => Some(Action::Nudge(if e.shift_key() { -1_000 } else { -100 })),
        "n" | "N" => Some(Action::SkipToInteresting),
        "Escape" => {
            help.emit(Some(false));
            Some(Action::Select(None))
        }
        "?" => {
            help.emit(None);
            None
        }
        _ => return,
    };
    e.prevent_default();
    if let Some(a) = action {
        dispatch.emit(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_load_has_fifty_nodes_and_many_messages_in_flight() {
        let mut m = bench_model(1);
        assert_eq!(m.world().processes().len(), 50);
        for _ in 0..800 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        let n = m.world().in_flight().count();
        eprintln!("in flight after 12.8 s: {n}");
        assert!(n >= 2_000, "{n} in flight");
    }

    #[test]
    fn page_options_ignore_bad_input() {
        assert_eq!(
            PageOptions::parse("?seed=42&bench=frames"),
            PageOptions {
                seed: 42,
                bench: true
            }
        );
        assert_eq!(
            PageOptions::parse("?seed=-1&&=&bench"),
            PageOptions {
                seed: 1,
                bench: false
            }
        );
        assert_eq!(
            PageOptions::parse("%%%"),
            PageOptions {
                seed: 1,
                bench: false
            }
        );
    }
}
