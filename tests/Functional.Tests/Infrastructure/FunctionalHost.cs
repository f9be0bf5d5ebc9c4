using System.Net.Http.Json;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Dapr.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Natter.ChatService;
using Natter.Chats;
using Natter.ConnectionGateway;
using Natter.Contracts;
using Natter.Inbox;
using Natter.MediaService;

namespace Natter.Functional.Tests.Infrastructure;

/// <summary>
/// ChatService, the gateway and MediaService, each in this process in front of its own local sidecar, on one real
/// redis-server and one real Azurite, with the repository's own component files (state.redis, pubsub.redis, the
/// "cleanup" cron binding). Two chat service instances, as the AppHost runs, so every simulated day brings two cron
/// ticks at once. Time is one <see cref="FakeTimeProvider"/> that only the test moves: every service reads it, and the
/// chat and media sidecars fire their @daily cron on it, so a simulated month is 30 real cron ticks per sidecar that
/// reach each service through its sidecar. What is simulated: the clock only; Redis's own TTLs run on real time.
/// </summary>
public sealed class FunctionalHost : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] ComponentFiles = ["statestore.yaml", "pubsub.yaml", "secretstore.yaml", "cleanup-cron.yaml"];

    private readonly string _folder = Directory.CreateTempSubdirectory("natter-functional-").FullName;
    private readonly List<IAsyncDisposable> _started = [];
    private DaprClient _dapr = null!;

    /// <summary>Starts at the real now, so tokens minted on real time are valid; from then on only the test moves it.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public DateTimeOffset ClockStart { get; private set; }

    public RedisServer Redis { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    /// <summary>chatservice-a and chatservice-b: one app id, two instances, each with its own sidecar and cron.</summary>
    public IReadOnlyList<ServiceNode> Chats { get; private set; } = [];

    public ServiceNode Gateway { get; private set; } = null!;

    public ServiceNode Media { get; private set; } = null!;

    /// <summary>The inbox library over the gateway's sidecar: the tests read inboxes through their owner.</summary>
    public DeviceInbox Inbox { get; private set; } = null!;

    public DeviceRegistryStore Devices { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        ClockStart = Clock.GetUtcNow();
        var components = Directory.CreateDirectory(Path.Combine(_folder, "components")).FullName;
        foreach (var file in ComponentFiles)
        {
            File.Copy(Path.Combine(RepositoryPaths.Root, "components", file), Path.Combine(components, file));
        }
        Redis = Track(await RedisServer.StartAsync());
        var azurite = Track(await Azurite.StartAsync());
        Blobs = new BlobServiceClient(azurite.ConnectionString);

        // Development only: fresh random keys per run, as the AppHost generates them.
        var signingKey = NewKey(48);
        var mediaKey = NewKey(48);
        var appApiToken = NewKey(32);
        var daprApiToken = NewKey(32);
        var sidecarEnvironment = new Dictionary<string, string?>
        {
            ["REDIS_HOST"] = Redis.Address,
            ["APP_API_TOKEN"] = appApiToken,
            ["DAPR_API_TOKEN"] = daprApiToken,
        };
        var common = new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = signingKey,
            ["APP_API_TOKEN"] = appApiToken,
            ["DAPR_API_TOKEN"] = daprApiToken,
        };

        Media = Track(await ServiceNode.StartAsync(
            new("MediaService", "mediaservice", b => b.AddMediaService(), a => a.MapMediaService()),
            new Dictionary<string, string?>(common)
            {
                ["ConnectionStrings:blobs"] = azurite.ConnectionString,
                ["Media:InternalKey"] = mediaKey,
            }, Clock, components, sidecarEnvironment, cts.Token));
        var mediaClient = new Dictionary<string, string?>(common)
        {
            ["Media:BaseUrl"] = Media.Address.ToString(),
            ["Media:InternalKey"] = mediaKey,
        };
        var chats = new List<ServiceNode>();
        for (var i = 0; i < 2; i++)
        {
            chats.Add(Track(await ServiceNode.StartAsync(
                new("ChatService", "chatservice", b => b.AddChatService(), a => a.MapChatService()),
                mediaClient, Clock, components, sidecarEnvironment, cts.Token)));
        }
        Chats = chats;
        Gateway = Track(await ServiceNode.StartAsync(
            new("ConnectionGateway", "gateway", b => b.AddGateway(), a => a.MapGateway()),
            new Dictionary<string, string?>(mediaClient)
            {
                ["Auth:DevelopmentTokens"] = "true",
                ["Gateway:InstanceId"] = "gateway-functional",
                // Small upkeep batches, so a handful of sockets spans several of them.
                ["Gateway:UpkeepBatchSize"] = "4",
            }, Clock, components, sidecarEnvironment, cts.Token));

        _dapr = new DaprClientBuilder().UseGrpcEndpoint(Gateway.SidecarGrpc).UseHttpEndpoint(Gateway.SidecarHttp)
            .UseDaprApiToken(daprApiToken).Build();
        Inbox = new DeviceInbox(_dapr, NullLogger<DeviceInbox>.Instance);
        Devices = new DeviceRegistryStore(_dapr, Inbox, new PresenceRegistry(_dapr), Clock, NullLogger<DeviceRegistryStore>.Instance);

        await WhenReadyAsync(cts.Token);
    }

    /// <summary>
    /// Ready when the callers' sidecars place ChatActor on both chat sidecars, and the chat and media sidecars'
    /// cron runners wait on the test clock (so no tick is owed before the test moves it).
    /// </summary>
    private async Task WhenReadyAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll([.. Chats.Select(c => c.CronClock.Scheduled), Media.CronClock.Scheduled]).WaitAsync(ct);
            foreach (var caller in new[] { Gateway, Media })
            {
                await caller.Placement.WhenReady.WaitAsync(ct);
                while (caller.Placement.Table.HostsFor(IChatActor.TypeName).Count < Chats.Count)
                {
                    await Task.Delay(50, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the functional host was not ready within {StartTimeout}");
        }
    }

    /// <summary>
    /// Lets whole days pass, one at a time: the clock moves a day, so each cron crosses one midnight, and the next day
    /// begins only once that day's tick reached every chat service and MediaService through its sidecar and was
    /// answered. One jump of a month would instead fire a month of ticks at once, each reading whatever time the
    /// clock shows by then, which no real calendar does.
    /// </summary>
    public async Task PassDaysAsync(int days)
    {
        for (var day = 0; day < days; day++)
        {
            Clock.Advance(TimeSpan.FromDays(1));
            // One tick per UTC midnight passed since the start.
            var owed = (Clock.GetUtcNow().UtcDateTime.Date - ClockStart.UtcDateTime.Date).Days;
            await Task.WhenAll([.. Chats.Select(c => c.Cron.WaitForAnsweredAsync(owed, WaitTimeout)), Media.Cron.WaitForAnsweredAsync(owed, WaitTimeout)]);
        }
    }

    /// <summary>
    /// The Redis TTL of each stored entry of a device's inbox. A TTL is visible only in Redis (the local sidecar does
    /// not return ttlExpireTime), so this is the one read that spells the state store's key shape; a test-only scan.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan?>> EntryTimeToLivesAsync(DeviceAddress device)
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis.Address);
        var keys = redis.GetServers()[0].Keys(pattern: $"*inbox|{device.Key}|*").ToList();
        return await Task.WhenAll(keys.Select(k => redis.GetDatabase().KeyTimeToLiveAsync(k)));
    }

    public async Task<string> TokenAsync(string userId, string clientId)
    {
        using var http = Gateway.Client();
        using var response = await http.PostAsJsonAsync("/dev/token", new { userId, clientId, lifetimeSeconds = 3600 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
    }

    private T Track<T>(T started) where T : IAsyncDisposable
    {
        _started.Add(started);
        return started;
    }

    private static string NewKey(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));

    public async Task DisposeAsync()
    {
        _dapr?.Dispose();
        // Callers first, stores last.
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].DisposeAsync();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Harmless leftovers under /tmp.
        }
    }

    private sealed record TokenResponse(string Token);
}

[CollectionDefinition(Name)]
public sealed class FunctionalCollection : ICollectionFixture<FunctionalHost>
{
    public const string Name = "functional";
}
