//! The header's run menu: "Setup" (the cluster setup form in a dialog) and "Share /
//! save" (copy the link, save the run as a scenario or its trace as JSON, open either
//! kind of file), plus the banner that says why a link or file could not be opened.
//!
//! Everything it changes goes through the reducer ([`Action::Reset`],
//! [`Action::ImportScenario`], …). It reads the model only when the user asks for
//! something from it (a file to save, the spec to start the form from), never to render.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::setup::ClusterSetup;
use super::state::{Action, MAX_FILE_BYTES};
use super::url;
use super::ModelHandle;
use crate::sim::ClusterSpec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    Setup,
    Share,
}

#[derive(Properties, PartialEq)]
pub struct RunMenuProps {
    pub model: ModelHandle,
    pub load_error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(RunMenu)]
pub fn run_menu(props: &RunMenuProps) -> Html {
    let open = use_state(|| None::<Open>);
    let show = |which: Open| {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(Some(which)))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_: ()| open.set(None))
    };
    let dismiss = props
        .dispatch
        .reform(|_: MouseEvent| Action::DismissLoadError);
    let dialog = match *open {
        Some(Open::Share) => html! {
            <ShareDialog model={props.model.clone()} load_error={props.load_error.clone()}
                dispatch={props.dispatch.clone()} on_close={close} />
        },
        Some(Open::Setup) => {
            let spec = props.model.0.borrow().timeline().run().spec.clone();
            html! { <SetupDialog {spec} dispatch={props.dispatch.clone()} on_close={close} /> }
        }
        None => html! {},
    };
    html! {
        <div class="run-menu" role="group" aria-label="Run">
            <button id="setup-open" aria-haspopup="dialog" onclick={show(Open::Setup)}
                aria-label="Cluster setup: controllers, brokers, seed and each node's server.properties">
                { "⚙ Setup" }
            </button>
            <button id="share-open" aria-haspopup="dialog" onclick={show(Open::Share)}
                aria-label="Share and save: copy the link, save or open a scenario or trace file">
                { "Share" }
            </button>
            { dialog }
            if let (Some(e), false) = (&props.load_error, *open == Some(Open::Share)) {
                <div class="load-banner" role="alert">
                    <p id="load-error">{ e }</p>
                    <button onclick={dismiss} aria-label="Dismiss this message">{ "✕" }</button>
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ModalProps {
    id: &'static str,
    title: &'static str,
    on_close: Callback<()>,
    children: Html,
}

/// A native modal `<dialog>`: it traps focus, closes on Escape and gives focus back to
/// the button that opened it.
#[function_component(Modal)]
fn modal(props: &ModalProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with((), move |_| {
            if let Some(d) = node.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        });
    }
    let onclose = props.on_close.reform(|_: Event| ());
    let close_button = {
        let node = node.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = node.cast::<HtmlDialogElement>() {
                d.close(); // fires `close`, which unmounts the dialog
            }
        })
    };
    // The page's shortcut handler prevents Escape's default (which would cancel the
    // dialog), so Escape closes it here, before that handler sees the key.
    let onkeydown = {
        let node = node.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                if let Some(d) = node.cast::<HtmlDialogElement>() {
                    d.close();
                }
            }
        })
    };
    let title_id = format!("{}-title", props.id);
    html! {
        <dialog ref={node} id={props.id} class="modal" aria-labelledby={title_id.clone()} {onclose} {onkeydown}>
            <div class="modal-head">
                <h2 id={title_id}>{ props.title }</h2>
                <button class="modal-close" onclick={close_button} aria-label="Close">{ "✕" }</button>
            </div>
            { props.children.clone() }
        </dialog>
    }
}

#[derive(Properties, PartialEq)]
struct SetupDialogProps {
    spec: ClusterSpec,
    dispatch: Callback<Action>,
    on_close: Callback<()>,
}

