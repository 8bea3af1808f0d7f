"""Measurements of the pipeline's output against the generator's ground truth."""
