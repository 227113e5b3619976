//! The transport bar (play, step, speed, skip), the timeline scrubber with its markers
//! and branches, the logs strip and the keyboard help overlay.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::math::{log10, powf, Fixed};
use super::state::{Action, MarkerKind, MAX_SPEED, MIN_SPEED};
use super::view_model::{format_ms, LogRow, PanelData};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub data: Rc<PanelData>,
    pub dispatch: Callback<Action>,
}

/// Speeds on a log scale: slider position 0..=100 maps to 0.01x..100x.
pub fn speed_from_slider(pos: f64) -> f64 {
    let (lo, hi) = (log10(MIN_SPEED), log10(MAX_SPEED));
    let s = powf(10.0, lo + (hi - lo) * pos.clamp(0.0, 100.0) / 100.0);
    // Round to two significant digits so the label reads well.
    let mag = powf(10.0, log10(s).floor() - 1.0);
    (s / mag).round() * mag
}

pub fn slider_from_speed(speed: f64) -> f64 {
    let (lo, hi) = (log10(MIN_SPEED), log10(MAX_SPEED));
    ((log10(speed.clamp(MIN_SPEED, MAX_SPEED)) - lo) / (hi - lo) * 100.0).round()
}

pub fn speed_label(speed: f64) -> String {
    let places = if speed >= 1.0 { 1 } else { 2 };
    format!(
        "{}×",
        Fixed(speed, places)
            .to_string()
            .trim_end_matches('0')
            .trim_end_matches('.')
    )
}

#[derive(Properties, PartialEq)]
pub struct TransportProps {
    pub data: Rc<PanelData>,
    pub dispatch: Callback<Action>,
    pub on_help: Callback<Option<bool>>,
}

#[function_component(Transport)]
pub fn transport(props: &TransportProps) -> Html {
    let d = &props.data;
    let send = |a: Action| {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(a.clone()))
    };
    let on_speed = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            // The slider has step 1, so its value is a whole number.
            if let Ok(pos) = v.parse::<u8>() {
                dispatch.emit(Action::SetSpeed(speed_from_slider(f64::from(pos))));
            }
        })
    };
    let help = props.on_help.reform(|_: MouseEvent| None);
    let status = match d.leader {
        Some((id, epoch)) => format!("Leader: node {id} · epoch {epoch}"),
        None => "No leader".to_string(),
    };
    html! {
        <div class="transport" role="toolbar" aria-label="Playback">
            <button id="play" class="primary" onclick={send(Action::TogglePlay)}
                aria-label={if d.playing { "Pause (space)" } else { "Play (space)" }}>
                { if d.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button id="step" onclick={send(Action::Step)} aria-label="Step to the next event (right arrow)">{ "Step ›" }</button>
            <button id="skip" onclick={send(Action::SkipToInteresting)} aria-label="Skip to the next interesting event (n)">{ "Next event »" }</button>
            <label class="speed">
                <span>{ "Speed " }<strong id="speed-value">{ speed_label(d.speed) }</strong></span>
                <input id="speed" type="range" min="0" max="100" step="1"
                    value={(slider_from_speed(d.speed) as u32).to_string()} oninput={on_speed}
                    aria-label="Simulation speed, 0.01× to 100× real time"
                    aria-valuetext={speed_label(d.speed)} />
            </label>
            <span id="status" class="status" aria-live="off"
                data-leader={d.leader.map_or(String::new(), |l| l.0.to_string())}
                data-epoch={d.leader.map_or(String::new(), |l| l.1.to_string())}
                data-time-ms={d.time_ms.to_string()}
                data-live={d.live.to_string()}
                data-branch={d.branch.to_string()}>
                <span class="clock">{ format_ms(d.time_ms) }</span>
                <span class={if d.leader.is_some() { "leader-ok" } else { "leader-none" }}>{ status }</span>
                if !d.live { <span class="past">{ "viewing the past" }</span> }
            </span>
            <button class="help-button" onclick={help} aria-label="Keyboard shortcuts (?)">{ "?" }</button>
        </div>
    }
}

