"""The stages of a plan, one module each; ``resplan.pipeline.STAGES`` gives their order."""