#[function_component(SetupDialog)]
fn setup_dialog(props: &SetupDialogProps) -> Html {
    let on_apply = {
        let dispatch = props.dispatch.clone();
        let on_close = props.on_close.clone();
        Callback::from(move |spec: ClusterSpec| {
            dispatch.emit(Action::Reset(spec));
            on_close.emit(());
        })
    };
    html! {
        <Modal id="setup-dialog" title="Cluster setup" on_close={props.on_close.clone()}>
            <p class="hint">{ "Applying starts a new run with this cluster (and a new link). Until then the running cluster is untouched." }</p>
            <ClusterSetup spec={props.spec.clone()} {on_apply} />
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
struct ShareDialogProps {
    model: ModelHandle,
    load_error: Option<String>,
    dispatch: Callback<Action>,
    on_close: Callback<()>,
}

/// Which file an input opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Scenario,
    Trace,
}

#[function_component(ShareDialog)]
fn share_dialog(props: &ShareDialogProps) -> Html {
    let link = use_state(|| current_link(&props.model));
    let status = use_state(String::new);
    // The last download's object URL, kept alive until the next one.
    let download = use_mut_ref(|| None::<gloo::file::ObjectUrl>);

    let copy = {
        let (model, link, status) = (props.model.clone(), link.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let href = current_link(&model);
            link.set(href.clone());
            copy_to_clipboard(href, status.clone());
        })
    };
    let save = |kind: FileKind| {
        let (model, status, download) = (props.model.clone(), status.clone(), download.clone());
        Callback::from(move |_: MouseEvent| {
            let m = model.0.borrow();
            let seed = m.timeline().run().spec.seed;
            let saved = match kind {
                FileKind::Scenario => m
                    .export_scenario()
                    .map(|text| (format!("kraftscope-seed{seed}.kraft"), text, "text/plain")),
                FileKind::Trace => Ok((
                    format!("kraftscope-seed{seed}-trace.json"),
                    m.export_trace(),
                    "application/json",
                )),
            };
            drop(m);
            match saved {
                Ok((name, text, mime)) => {
                    offer_download(&name, &text, mime, &download);
                    status.set(format!("Saved {name}."));
                }
                Err(e) => status.set(e),
            }
        })
    };
    let open_file = |kind: FileKind| {
        let (dispatch, model, on_close, status) = (
            props.dispatch.clone(),
            props.model.clone(),
            props.on_close.clone(),
            status.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            // The same file can be picked again after a fix.
            input.set_value("");
            let name = file.name();
            if file.size() > MAX_FILE_BYTES as f64 {
                // The reducer refuses it by size; no need to read it first.
                let text = " ".repeat(MAX_FILE_BYTES + 1);
                dispatch.emit(match kind {
                    FileKind::Scenario => Action::ImportScenario { name, text },
                    FileKind::Trace => Action::ImportTrace { name, text },
                });
                return;
            }
            status.set(format!("Opening {name}…"));
            let (dispatch, model, on_close, status) = (
                dispatch.clone(),
                model.clone(),
                on_close.clone(),
                status.clone(),
            );
            // Blob.text() decodes UTF-8 (replacing what is not), as the scenario parser
            // and the JSON reader expect.
            let reading = file.text();
            yew::platform::spawn_local(async move {
                let text = match wasm_bindgen_futures::JsFuture::from(reading).await {
                    Ok(text) => text.as_string().unwrap_or_default(),
                    Err(_) => {
                        status.set(format!("Could not read {name}: the browser refused it"));
                        return;
                    }
                };
                dispatch.emit(match kind {
                    FileKind::Scenario => Action::ImportScenario {
                        name: name.clone(),
                        text,
                    },
                    FileKind::Trace => Action::ImportTrace {
                        name: name.clone(),
                        text,
                    },
                });
                if model.0.borrow().load_error.is_none() {
                    on_close.emit(());
                } else {
                    status.set(String::new());
                }
            });
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            i.select();
        }
    });

    html! {
        <Modal id="share-dialog" title="Share and save" on_close={props.on_close.clone()}>
            if let Some(e) = &props.load_error {
                <p id="load-error" class="error" role="alert">{ e }</p>
            }
            <section class="share-section" aria-labelledby="share-link-title">
                <h3 id="share-link-title">{ "Link" }</h3>
                <p class="hint">{ "The page's address always holds the seed, the cluster and everything you did; opening it replays the same run to this moment." }</p>
                <div class="share-row">
                    <label for="share-link" class="visually-hidden">{ "Link to this run" }</label>
                    <input id="share-link" type="text" readonly={true} value={(*link).clone()} onfocus={select_all} />
                    <button id="copy-link" class="primary" onclick={copy}>{ "Copy link" }</button>
                </div>
            </section>
            <section class="share-section" aria-labelledby="share-save-title">
                <h3 id="share-save-title">{ "Save" }</h3>
                <div class="actions">
                    <button id="export-scenario" onclick={save(FileKind::Scenario)}>{ "Save as scenario (.kraft)" }</button>
                    <button id="export-trace" onclick={save(FileKind::Trace)}>{ "Save trace (JSON)" }</button>
                </div>
            </section>
            <section class="share-section" aria-labelledby="share-open-title">
                <h3 id="share-open-title">{ "Open" }</h3>
                <p class="hint">{ "A file that cannot be read says where and why; the run shown stays as it is." }</p>
                <div class="share-files">
                    <label for="import-scenario">{ "Scenario file" }</label>
                    <input id="import-scenario" type="file" accept=".kraft,.txt,text/plain" onchange={open_file(FileKind::Scenario)} />
                    <label for="import-trace">{ "Trace file (JSON)" }</label>
                    <input id="import-trace" type="file" accept=".json,application/json" onchange={open_file(FileKind::Trace)} />
                </div>
            </section>
            <p id="share-status" class="hint" aria-live="polite">{ (*status).clone() }</p>
        </Modal>
    }
}

/// Bring the URL up to date and return it whole.
fn current_link(model: &ModelHandle) -> String {
    url::replace_hash(&model.0.borrow().link());
    url::location_href()
}

fn copy_to_clipboard(text: String, status: UseStateHandle<String>) {
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        return;
    };
    let promise = clipboard.write_text(&text);
    yew::platform::spawn_local(async move {
        status.set(
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => "Link copied to the clipboard.",
                Err(_) => "Could not copy: select the link above and press Ctrl+C.",
            }
            .to_string(),
        );
    });
}

/// Offer `text` as a file download through a Blob and an object URL.
fn offer_download(
    name: &str,
    text: &str,
    mime: &str,
    keep: &Rc<RefCell<Option<gloo::file::ObjectUrl>>>,
) {
    let blob = gloo::file::Blob::new_with_options(text, Some(mime));
    let object_url = gloo::file::ObjectUrl::from(blob);
    let document = gloo::utils::document();
    if let Ok(a) = document.create_element("a") {
        let _ = a.set_attribute("href", &object_url);
        let _ = a.set_attribute("download", name);
        if let Ok(a) = a.dyn_into::<HtmlElement>() {
            a.click();
        }
    }
    // Revoked when the next download replaces it (revoking at once can cancel it).
    *keep.borrow_mut() = Some(object_url);
}
