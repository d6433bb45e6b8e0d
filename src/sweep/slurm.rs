//! Slurm scripts for a sweep: a job array whose task I runs shard I/N, and a merge
//! job that waits for the whole array (`--dependency=afterok`). Paths are absolute
//! so the scripts work from any directory on a shared file system.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// What the scripts need to know.
pub struct Job<'a> {
    pub name: &'a str,
    /// The pathsim binary compute nodes run.
    pub exe: PathBuf,
    pub sweep: PathBuf,
    pub out: PathBuf,
    pub tasks: u64,
    pub cpus_per_task: usize,
    /// Extra `#SBATCH` options, e.g. `--partition=short`.
    pub extra: &'a [String],
}

/// Quote for a POSIX shell.
fn q(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
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

/// The array script, the merge script and a submit script that chains them.
pub fn scripts(job: &Job) -> [(String, String); 3] {
    let array = format!(
        "{}# Task I runs every run with index % {n} == I and appends it to runs.shard-I-of-{n}.csv;\n\
         # a task that is killed or re-queued resumes where it stopped.\n\
         exec {exe} sweep {sweep} --shard \"${{SLURM_ARRAY_TASK_ID}}/{n}\" --out {out} --threads \"${{SLURM_CPUS_PER_TASK:-{c}}}\" --quiet\n",
        header(
            job,
            &format!("pathsim-{}", job.name),
            "sweep_%A_%a.out",
            &[format!("--array=0-{}", job.tasks - 1), format!("--cpus-per-task={}", job.cpus_per_task)]
        ),
        n = job.tasks,
        exe = q(&job.exe),
        sweep = q(&job.sweep),
        out = q(&job.out),
        c = job.cpus_per_task,
    );
    let merge = format!(
        "{}# Refuses to merge unless every shard is complete and from this sweep.\n\
         exec {exe} merge {sweep} --out {out}\n",
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
         set -eu\n\
         array=$(sbatch --parsable {a})\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterok:\"$array\" {m})\n\
         merge=${{merge%%;*}}\n\
         echo \"submitted job array $array ({n} tasks) and merge job $merge\"\n\
         echo \"results: {out}/runs.csv once job $merge finishes (squeue -j $array,$merge)\"\n",
        a = q(&slurm.join("sweep.sbatch")),
        m = q(&slurm.join("merge.sbatch")),
        n = job.tasks,
        out = job.out.display(),
    );
    [
        ("sweep.sbatch".into(), array),
        ("merge.sbatch".into(), merge),
        ("submit.sh".into(), submit),
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

    #[test]
    fn scripts_run_each_shard_and_merge_after_the_array() {
        let extra = vec!["--partition=short".to_string()];
        let job = Job {
            name: "t",
            exe: "/opt/pathsim".into(),
            sweep: "/data/it's.toml".into(),
            out: "/data/out".into(),
            tasks: 8,
            cpus_per_task: 2,
            extra: &extra,
        };
        let [(_, array), (_, merge), (_, submit)] = scripts(&job);
        assert!(array.contains("#SBATCH --array=0-7\n"));
        assert!(array.contains("#SBATCH --partition=short\n"));
        assert!(array.contains("--shard \"${SLURM_ARRAY_TASK_ID}/8\""));
        assert!(array.contains(r"'/data/it'\''s.toml'"));
        assert!(merge.contains("'/opt/pathsim' merge"));
        assert!(submit.contains("--dependency=afterok:\"$array\""));
    }
}
