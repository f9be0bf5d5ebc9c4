using Npgsql;

namespace Natter.Sidecar.Postgres;

/// <summary>
/// CREATE TABLE IF NOT EXISTS run by two processes at the same moment (sidecars starting together, or a sidecar and
/// daprd) can still fail in the loser: on the catalog's unique index (23505), on the table's row type (42710) or on
/// the relation (42P07). The table is there once the winner commits, so the loser retries.
/// </summary>
public static class ConcurrentCreate
{
    private const int Attempts = 3;

    private static bool IsRace(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DuplicateTable;

    public static async Task ExecuteAsync(NpgsqlDataSource db, string createIfNotExists, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = db.CreateCommand(createIfNotExists);
                await command.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (PostgresException e) when (IsRace(e) && attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            }
        }
    }
}
