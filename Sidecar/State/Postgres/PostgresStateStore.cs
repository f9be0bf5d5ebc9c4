using Natter.Sidecar.Components;
using Natter.Sidecar.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Natter.Sidecar.State.Postgres;

/// <summary>
/// state.postgresql v2 with components-contrib's layout and semantics (see <see cref="PostgresStateSchema"/>): one
/// row per key, the value as bytea, a random uuid etag renewed on every write, and expires_at for TTL. An expired row
/// is invisible at once (every read and etag check filters on expires_at) and deleted by <see cref="PostgresStateCleanup"/>.
/// </summary>
/// <remarks>
/// Semantics, as components-contrib's v2 has them: a save with an etag only updates a live row with that etag (an
/// absent key is an etag mismatch, and so is an etag that is not a uuid); first-write without an etag inserts, or
/// replaces only an expired row; a transaction runs every operation in one database transaction and rolls back on
/// the first that affects no row.
/// </remarks>
public sealed class PostgresStateStore : IStateStore
{
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public PostgresStateStore(string name, bool isActorStateStore, PostgresStateOptions options, NpgsqlDataSource dataSource)
    {
        Name = name;
        IsActorStateStore = isActorStateStore;
        Options = options;
        DataSource = dataSource;
        var t = options.StateTable;
        ReadSql = $"SELECT value, etag FROM {t} WHERE key = $1 AND (expires_at IS NULL OR expires_at >= now())";
        BulkReadSql = $"SELECT key, value, etag FROM {t} WHERE key = ANY($1) AND (expires_at IS NULL OR expires_at >= now())";
        // A null ttl ($3) makes expires_at null: the row never expires, and a save without TTL clears an earlier one.
        UpsertSql = $"""
            INSERT INTO {t} AS t (key, value, etag, expires_at) VALUES ($1, $2, gen_random_uuid(), now() + $3 * interval '1 second')
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now(), etag = gen_random_uuid(), expires_at = excluded.expires_at
            """;
        // first-write without an etag: the conflict path updates only a row that has expired (not yet cleaned up).
        CreateSql = UpsertSql + " WHERE t.expires_at IS NOT NULL AND t.expires_at < now()";
        UpdateIfEtagSql = $"""
            UPDATE {t} SET value = $2, updated_at = now(), etag = gen_random_uuid(), expires_at = now() + $3 * interval '1 second'
            WHERE key = $1 AND etag = $4 AND (expires_at IS NULL OR expires_at >= now())
            """;
        DeleteSql = $"DELETE FROM {t} WHERE key = $1";
        DeleteIfEtagSql = $"DELETE FROM {t} WHERE key = $1 AND etag = $2";
    }

    public string Name { get; }

    public bool IsActorStateStore { get; }

    public PostgresStateOptions Options { get; }

    /// <summary>The pool this store uses; actor placement shares it when this is the actor state store.</summary>
    public NpgsqlDataSource DataSource { get; }

    private string ReadSql { get; }
    private string BulkReadSql { get; }
    private string UpsertSql { get; }
    private string CreateSql { get; }
    private string UpdateIfEtagSql { get; }
    private string DeleteSql { get; }
    private string DeleteIfEtagSql { get; }

    public static PostgresStateStore Create(ComponentSpec spec, PostgresDataSources sources)
    {
        var options = PostgresStateOptions.From(spec);
        return new PostgresStateStore(spec.Name, spec.GetBool("actorStateStore"), options, sources.For(options.Connection));
    }

    public async Task<StateEntry?> GetAsync(string key, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        await using var command = DataSource.CreateCommand(ReadSql);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new StateEntry(key, (byte[])reader[0], reader.GetGuid(1).ToString()) : null;
    }

