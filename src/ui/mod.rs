//! The Yew app.

use yew::prelude::*;

/// The page: a header, the cluster canvas and a side panel.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <div class="app">
            <header><h1>{ "KRaftScope" }</h1></header>
            <main><canvas id="cluster"></canvas></main>
        </div>
    }
}
