"""Sample classes: ``samples`` (sample submissions made from the release and the reference),
``sample_class`` (the demo, ``python -m autograder demo``) and ``synthetic_class`` (the large
mixed classes the benchmarks and the batch tests grade)."""
