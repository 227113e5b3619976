//! UI benchmarks: `make bench` (criterion). The per-frame work natively: one bounded
//! model slice plus a scene rebuild on the 50-node `?bench=frames` load, and the
//! panels' data (built at most ~10 times a second); plus the App rendered to HTML.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use kraftscope::ui::scene::Scene;
    use kraftscope::ui::state::Action;
    use kraftscope::ui::view_model::PanelData;
    use kraftscope::App;

    fn frame_50_nodes(c: &mut Criterion) {
        let mut m = kraftscope::ui::bench_model(1);
        for _ in 0..200 {
            m.reduce(Action::Frame { wall_ms: 16.0 });
        }
        let mut scene = Scene::default();
        c.bench_function("ui/frame_50_nodes", |b| {
            b.iter(|| {
                m.reduce(Action::Frame { wall_ms: 16.0 });
                scene.rebuild(m.world(), m.view_ms(), 1280.0, 720.0);
                std::hint::black_box(scene.messages.len())
            })
        });
        c.bench_function("ui/panel_data_50_nodes", |b| {
            b.iter(|| std::hint::black_box(PanelData::build(&m)))
        });
    }

    fn render_app_ssr(c: &mut Criterion) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        c.bench_function("ui/render_app_ssr", |b| {
            b.iter(|| {
                let html = rt.block_on(
                    yew::LocalServerRenderer::<App>::new()
                        .hydratable(false)
                        .render(),
                );
                std::hint::black_box(html)
            })
        });
    }

    criterion_group!(benches, frame_50_nodes, render_app_ssr);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

// Criterion does not build for wasm32; `cargo clippy --all-targets --target wasm32-…`
// still compiles this file, so it gets an empty main there.
#[cfg(target_arch = "wasm32")]
fn main() {}
