using System.Text;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Natter.Sidecar.Components;
using Natter.Sidecar.Tests.Infrastructure;
using Natter.Sidecar.Tests.State.Backends;

namespace Natter.Sidecar.Tests.State;

/// <summary>
/// The state conformance cases on state.postgresql v2, plus what is its own: components-contrib's v2 table layout and
/// metadata rows (so daprd reads the same rows), uuid etags, expires_at and the cleanup of expired rows.
/// </summary>
public sealed class PostgresStateTests(PostgresStateBackend backend) : StateStoreTests<PostgresStateBackend>(backend)
{
    // No cleanup in this class's store, so an expired row stays in the table and its invisibility can be seen.
    protected override string? ExtraMetadata => "    - name: cleanupInterval\n      value: \"0\"";

    private PostgresServer Postgres => Backend.Server;

    [Fact]
    public async Task Rows_are_stored_in_the_v2_layout_under_the_app_id_prefixed_key()
    {
        await Dapr.SaveStateAsync("statestore", "k1", "v1");
        await Dapr.SaveStateAsync("statestore", "k1", "v2");
        var (_, etag) = await Dapr.GetStateAndETagAsync<string>("statestore", "k1");

        Assert.Equal("\"v2\"", Encoding.UTF8.GetString((byte[])(await Postgres.ScalarAsync("SELECT value FROM state WHERE key = $1", $"{AppId}||k1"))!));
        Assert.Equal(etag, (await Postgres.ScalarAsync("SELECT etag FROM state WHERE key = $1", $"{AppId}||k1"))!.ToString());
        Assert.True(Guid.TryParse(etag, out _));
        Assert.NotNull(await Postgres.ScalarAsync("SELECT updated_at FROM state WHERE key = $1", $"{AppId}||k1"));
        Assert.Equal(0L, await Postgres.ScalarAsync("SELECT count(*) FROM state WHERE key = 'k1'"));
    }

    [Fact]
    public async Task Schema_matches_daprds_migrations_so_daprd_finds_nothing_to_migrate()
    {
        await Dapr.SaveStateAsync("statestore", "any", 1);

        Assert.Equal("2", await Postgres.ScalarAsync("SELECT value FROM dapr_metadata WHERE key = 'migrations-state-v2-'"));
        Assert.Equal("lock", await Postgres.ScalarAsync("SELECT value FROM dapr_metadata WHERE key = 'lock'"));
        Assert.Equal("created_at:timestamp with time zone,etag:uuid,expires_at:timestamp with time zone,key:text,row_id:bigint,updated_at:timestamp with time zone,value:bytea",
            await Postgres.ScalarAsync("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'state'"));
        Assert.Equal("YES", await Postgres.ScalarAsync("SELECT is_identity FROM information_schema.columns WHERE table_name = 'state' AND column_name = 'row_id'"));
        Assert.Equal(1L, await Postgres.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE tablename = 'state' AND indexname = 'state_row_id_uidx'"));
    }

    [Fact]
    public async Task A_row_written_in_daprds_layout_reads_back_with_its_value_and_etag()
    {
        var etag = Guid.NewGuid();
        await Postgres.ScalarAsync("INSERT INTO state (key, value, etag) VALUES ($1, $2, $3)", $"{AppId}||from-daprd", Encoding.UTF8.GetBytes("\"hello\""), etag);

        var (value, read) = await Dapr.GetStateAndETagAsync<string>("statestore", "from-daprd");

        Assert.Equal("hello", value);
        Assert.Equal(etag.ToString(), read);
    }

    [Fact]
    public async Task Save_with_an_etag_on_a_missing_key_is_an_etag_mismatch_as_components_contrib_v2_does()
    {
        Assert.False(await Dapr.TrySaveStateAsync("statestore", "never-written", 1, Guid.NewGuid().ToString()));
        Assert.Null(await Dapr.GetStateAsync<int?>("statestore", "never-written"));
    }

    [Fact]
    public async Task An_etag_that_is_not_a_uuid_is_an_etag_mismatch_not_an_invalid_argument()
    {
        await Dapr.SaveStateAsync("statestore", "uuid-etag", 1);

        Assert.False(await Dapr.TrySaveStateAsync("statestore", "uuid-etag", 2, "7"));
        Assert.False(await Dapr.TryDeleteStateAsync("statestore", "uuid-etag", "7"));
        Assert.Equal(1, await Dapr.GetStateAsync<int>("statestore", "uuid-etag"));
    }

    [Fact]
    public async Task Ttl_sets_expires_at_and_a_save_without_ttl_clears_it()
    {
        await Dapr.SaveStateAsync("statestore", "ttl", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "100" });
        var seconds = Convert.ToDouble(await Postgres.ScalarAsync("SELECT extract(epoch FROM expires_at - now()) FROM state WHERE key = $1", $"{AppId}||ttl"));
        Assert.InRange(seconds, 90, 100);

        await Dapr.SaveStateAsync("statestore", "ttl", "y");

        Assert.Equal(DBNull.Value, await Postgres.ScalarAsync("SELECT expires_at FROM state WHERE key = $1", $"{AppId}||ttl"));
    }

