// Several collections start an AppHost of their own (test clock, failover). Each AppHost runs ~12 processes; on the
// 2-core machines we test on, two at once starve each other into timeouts, so collections run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
