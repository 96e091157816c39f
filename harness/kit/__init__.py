"""The kit that claim code uses: data, the documents' models, training and shared recipes, probes, plots, statistics, device and backend."""
