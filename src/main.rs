//! The web entry point: mounts the Yew app. Everything else lives in the library.
fn main() {
    yew::Renderer::<kraftscope::App>::new().render();
}
