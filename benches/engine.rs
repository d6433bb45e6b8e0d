//! Criterion benchmarks of the engine. Throughput is reported in simulated
//! person-years per second; `pathsim bench` gives the full-scale figures, events
//! per second and peak memory.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pathsim::metrics::Metrics;
use pathsim::params::baseline;
use pathsim::rng::replicate_seed;
use pathsim::run::run_replicate;

fn replicate(c: &mut Criterion) {
    let mut p = baseline();
    p.run.scale = 50.0;
    let seed = replicate_seed(p.run.seed, 0);
    let once: Metrics = run_replicate(&p, seed, || Metrics::new(&p), &|| {});
    let person_years = (once.person_days as f64 / 365.2425) as u64;
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(person_years));
    group.bench_function("baseline_replicate_scale50_person_years", |b| {
        b.iter(|| {
            let m: Metrics = run_replicate(&p, seed, || Metrics::new(&p), &|| {});
            m.events
        })
    });
    group.finish();
}

criterion_group!(benches, replicate);
criterion_main!(benches);
