namespace Natter.Sidecar.Actors.Placement;

/// <summary>Where hosts keep their leases: Redis or PostgreSQL for a cluster, this process alone for state.in-memory.</summary>
public interface IPlacementStore
{
    /// <summary>Renews this host's lease and returns every host whose lease is alive, this one included.</summary>
    Task<IReadOnlyList<PlacementHost>> RenewAndReadAsync(PlacementHost self, TimeSpan ttl, CancellationToken ct);

    /// <summary>Drops this host's lease at once, so survivors take over without waiting for it to expire.</summary>
    Task ReleaseAsync(PlacementHost self, CancellationToken ct);
}

/// <summary>With an in-memory actor state store, actors can only live in this process.</summary>
public sealed class LocalPlacementStore : IPlacementStore
{
    public Task<IReadOnlyList<PlacementHost>> RenewAndReadAsync(PlacementHost self, TimeSpan ttl, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PlacementHost>>([self]);

    public Task ReleaseAsync(PlacementHost self, CancellationToken ct) => Task.CompletedTask;
}
