"""Where student code runs: ``sandbox`` (the bubblewrap command line and limits), ``cgroups``
(a control group per kernel), ``warm_pool`` (kernels started ahead of need), ``zygote`` (the
program, inside the sandbox, that imported the common modules once and forks a kernel per
notebook) and ``zygote_client`` (the grader's side of it: its start and its kernels' manager)."""
