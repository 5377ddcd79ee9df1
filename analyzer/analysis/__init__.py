"""Analysis of parsed bundles: timelines, statistics and findings."""
