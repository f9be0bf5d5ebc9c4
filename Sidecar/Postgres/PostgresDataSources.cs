using System.Collections.Concurrent;
using Npgsql;

namespace Natter.Sidecar.Postgres;

/// <summary>One pooled NpgsqlDataSource per distinct connection string: the state store and placement on it share the pool.</summary>
public sealed class PostgresDataSources : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> _sources = new(StringComparer.Ordinal);

    public NpgsqlDataSource For(NpgsqlConnectionStringBuilder settings) =>
        _sources.GetOrAdd(settings.ConnectionString, cs => new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(cs))).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _sources.Values.Where(l => l.IsValueCreated))
        {
            await lazy.Value.DisposeAsync();
        }
    }
}
