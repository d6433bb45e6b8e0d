//! Slurm scripts for a sweep: a job array whose task I runs shard I/N, and a merge
//! job that waits for the whole array (`--dependency=afterok`). Paths are absolute
//! so the scripts work from any directory on a shared file system.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// What one run of the sweep cost where `--emit-slurm` measured it (run 0 of
/// the design, on this machine, with the task's threads).
#[derive(Clone, Debug)]
pub struct Cost {
    pub seconds_per_run: f64,
    /// Peak resident memory of the measuring process, in MiB.
    pub peak_rss_mib: f64,
    /// Where and how it was measured, for the script's comment.
    pub note: String,
}

/// What the scripts need to know.
pub struct Job<'a> {
    pub name: &'a str,
    /// The pathsim binary compute nodes run.
    pub exe: PathBuf,
    pub sweep: PathBuf,
    pub out: PathBuf,
    /// Runs in the whole sweep.
    pub total: u64,
    pub tasks: u64,
    pub cpus_per_task: usize,
    /// The measured cost of one run, for default `--time` and `--mem`.
    pub cost: Option<Cost>,
    /// Extra `#SBATCH` options, e.g. `--partition=short`.
    pub extra: &'a [String],
}

/// Quote for a POSIX shell.
fn q(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// Whether the user's own options already set a time (or memory) limit.
fn user_sets(extra: &[String], long: &[&str], short: &str) -> bool {
    extra.iter().any(|o| {
        long.iter()
            .any(|l| o == l || o.starts_with(&format!("{l}=")))
            || (!short.is_empty() && o.starts_with(short))
    })
}

/// A Slurm time limit, `[D-]HH:MM:SS`.
pub fn slurm_time(seconds: f64) -> String {
    let s = seconds.max(0.0).ceil() as u64;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// Default limits of one array task from the measured cost: three times the
/// measured time of its runs plus 10 minutes (nodes differ, and a re-queued task
/// repeats nothing it finished), and 1.5 times the peak memory plus 256 MiB,
/// rounded up to 64 MiB. Returns (time, MiB).
pub fn default_limits(cost: &Cost, runs_per_task: u64) -> (String, u64) {
    let secs = 3.0 * cost.seconds_per_run * runs_per_task as f64 + 600.0;
    let mib = (cost.peak_rss_mib * 1.5 + 256.0).max(256.0);
    let mib = (mib / 64.0).ceil() as u64 * 64;
    (slurm_time(secs), mib)
}

fn header(job: &Job, name: &str, log: &str, lines: &[String]) -> String {
    let mut s = format!(
        "#!/bin/bash\n#SBATCH --job-name={name}\n#SBATCH --output={}\n",
        job.out.join("slurm/logs").join(log).display()
    );
    for l in lines.iter().chain(job.extra) {
        s.push_str(&format!("#SBATCH {l}\n"));
    }
    s.push_str("set -euo pipefail\n");
    s
}

/// The array script's limits and the comment saying where they come from.
fn limits(job: &Job) -> (Vec<String>, String) {
    let runs_per_task = job.total.div_ceil(job.tasks.max(1));
    let Some(cost) = &job.cost else {
        return (
            Vec::new(),
            "# No cost was measured: the cluster's default time and memory limits apply.\n".into(),
        );
    };
    let (time, mib) = default_limits(cost, runs_per_task);
    let mut lines = Vec::new();
    let mut comment = format!(
        "# Measured cost of one run: {:.3} s and {:.0} MiB peak resident memory ({}).\n\
         # Each task runs at most {runs_per_task} runs: default limits --time={time} (3 x the measured\n\
         # time + 10 min) and --mem={mib}M (1.5 x the peak + 256 MiB). Override with --sbatch=--time=...\n\
         # or --sbatch=--mem=... when emitting.\n",
        cost.seconds_per_run, cost.peak_rss_mib, cost.note
    );
    if user_sets(job.extra, &["--time"], "-t") {
        comment.push_str("# (--time given with --sbatch: the default is not used)\n");
    } else {
        lines.push(format!("--time={time}"));
    }
    if user_sets(job.extra, &["--mem", "--mem-per-cpu", "--mem-per-gpu"], "") {
        comment.push_str("# (--mem given with --sbatch: the default is not used)\n");
    } else {
        lines.push(format!("--mem={mib}M"));
    }
    (lines, comment)
}

/// The array script, the merge script, a submit script that chains them, and a
/// resubmit script for the shards that failed or never ran.
pub fn scripts(job: &Job) -> [(String, String); 4] {
    let n = job.tasks;
    let (mut lines, cost_comment) = limits(job);
    lines.splice(
        0..0,
        [
            format!("--array=0-{}", n - 1),
            format!("--cpus-per-task={}", job.cpus_per_task),
        ],
    );
    let shard_file = format!("{}/runs.shard-${{task}}-of-{n}.csv", job.out.display());
    let array = format!(
        "{}{cost_comment}\
         # Task I runs every run with index % {n} == I and appends it to runs.shard-I-of-{n}.csv;\n\
         # a task that is killed or re-queued resumes where it stopped. The log says when the task\n\
         # started, its shard, its progress, the runs done and its exit status.\n\
         task=${{SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}}\n\
         shard_file={sf}\n\
         runs_done() {{ if [ -f \"$shard_file\" ]; then grep -c '^[0-9][0-9]*,' \"$shard_file\" || true; else echo 0; fi; }}\n\
         echo \"$(date '+%F %T') start: task $task of job ${{SLURM_ARRAY_JOB_ID:-?}} on $(hostname), shard $task/{n}, $(runs_done) runs already done\"\n\
         status=0\n\
         PATHSIM_PROGRESS_SECS=${{PATHSIM_PROGRESS_SECS:-60}} {exe} sweep {sweep} --shard \"$task/{n}\" --out {out} --threads \"${{SLURM_CPUS_PER_TASK:-{c}}}\" || status=$?\n\
         echo \"$(date '+%F %T') end: task $task, shard $task/{n}, $(runs_done) runs done, exit status $status\"\n\
         exit \"$status\"\n",
        header(
            job,
            &format!("pathsim-{}", job.name),
            "sweep_%A_%a.out",
            &lines
        ),
        sf = q(Path::new(&shard_file)).replace("${task}", "'\"${task}\"'"),
        exe = q(&job.exe),
        sweep = q(&job.sweep),
        out = q(&job.out),
        c = job.cpus_per_task,
    );
    let merge = format!(
        "{}# Refuses to merge unless every shard is complete and from this sweep.\n\
         echo \"$(date '+%F %T') merge start: job ${{SLURM_JOB_ID:-?}} on $(hostname)\"\n\
         status=0\n\
         {exe} merge {sweep} --out {out} || status=$?\n\
         echo \"$(date '+%F %T') merge end: exit status $status\"\n\
         exit \"$status\"\n",
        header(
            job,
            &format!("pathsim-{}-merge", job.name),
            "merge_%j.out",
            &[]
        ),
        exe = q(&job.exe),
        sweep = q(&job.sweep),
        out = q(&job.out),
    );
    let slurm = job.out.join("slurm");
    let submit = format!(
        "#!/bin/sh\n# Submit the sweep's job array, then its merge job to run once every task has succeeded.\n\
         # If a task fails, Slurm cancels the merge job (--kill-on-invalid-dep=yes) instead of leaving\n\
         # it pending for ever; then run resubmit.sh, which resubmits only the failed or missing shards.\n\
         set -eu\n\
         array=$(sbatch --parsable {a})\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:\"$array\" {m})\n\
         merge=${{merge%%;*}}\n\
         echo \"submitted job array $array ({n} tasks) and merge job $merge\"\n\
         echo \"results: {out}/runs.csv once job $merge finishes (squeue -j $array,$merge)\"\n\
         echo \"if a task fails: sh {r}\"\n",
        a = q(&slurm.join("sweep.sbatch")),
        m = q(&slurm.join("merge.sbatch")),
        r = q(&slurm.join("resubmit.sh")),
        out = job.out.display(),
    );
    let resubmit = format!(
        "#!/bin/sh\n# List the shards of this sweep whose file is missing or holds fewer runs than the shard has\n\
         # (a task that failed, was cancelled or never ran), and resubmit only those as a job array,\n\
         # with a new merge job after them. Each resubmitted task resumes its shard file.\n\
         # Usage: sh resubmit.sh [--list]   (--list: only print the failed or missing shards)\n\
         set -eu\n\
         total={total}\n\
         n={n}\n\
         out={out}\n\
         todo=\"\"\n\
         i=0\n\
         while [ \"$i\" -lt \"$n\" ]; do\n\
         \x20   f=\"$out/runs.shard-$i-of-$n.csv\"\n\
         \x20   want=$(( (total - i + n - 1) / n ))\n\
         \x20   if [ ! -f \"$f\" ]; then\n\
         \x20       echo \"shard $i/$n: missing (no $f)\"\n\
         \x20       todo=\"$todo${{todo:+,}}$i\"\n\
         \x20   else\n\
         \x20       have=$(grep -c '^[0-9][0-9]*,' \"$f\" || true)\n\
         \x20       # A last line without its newline is a run cut off: not done.\n\
         \x20       if [ -n \"$(tail -c 1 \"$f\")\" ]; then have=$((have - 1)); fi\n\
         \x20       if [ \"$have\" -lt \"$want\" ]; then\n\
         \x20           echo \"shard $i/$n: incomplete ($have of $want runs in $f)\"\n\
         \x20           todo=\"$todo${{todo:+,}}$i\"\n\
         \x20       fi\n\
         \x20   fi\n\
         \x20   i=$((i + 1))\n\
         done\n\
         if [ -z \"$todo\" ]; then\n\
         \x20   echo \"every shard of {n} is complete; merge with: sbatch {m}\"\n\
         \x20   exit 0\n\
         fi\n\
         echo \"failed or missing shards: $todo\"\n\
         if [ \"${{1:-}}\" = \"--list\" ]; then exit 0; fi\n\
         if [ -n \"$(squeue -h -o %i -n {jobname} 2>/dev/null)\" ]; then\n\
         \x20   echo \"tasks of this sweep are still queued or running (squeue -n {jobname}): wait for them or scancel them first\" >&2\n\
         \x20   exit 1\n\
         fi\n\
         array=$(sbatch --parsable --array=\"$todo\" {a})\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:\"$array\" {m})\n\
         merge=${{merge%%;*}}\n\
         echo \"resubmitted shards $todo as job array $array and merge job $merge\"\n",
        total = job.total,
        out = q(&job.out),
        a = q(&slurm.join("sweep.sbatch")),
        m = q(&slurm.join("merge.sbatch")),
        jobname = format!("pathsim-{}", job.name),
    );
    [
        ("sweep.sbatch".into(), array),
        ("merge.sbatch".into(), merge),
        ("submit.sh".into(), submit),
        ("resubmit.sh".into(), resubmit),
    ]
}

/// Write the scripts into `<out>/slurm/` (and make the log folder). Returns the folder.
pub fn emit(job: &Job) -> Result<PathBuf> {
    let dir = job.out.join("slurm");
    std::fs::create_dir_all(dir.join("logs"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in scripts(job) {
        let path = dir.join(&name);
        crate::output::write_atomic(&path, text.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job<'a>(extra: &'a [String], out: &Path) -> Job<'a> {
        Job {
            name: "t",
            exe: "/opt/pathsim".into(),
            sweep: "/data/it's.toml".into(),
            out: out.to_path_buf(),
            total: 30,
            tasks: 8,
            cpus_per_task: 2,
            cost: Some(Cost {
                seconds_per_run: 12.5,
                peak_rss_mib: 300.0,
                note: "run 0 on testhost".into(),
            }),
            extra,
        }
    }

    #[test]
    fn scripts_run_each_shard_and_merge_after_the_array() {
        let extra = vec!["--partition=short".to_string()];
        let [(_, array), (_, merge), (_, submit), _] =
            scripts(&job(&extra, Path::new("/data/out")));
        assert!(array.contains("#SBATCH --array=0-7\n"));
        assert!(array.contains("#SBATCH --partition=short\n"));
        assert!(array.contains("--shard \"$task/8\""));
        assert!(array.contains(r"'/data/it'\''s.toml'"));
        assert!(merge.contains("'/opt/pathsim' merge"));
        assert!(submit.contains("--dependency=afterok:\"$array\""));
    }

    /// Issue 12: after a failed array task the merge job stayed pending for ever.
    #[test]
    fn merge_is_cancelled_when_an_array_task_fails() {
        let [_, _, (_, submit), (_, resubmit)] = scripts(&job(&[], Path::new("/o")));
        assert!(submit.contains(
            "sbatch --parsable --kill-on-invalid-dep=yes --dependency=afterok:\"$array\""
        ));
        assert!(resubmit.contains("--kill-on-invalid-dep=yes --dependency=afterok:\"$array\""));
    }

    /// Issue 12: no default --time or --mem. They now come from the measured
    /// cost of a run (with the numbers in a comment); --sbatch overrides them.
    #[test]
    fn default_time_and_memory_come_from_the_measured_cost() {
        // 30 runs over 8 tasks: at most 4 a task; 3 x 4 x 12.5 s + 600 s = 750 s.
        let [(_, array), ..] = scripts(&job(&[], Path::new("/o")));
        assert!(array.contains("#SBATCH --time=00:12:30\n"), "{array}");
        // 1.5 x 300 + 256 = 706 MiB, rounded up to 768.
        assert!(array.contains("#SBATCH --mem=768M\n"), "{array}");
        assert!(array.contains("12.500 s and 300 MiB peak resident memory (run 0 on testhost)"));
        let own = vec![
            "--time=2-00:00:00".to_string(),
            "--mem-per-cpu=4G".to_string(),
        ];
        let [(_, array), ..] = scripts(&job(&own, Path::new("/o")));
        assert!(!array.contains("#SBATCH --time=00:12:30"));
        assert!(!array.contains("#SBATCH --mem=768M"));
        assert!(array.contains("#SBATCH --time=2-00:00:00\n"));
        assert_eq!(slurm_time(90061.0), "1-01:01:01");
    }

    /// Issue 12: per-task logs were empty (the task ran with --quiet).
    #[test]
    fn task_logs_say_what_each_task_did() {
        let [(_, array), (_, merge), ..] = scripts(&job(&[], Path::new("/o")));
        assert!(!array.contains("--quiet"));
        for word in [
            "start: task $task",
            "shard $task/8",
            "runs done",
            "exit status $status",
        ] {
            assert!(array.contains(word), "{word}: {array}");
        }
        assert!(merge.contains("merge end: exit status $status"));
    }

    /// Issue 12: no helper to resubmit the failed tasks. resubmit.sh lists the
    /// shards whose file is missing, short or cut off, and resubmits only those.
    #[test]
    fn resubmit_lists_only_failed_or_missing_shards() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let j = Job {
            total: 10,
            tasks: 4,
            ..job(&[], out)
        };
        let dir = emit(&j).unwrap();
        let rows = |runs: &[u64]| {
            let mut s = String::from("# pathsim sweep x\nrun,seed,a\n");
            for r in runs {
                s.push_str(&format!("{r},1,0.5\n"));
            }
            s
        };
        // Shard 0 (runs 0, 4, 8) complete; 1 short; 2 missing; 3 cut off mid-line.
        std::fs::write(out.join("runs.shard-0-of-4.csv"), rows(&[0, 4, 8])).unwrap();
        std::fs::write(out.join("runs.shard-1-of-4.csv"), rows(&[1])).unwrap();
        let mut cut = rows(&[3]);
        cut.push_str("7,1,0.");
        std::fs::write(out.join("runs.shard-3-of-4.csv"), cut).unwrap();
        let o = std::process::Command::new("sh")
            .arg(dir.join("resubmit.sh"))
            .arg("--list")
            .output()
            .unwrap();
        assert!(o.status.success());
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("failed or missing shards: 1,2,3\n"), "{text}");
        assert!(
            text.contains("shard 3/4: incomplete (1 of 2 runs"),
            "{text}"
        );
        assert!(!text.contains("shard 0/4"), "{text}");
    }
}
