using Natter.Sidecar.Actors.Reminders;
using Natter.Sidecar.Actors.State;
using Natter.Sidecar.Components;
using Natter.Sidecar.Postgres;
using Natter.Sidecar.State.Postgres;
using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Actors;

/// <summary>The reminder array of a type, written by several hosts at once through their own pools, on state.postgresql.</summary>
public sealed class ReminderStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncDisposable
{
    private readonly PostgresDataSources _pools = new();

    private ReminderStore Host(string name)
    {
        var spec = new ComponentSpec("statestore", ComponentTypes.StatePostgres, "v2",
            new Dictionary<string, string> { ["connectionString"] = postgres.DaprConnectionString, ["actorStateStore"] = "true" },
            [], "statestore.yaml");
        // Distinct application names give each host a pool of its own, as two sidecars have.
        var options = PostgresStateOptions.From(spec);
        options.Connection.ApplicationName = name;
        var store = new PostgresStateStore(spec.Name, true, options, _pools.For(options.Connection));
        return new ReminderStore(new ActorStoreBinding(store, spec));
    }

    // All hosts find no array and race to create it (first-write): the losers must re-read and retry, not fail.
    [Fact]
    public async Task Hosts_creating_a_types_first_reminders_at_once_keep_every_one()
    {
        var type = $"T{Guid.NewGuid():N}";
        var hosts = new[] { Host("host-a"), Host("host-b"), Host("host-c") };

        await Task.WhenAll(hosts.SelectMany((host, h) => Enumerable.Range(0, 4).Select(i =>
            host.SaveAsync(type, new StoredReminder($"actor-{h}-{i}", "beat", "0s", "1s", null, null, DateTimeOffset.UtcNow, Guid.NewGuid().ToString()), CancellationToken.None))));

        Assert.Equal(12, (await hosts[0].ListAsync(type, CancellationToken.None)).Count);
    }

    public async ValueTask DisposeAsync() => await _pools.DisposeAsync();
}