    [Fact]
    public async Task An_expired_row_is_invisible_at_once_though_still_in_the_table()
    {
        var key = $"{AppId}||expired";
        var etag = Guid.NewGuid();
        await Postgres.ScalarAsync("INSERT INTO state (key, value, etag, expires_at) VALUES ($1, $2, $3, now() - interval '1 minute')", key, "\"old\""u8.ToArray(), etag);

        Assert.Null(await Dapr.GetStateAsync<string>("statestore", "expired"));
        Assert.True(string.IsNullOrEmpty(Assert.Single(await Dapr.GetBulkStateAsync("statestore", ["expired"], parallelism: 1)).Value));
        Assert.False(await Dapr.TrySaveStateAsync("statestore", "expired", "with-etag", etag.ToString()));
        Assert.Equal(1L, await Postgres.ScalarAsync("SELECT count(*) FROM state WHERE key = $1", key));

        // first-write treats an expired row as absent: it may take its place.
        await Dapr.SaveStateAsync("statestore", "expired", "new", new StateOptions { Concurrency = ConcurrencyMode.FirstWrite });
        Assert.Equal("new", await Dapr.GetStateAsync<string>("statestore", "expired"));
    }

    [Fact]
    public async Task Cleanup_deletes_expired_rows_every_cleanup_interval_and_records_its_run()
    {
        using var resources = new ResourcesFolder().WithPostgresState(Postgres.DaprConnectionString, "swept",
            extraMetadata: "    - name: tablePrefix\n      value: gc_\n    - name: cleanupInterval\n      value: 1s");
        await using var sidecar = await SidecarHost.StartAsync(new SidecarSettings(AppId, resources.Path));
        using var dapr = sidecar.CreateClient();

        await dapr.SaveStateAsync("swept", "brief", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "1" });
        await dapr.SaveStateAsync("swept", "lasting", "y");

        Assert.True(await Eventually.TrueAsync(async () => (long)(await Postgres.ScalarAsync("SELECT count(*) FROM gc_state WHERE key = $1", $"{AppId}||brief"))! == 0, TimeSpan.FromSeconds(15)));
        Assert.Equal("y", await dapr.GetStateAsync<string>("swept", "lasting"));
        Assert.NotNull(await Postgres.ScalarAsync("SELECT value FROM dapr_metadata WHERE key = 'last-cleanup-state-v2-gc_'"));
        Assert.Equal("2", await Postgres.ScalarAsync("SELECT value FROM dapr_metadata WHERE key = 'migrations-state-v2-gc_'"));
    }

    [Fact]
    public async Task A_failed_transaction_rolls_back_the_operations_before_the_failing_one()
    {
        await Dapr.SaveStateAsync("statestore", "tx-keep", "kept");

        var error = await Assert.ThrowsAsync<DaprException>(() => Dapr.ExecuteStateTransactionAsync("statestore",
        [
            new StateTransactionRequest("tx-keep", null, StateOperationType.Delete),
            new StateTransactionRequest("tx-new", "\"new\""u8.ToArray(), StateOperationType.Upsert),
            new StateTransactionRequest("tx-missing", "\"x\""u8.ToArray(), StateOperationType.Upsert, Guid.NewGuid().ToString()),
        ]));

        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal("kept", await Dapr.GetStateAsync<string>("statestore", "tx-keep"));
        Assert.Null(await Dapr.GetStateAsync<string>("statestore", "tx-new"));
    }

    [Theory]
    [InlineData("v1", "- name: connectionString\n      value: \"host=127.0.0.1\"", "spec.version")]
    [InlineData("v2", "- name: connectionString\n      value: \"host=127.0.0.1\"\n    - name: tableName\n      value: state", "tableName")]
    [InlineData("v2", "- name: connectionString\n      value: \"host=127.0.0.1 sslcompression=1\"", "sslcompression")]
    [InlineData("v2", "- name: connectionString\n      value: \"host=127.0.0.1\"\n    - name: tablePrefix\n      value: \"x; DROP TABLE y\"", "tablePrefix")]
    public async Task Unusable_component_metadata_stops_start_up_with_the_field_named(string version, string metadata, string field)
    {
        using var resources = new ResourcesFolder().Write("pg.yaml", $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: statestore
            spec:
              type: state.postgresql
              version: {version}
              metadata:
                {metadata}
            """);

        var error = await Assert.ThrowsAsync<ComponentFileException>(async () =>
            await (await SidecarHost.StartAsync(new SidecarSettings(AppId, resources.Path))).DisposeAsync());

        Assert.Contains(field, error.Message);
    }
}
