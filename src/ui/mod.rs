//! The Yew app: a header, the cluster canvas and a side panel.
//!
//! Components render what they are given; they never compute protocol state.

pub mod canvas;
mod cluster_view;
mod panel;
pub mod setup;
pub mod share;

use yew::prelude::*;

use cluster_view::ClusterView;
use panel::SidePanel;

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <div class="app">
            <header class="header">
                <h1>{ "KRaftScope" }</h1>
                <p class="tagline">{ "Kafka's KRaft consensus, running in your browser" }</p>
            </header>
            <main class="stage"><ClusterView /></main>
            <SidePanel />
        </div>
    }
}
