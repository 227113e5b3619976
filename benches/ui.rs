//! UI benchmarks: `make bench` (criterion). Rendering the App to HTML natively is the
//! cheapest stand-in for the cost of a component tree until the simulator exists.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use kraftscope::App;

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

    criterion_group!(benches, render_app_ssr);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

// Criterion does not build for wasm32; `cargo clippy --all-targets --target wasm32-…`
// still compiles this file, so it gets an empty main there.
#[cfg(target_arch = "wasm32")]
fn main() {}
