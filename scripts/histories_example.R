#!/usr/bin/env Rscript
# Reproduce one row of results.csv from pathsim's Parquet histories with R's
# arrow package: arrests of opiate and crack users in 2011, replicate 0, times
# the run's scale, equal the `arrests` row of results.csv for that group, year
# and replicate.
#
#   pathsim run scenarios/baseline.toml --histories \
#       --histories-replicates 0 --histories-years 2011
#   Rscript scripts/histories_example.R outputs/baseline
library(arrow)

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) > 0) args[1] else "outputs/baseline"
h <- file.path(out, "histories")

people <- read_parquet(file.path(h, "people.parquet"))
events <- read_parquet(file.path(h, "events.parquet"))

arrests <- events[events$event == "arrest" & events$replicate == 0 &
                    format(events$date, "%Y") == "2011", c("replicate", "person")]
joined <- merge(arrests, people[, c("replicate", "person", "substance")])
n <- sum(joined$substance == "opiates_crack")

# The scale: the `scale = ...` line of the [run] table of the resolved scenario.
toml <- readLines(file.path(out, "scenario.toml"))
run <- which(toml == "[run]")
scale_line <- grep("^scale = ", toml[run:length(toml)], value = TRUE)[1]
scale <- as.numeric(sub("^scale = ", "", scale_line))

results <- read.csv(file.path(out, "results.csv"))
want <- results$value[results$replicate == 0 & results$metric == "arrests" &
                        results$group == "opiates_crack" & results$period == 2011]
cat(sprintf("results.csv: %.0f; R arrow: %d arrests x scale %g = %.0f\n",
            want, n, scale, n * scale))
stopifnot(n * scale == want)