#[function_component(TimelineBar)]
pub fn timeline_bar(props: &Props) -> Html {
    let d = &props.data;
    let max = d.head_ms.max(1);
    let on_seek = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(t) = v.parse::<u64>() {
                dispatch.emit(Action::Seek(t));
            }
        })
    };
    let on_branch = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Ok(b) = v.parse::<usize>() {
                dispatch.emit(Action::SwitchBranch(b));
            }
        })
    };
    let go_live = {
        let dispatch = props.dispatch.clone();
        let head = d.head_ms;
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Seek(head)))
    };
    // Many markers at one pixel are one marker; keep at most one per 0.25 %.
    let mut markers: Vec<(u64, MarkerKind)> = Vec::new();
    for &(at, k) in &d.markers {
        let bucket = at * 400 / max;
        if markers
            .last()
            .is_some_and(|&(a, kk)| a * 400 / max == bucket && kk == k)
        {
            continue;
        }
        markers.push((at, k));
    }
    html! {
        <div class="timeline">
            <div class="scrub">
                <div class="markers" aria-hidden="true">
                    { for markers.iter().map(|&(at, k)| {
                        let (class, title) = match k {
                            MarkerKind::LeaderChange => ("marker leader", "leader elected"),
                            MarkerKind::Election => ("marker election", "election"),
                            MarkerKind::Fault => ("marker fault", "fault"),
                            MarkerKind::Violation => ("marker violation", "violation"),
                        };
                        let left = at as f64 / max as f64 * 100.0;
                        html! { <span class={class} style={format!("left:{}%", Fixed(left, 3))} title={format!("{title} at {}", format_ms(at))} data-at={at.to_string()} /> }
                    }) }
                </div>
                <input id="scrubber" type="range" min="0" max={max.to_string()} step="1"
                    value={d.time_ms.min(max).to_string()} oninput={on_seek}
                    aria-label="Timeline: seek to any time in the run"
                    aria-valuetext={format!("{} of {}", format_ms(d.time_ms), format_ms(d.head_ms))} />
            </div>
            <div class="timeline-meta">
                <span>{ format!("{} / {}", format_ms(d.time_ms), format_ms(d.head_ms)) }</span>
                if !d.live {
                    <button id="go-live" onclick={go_live}>{ "Back to live ⏩" }</button>
                    <span class="hint">{ "Acting now forks a new branch." }</span>
                }
                if d.branches.len() > 1 {
                    <label>
                        <span class="visually-hidden">{ "Branch" }</span>
                        <select id="branch" onchange={on_branch} aria-label="Branch">
                            { for d.branches.iter().enumerate().map(|(i, b)| html! {
                                <option value={i.to_string()} selected={i == d.branch}>{ b }</option>
                            }) }
                        </select>
                    </label>
                }
                <span class="hint">{ format!("{} messages in flight", d.in_flight) }</span>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LogsProps {
    pub logs: Rc<Vec<LogRow>>,
}

/// Colours for epochs, cycling.
const EPOCH_COLOURS: [&str; 8] = [
    "#0ea5e9", "#a855f7", "#22c55e", "#f97316", "#ec4899", "#eab308", "#14b8a6", "#6366f1",
];

#[function_component(LogsPanel)]
pub fn logs_panel(props: &LogsProps) -> Html {
    let d = props;
    let top = d.logs.iter().map(|l| l.end).max().unwrap_or(0).max(1);
    let bottom = d
        .logs
        .iter()
        .filter_map(|l| l.batches.first().map(|b| b.0))
        .min()
        .unwrap_or(0)
        .min(top - 1);
    let span = (top - bottom).max(1) as f64;
    let pct = |o: i64| ((o - bottom) as f64 / span * 100.0).clamp(0.0, 100.0);
    html! {
        <details class="logs" open={true}>
            <summary>{ "Logs" }<span class="hint">{ " — batches coloured by epoch; the line is the high watermark, the shaded tail is uncommitted; | marks the snapshot" }</span></summary>
            <div class="log-rows">
                { for d.logs.iter().map(|l| {
                    let hw = l.hw;
                    html! {
                        <div class={classes!("log-row", (!l.alive).then_some("stopped"))}>
                            <span class="log-name">{ format!("{} ", l.id) }<small>{ format!("[{}, {})", l.start, l.end) }</small></span>
                            <div class="log-track" role="img" aria-label={format!("{}: log from {} to {}, high watermark {}", l.name, l.start, l.end, hw.map_or("unknown".into(), |h| h.to_string()))}>
                                { for l.batches.iter().map(|&(b, e, epoch, control)| {
                                    let uncommitted = hw.is_none_or(|h| e > h);
                                    let style = format!("left:{}%;width:{}%;background:{}", Fixed(pct(b), 2), Fixed((pct(e) - pct(b)).max(0.4), 2), EPOCH_COLOURS[(epoch.max(0) as usize) % EPOCH_COLOURS.len()]);
                                    html! { <span class={classes!("batch", uncommitted.then_some("uncommitted"), control.then_some("control"))} {style} title={format!("offsets {b}..{} epoch {epoch}{}", e - 1, if control { " (LeaderChange)" } else { "" })} /> }
                                }) }
                                if let Some((to, from, at)) = l.truncated {
                                    // Keyed by time so each truncation replays the fade.
                                    <span key={at} class="truncated" style={format!("left:{}%;width:{}%", Fixed(pct(to), 2), Fixed((pct(from) - pct(to)).max(0.8), 2))} title={format!("offsets {to}..{} truncated (diverging epoch)", from - 1)} />
                                }
                                if let Some(h) = hw {
                                    <span class="hw" style={format!("left:{}%", Fixed(pct(h), 2))} title={format!("high watermark {h}")} />
                                }
                                if let Some(s) = l.snapshot_end {
                                    <span class="snap" style={format!("left:{}%", Fixed(pct(s), 2))} title={format!("snapshot ends at {s}")} />
                                }
                            </div>
                        </div>
                    }
                }) }
            </div>
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<MouseEvent>,
}

#[function_component(HelpOverlay)]
pub fn help_overlay(props: &HelpProps) -> Html {
    let keys = [
        ("Space", "play / pause"),
        ("→", "step to the next event"),
        ("Shift + →", "forward 1 s"),
        ("←", "back 100 ms (Shift: 1 s)"),
        ("n", "skip to the next interesting event"),
        ("?", "show / hide this help"),
        ("Esc", "close, clear the selection"),
        (
            "Tab",
            "reach every button; Enter on a node in the Nodes list opens its menu (↑ ↓ to move, Esc to close)",
        ),
    ];
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
            <div class="dialog">
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <table>
                    { for keys.iter().map(|(k, v)| html! { <tr><th><kbd>{ *k }</kbd></th><td>{ *v }</td></tr> }) }
                </table>
                <p class="hint">{ "On the canvas: click a node or a message to inspect it; drag node → node to cut a link (Shift: one way); drag a node into empty space to isolate it." }</p>
                <button onclick={props.on_close.clone()} autofocus={true}>{ "Close" }</button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_speed_slider_spans_a_hundredth_to_a_hundred() {
        assert!((speed_from_slider(0.0) - 0.01).abs() < 1e-9);
        assert!((speed_from_slider(50.0) - 1.0).abs() < 1e-9);
        assert!((speed_from_slider(100.0) - 100.0).abs() < 1e-9);
        assert_eq!(slider_from_speed(1.0), 50.0);
        assert_eq!(speed_label(1.0), "1×");
        assert_eq!(speed_label(0.05), "0.05×");
    }
}
