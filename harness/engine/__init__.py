"""The engine: claims and their rules, judging, the accepted baselines, the scoreboards and the run's staging store."""
