"""The `virtualfs` command: thin commands over FeatureStore, one module per command group."""
