using System.Text.Json;
using Natter.Sidecar.Postgres;
using Npgsql;

namespace Natter.Sidecar.Actors.Placement;

/// <summary>
/// Leases in the actor state store's PostgreSQL, for hosts whose actor state store is state.postgresql: one row per
/// host with its description and an expiry in database time (hosts' clocks never disagree). One batch renews, drops
/// expired leases and reads the live ones in a single round trip. The table is this sidecar's own (daprd uses its
/// placement service instead) and sits next to the state table: "{tablePrefix}natter_sidecar_placement".
/// </summary>
public sealed class PostgresPlacementStore(NpgsqlDataSource db, string table) : IPlacementStore
{
    private volatile bool _tableReady;

    public async Task<IReadOnlyList<PlacementHost>> RenewAndReadAsync(PlacementHost self, TimeSpan ttl, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            INSERT INTO {table} (id, host, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
            ON CONFLICT (id) DO UPDATE SET host = excluded.host, expires_at = excluded.expires_at
            """)
        {
            Parameters = { new() { Value = self.InstanceId }, new() { Value = JsonSerializer.Serialize(self) }, new() { Value = (long)ttl.TotalMilliseconds } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"DELETE FROM {table} WHERE expires_at < now()"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT host FROM {table}"));
        var hosts = new List<PlacementHost>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (JsonSerializer.Deserialize<PlacementHost>(reader.GetString(0)) is { } host)
            {
                hosts.Add(host);
            }
        }
        return hosts;
    }

    public async Task ReleaseAsync(PlacementHost self, CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        await using var command = db.CreateCommand($"DELETE FROM {table} WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = self.InstanceId });
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task EnsureTableAsync(CancellationToken ct)
    {
        if (_tableReady)
        {
            return;
        }
        await ConcurrentCreate.ExecuteAsync(db,
            $"CREATE TABLE IF NOT EXISTS {table} (id text NOT NULL PRIMARY KEY, host text NOT NULL, expires_at timestamp with time zone NOT NULL)", ct);
        _tableReady = true;
    }
}