    public async Task<IReadOnlyList<StateEntry?>> GetBulkAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var found = new Dictionary<string, StateEntry>(StringComparer.Ordinal);
        await using (var command = DataSource.CreateCommand(BulkReadSql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = keys.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var key = reader.GetString(0);
                found[key] = new StateEntry(key, (byte[])reader[1], reader.GetGuid(2).ToString());
            }
        }
        return keys.Select(k => found.GetValueOrDefault(k)).ToArray();
    }

    public Task SetAsync(StateWrite write, CancellationToken ct) => RunAsync([StateOperation.Upsert(write)], ct);

    public Task DeleteAsync(string key, string? etag, StateConcurrency concurrency, CancellationToken ct) =>
        RunAsync([StateOperation.Delete(key, etag, concurrency)], ct);

    public Task TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct) => RunAsync(operations, ct);

    /// <summary>
    /// Deletes expired rows unless any process sharing this table (daprd included) cleaned up less than an interval
    /// ago: the claim is the metadata row "last-cleanup-state-v2-{tablePrefix}", updated only when it is old enough.
    /// Returns the number of rows deleted, or null when another process had the turn.
    /// </summary>
    public async Task<int?> CleanupExpiredAsync(TimeSpan interval, CancellationToken ct)
    {
        await EnsureSchemaAsync(ct);
        var meta = Options.MetadataTableName;
        await using var claim = DataSource.CreateCommand($"""
            INSERT INTO {meta} (key, value) VALUES ($1, now()::text)
            ON CONFLICT (key) DO UPDATE SET value = now()::text
            WHERE {meta}.value::timestamp with time zone < now() - $2 * interval '1 millisecond'
            """);
        // A little under the interval, so a timer firing a few milliseconds early still gets its turn.
        claim.Parameters.Add(new NpgsqlParameter { Value = "last-cleanup-state-v2-" + Options.TablePrefix });
        claim.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, (long)interval.TotalMilliseconds - 100) });
        if (await claim.ExecuteNonQueryAsync(ct) == 0)
        {
            return null;
        }
        await using var delete = DataSource.CreateCommand($"DELETE FROM {Options.StateTable} WHERE expires_at IS NOT NULL AND expires_at < now()");
        return await delete.ExecuteNonQueryAsync(ct);
    }

    private async Task RunAsync(IReadOnlyList<StateOperation> operations, CancellationToken ct)
    {
        if (operations.Count == 0)
        {
            return;
        }
        var commands = operations.Select(ToCommand).ToArray();
        await EnsureSchemaAsync(ct);
        await using var connection = await DataSource.OpenConnectionAsync(ct);
        // One round trip for all operations; a single statement is atomic on its own.
        await using var tx = operations.Count > 1 ? await connection.BeginTransactionAsync(ct) : null;
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct);
        for (var i = 0; i < commands.Length; i++)
        {
            if (commands[i].RecordsAffected != 1 && Failure(operations[i]) is { } failure)
            {
                if (tx is not null)
                {
                    await tx.RollbackAsync(ct);
                }
                throw failure;
            }
        }
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
    }

    private NpgsqlBatchCommand ToCommand(StateOperation op)
    {
        if (op.Write is { } write)
        {
            var ttl = new NpgsqlParameter { Value = write.TtlSeconds is { } seconds ? seconds : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer };
            var command = new NpgsqlBatchCommand(string.IsNullOrEmpty(write.Etag)
                ? write.Concurrency == StateConcurrency.FirstWrite ? CreateSql : UpsertSql
                : UpdateIfEtagSql)
            {
                Parameters = { new() { Value = write.Key }, new() { Value = write.Value.ToArray(), NpgsqlDbType = NpgsqlDbType.Bytea }, ttl },
            };
            if (!string.IsNullOrEmpty(write.Etag))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = ParseEtag(write.Key, write.Etag) });
            }
            return command;
        }
        var key = op.DeleteKey ?? throw new ArgumentException("A state operation needs a write or a delete key.");
        return string.IsNullOrEmpty(op.DeleteEtag)
            ? new NpgsqlBatchCommand(DeleteSql) { Parameters = { new() { Value = key } } }
            : new NpgsqlBatchCommand(DeleteIfEtagSql) { Parameters = { new() { Value = key }, new() { Value = ParseEtag(key, op.DeleteEtag) } } };
    }

    // An operation that affected no row: with an etag, an etag mismatch; a first-write save, a plain failure
    // (components-contrib's "no item was updated", which daprd reports as Internal / 500); a delete without an etag
    // of an absent key is no failure.
    private static StateStoreException? Failure(StateOperation op) => op switch
    {
        { Write: { Etag: { Length: > 0 } } w } => new EtagMismatchException(w.Key, "possible etag mismatch. error from state store"),
        { Write: { } w } => new FirstWriteConflictException(w.Key, "no item was updated"),
        { DeleteEtag: { Length: > 0 } } => new EtagMismatchException(op.DeleteKey!, "possible etag mismatch. error from state store"),
        _ => null,
    };

    // components-contrib's v2 answers an etag that is not a uuid with an etag mismatch (not "invalid etag").
    private static Guid ParseEtag(string key, string etag) => Guid.TryParse(etag, out var guid)
        ? guid
        : throw new EtagMismatchException(key, $"possible etag mismatch. error from state store: invalid UUID '{etag}'");

    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        if (_schemaReady)
        {
            return;
        }
        await _schemaLock.WaitAsync(ct);
        try
        {
            if (!_schemaReady)
            {
                // Not at start-up: PostgreSQL may come up after the sidecar, as Redis may. A failure is retried on the next call.
                await PostgresStateSchema.EnsureAsync(DataSource, Options, ct);
                _schemaReady = true;
            }
        }
        finally
        {
            _schemaLock.Release();
        }
    }
}
