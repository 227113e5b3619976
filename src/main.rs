//! The web entry point: mounts the Yew app. Everything else lives in the library.
fn main() {
    // index.html's static shell has done its job (an early first paint); the app
    // replaces it in the same task, so no blank frame shows in between.
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
    yew::Renderer::<kraftscope::App>::new().render();
}
