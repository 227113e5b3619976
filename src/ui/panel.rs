//! The side panel: what the canvas shows, in words. Later it holds the inspector,
//! logs and metadata tree (see DESIGN.md §The UI).

use yew::prelude::*;

use super::canvas::PLACEHOLDER_CONTROLLERS;

#[function_component(SidePanel)]
pub fn side_panel() -> Html {
    html! {
        <aside class="panel" aria-label="Cluster details">
            <h2>{ "Quorum" }</h2>
            <ul class="nodes">
                { for PLACEHOLDER_CONTROLLERS.iter().map(|id| html! {
                    <li key={*id}>{ format!("Controller {id}") }</li>
                }) }
            </ul>
            <p class="hint">
                { "A placeholder ring. The simulated KRaft quorum arrives with the simulator." }
            </p>
        </aside>
    }
}
