using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Natter.EndToEnd.Tests.Messaging;

namespace Natter.EndToEnd.Tests;

/// <summary>
/// The same AppHost on components/postgresql: state (inboxes, devices, chat actors) on PostgreSQL, pub/sub on Redis.
/// The platform-team swap: Dapr:ResourcesPath alone selects it, and the AppHost then starts PostgreSQL too.
/// </summary>
public sealed class PostgresComponentsFixture : NatterAppFixture
{
    protected override string ResourcesPath => "components/postgresql";

    /// <summary>Runs one query against the AppHost's PostgreSQL with Debian's psql and returns its unaligned output.</summary>
    public async Task<string> QueryAsync(string sql)
    {
        var endpoint = App.GetEndpoint("postgres", "tcp");
        var psql = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "psql")).First(File.Exists);
        using var process = Process.Start(new ProcessStartInfo(psql,
            ["-h", "127.0.0.1", "-p", endpoint.Port.ToString(), "-U", "natter", "-d", "postgres", "-Atc", sql])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"psql failed: {await error}");
        return (await output).Trim();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresComponentsCollection : ICollectionFixture<PostgresComponentsFixture>
{
    public const string Name = "natter-app-postgresql";
}

/// <summary>
/// A named subset of the messaging suite, run unchanged on the PostgreSQL set: the cases that lean on state
/// semantics (etag-guarded inbox appends under contention, create-only dedupe, the device registry, membership held by
/// chat actors placed through PostgreSQL leases), plus proof that the rows are in PostgreSQL and not in Redis.
/// </summary>
[Collection(PostgresComponentsCollection.Name)]
public sealed class PostgresComponentsMessagingTests(PostgresComponentsFixture fixture)
{
    [Fact]
    public Task One_to_one_message_reaches_the_other_user_with_its_server_identity() =>
        new DeliveryTests(fixture).One_to_one_message_reaches_the_other_user_with_its_server_identity();

    [Fact]
    public Task Offline_device_receives_queued_messages_in_order_on_reconnect() =>
        new DeliveryTests(fixture).Offline_device_receives_queued_messages_in_order_on_reconnect();

    [Fact]
    public Task Users_on_different_gateways_talk_both_ways() =>
        new DeliveryTests(fixture).Users_on_different_gateways_talk_both_ways();

    [Fact]
    public Task Resend_with_the_same_client_message_id_returns_the_same_message_and_delivers_once() =>
        new DeliveryTests(fixture).Resend_with_the_same_client_message_id_returns_the_same_message_and_delivers_once();

    [Fact]
    public Task Twenty_chats_writing_to_one_device_at_once_lose_nothing() =>
        new DeliveryTests(fixture).Twenty_chats_writing_to_one_device_at_once_lose_nothing();

    [Fact]
    public Task A_clientMessageId_reused_in_another_chat_is_a_new_message_and_is_delivered() =>
        new DedupeTests(fixture).A_clientMessageId_reused_in_another_chat_is_a_new_message_and_is_delivered();

    [Fact]
    public Task The_fourth_device_is_refused_until_one_is_deactivated() =>
        new DeviceTests(fixture).The_fourth_device_is_refused_until_one_is_deactivated();

    [Fact]
    public Task Chat_updates_reach_offline_members_old_new_and_removed() =>
        new MembershipTests(fixture).Chat_updates_reach_offline_members_old_new_and_removed();

    [Fact]
    public async Task State_rows_are_in_postgresql_the_chat_actors_share_one_placement_and_redis_holds_no_state()
    {
        await new DeliveryTests(fixture).One_to_one_message_reaches_the_other_user_with_its_server_identity();

        // Chats, inboxes and devices share "statestore||" (keyPrefix: name), in v2's table.
        Assert.NotEqual("0", await fixture.QueryAsync("SELECT count(*) FROM state WHERE key LIKE 'statestore||%'"));
        Assert.Equal("2", await fixture.QueryAsync("SELECT value FROM dapr_metadata WHERE key = 'migrations-state-v2-'"));
        // Both chat service instances hold leases in the same table: one placement for the actors.
        Assert.Equal("2", await fixture.QueryAsync("SELECT count(*) FROM natter_sidecar_placement WHERE host LIKE '%\"appId\":\"chatservice\"%'"));
        await using var redis = await new MessagingHarness(fixture).ConnectRedisAsync();
        var server = redis.GetServers()[0];
        Assert.Empty(server.Keys(pattern: "statestore||*").Take(1));
        Assert.Empty(server.Keys(pattern: "chatservice||*").Take(1));
    }
}
