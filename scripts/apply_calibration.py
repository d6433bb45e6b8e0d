#!/usr/bin/env python3
"""Copy the fitted values of scenarios/calibrated.toml into the defaults in
src/params.rs, so that the code's defaults are the calibrated baseline, then
regenerate scenarios/baseline.toml. A test checks the two agree.

Usage: python3 scripts/apply_calibration.py [scenarios/calibrated.toml]
"""
import re
import subprocess
import sys
import tomllib

STRUCTS = {
    "run": "RunParams", "population": "PopulationParams", "offending": "OffendingParams",
    "court": "CourtParams", "testing": "TestingParams", "dip": "DipParams",
    "sentencing": "SentencingParams", "orders": "OrderParams", "treatment": "TreatmentParams",
    "custody": "CustodyParams", "mortality": "MortalityParams",
}
# Intervention blocks whose defaults are a `impl Default for <struct>` in
# src/interventions.rs (blocks built by a shared constructor cannot be fitted here).
INTERVENTIONS = {
    "required_assessment": "RequiredAssessment", "restriction_on_bail": "RestrictionOnBail",
    "drug_courts": "DrugCourts", "low_intensity_order": "LowIntensityOrder", "carat": "Carat",
    "detox_maintenance": "DetoxMaintenance", "idts": "Idts",
    "intensive_partnership": "IntensivePartnership",
}
GROUPS = ["opiates_crack", "other_drugs", "alcohol", "none"]


def leaves(prefix, table):
    for k, v in table.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            yield from leaves(key, v)
        else:
            yield key, v


def fmt(v):
    s = repr(float(v))
    return s if "e" not in s else f"{v:.6f}".rstrip("0")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "scenarios/calibrated.toml"
    with open(path, "rb") as f:
        fitted = {k: v for k, v in leaves("", tomllib.load(f)) if isinstance(v, (int, float))}
    src = open("src/params.rs").read()
    iv_src = open("src/interventions.rs").read()
    for key, value in list(fitted.items()):
        parts = key.split(".")
        if parts[0] == "interventions":
            if parts[1] not in INTERVENTIONS:
                sys.exit(f"{key}: block {parts[1]} has no own Default impl; add it to INTERVENTIONS")
            start = iv_src.index(f"impl Default for {INTERVENTIONS[parts[1]]} {{")
            end = iv_src.index("\n}\n", start)
            block = iv_src[start:end]
            m = re.search(rf"\b{parts[2]}: ([^,\n]+),", block)
            iv_src = iv_src[:start] + block[: m.start(1)] + fmt(value) + block[m.end(1):] + iv_src[end:]
            del fitted[key]
    open("src/interventions.rs", "w").write(iv_src)
    for key, value in fitted.items():
        parts = key.split(".")
        section, field = parts[0], parts[1]
        start = src.index(f"impl Default for {STRUCTS[section]} {{")
        end = src.index("\n}\n", start)
        block = src[start:end]
        if len(parts) == 3:
            m = re.search(rf"{field}: BySubstance::new\(([^)]*)\)", block)
            vals = [x.strip() for x in m.group(1).split(",")]
            vals[GROUPS.index(parts[2])] = fmt(value)
            new = block[: m.start(1)] + ", ".join(vals) + block[m.end(1):]
        else:
            m = re.search(rf"\b{field}: ([^,\n]+),", block)
            new = block[: m.start(1)] + fmt(value) + block[m.end(1):]
        src = src[:start] + new + src[end:]
    open("src/params.rs", "w").write(src)
    subprocess.run(["cargo", "fmt", "--", "src/params.rs", "src/interventions.rs"], check=True)
    out = subprocess.run(["cargo", "run", "--release", "-q", "--", "params", "--toml"],
                         check=True, capture_output=True, text=True).stdout
    open("scenarios/baseline.toml", "w").write(out)
    print(f"applied {len(fitted)} fitted values from {path}; regenerated scenarios/baseline.toml")


if __name__ == "__main__":
    main()
