"""The pipeline: one module per stage, the decision, the updates and the core that runs them."""
