"""The views over results: the snapshot they render from, results/README.md, the page, forest plots, history, merge of shards."""
