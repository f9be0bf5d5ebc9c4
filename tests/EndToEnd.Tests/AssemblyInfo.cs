// Each collection starts a whole AppHost; two at once would fight over 2 cores and time out.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
