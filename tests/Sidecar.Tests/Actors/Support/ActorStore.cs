using Natter.Sidecar.Tests.Infrastructure;

namespace Natter.Sidecar.Tests.Actors.Support;

/// <summary>The actor state store a placement test runs on: "redis" (the test's own Redis) or "postgresql" (a cluster of its own).</summary>
public sealed class ActorStore : IAsyncDisposable
{
    private readonly PostgresServer? _postgres;

    private ActorStore(PostgresServer? postgres) => _postgres = postgres;

    public static async Task<ActorStore> StartAsync(string kind)
    {
        if (kind == "redis")
        {
            return new ActorStore(null);
        }
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        return new ActorStore(postgres);
    }

    public NodeOptions Apply(NodeOptions options) =>
        _postgres is null ? options : options with { PostgresConnectionString = _postgres.DaprConnectionString };

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
