using Dapr.Actors.Client;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Natter.Chats;
using Natter.ConnectionGateway.Chats;
using Natter.ConnectionGateway.Connections;
using Natter.ConnectionGateway.Live;
using Natter.ConnectionGateway.Receipts;
using Natter.Contracts;
using Natter.Inbox;
using Natter.Media;
using Natter.Sidecar.Hosting;
using Natter.TestSupport;

namespace Natter.ConnectionGateway.Tests.Infrastructure;

/// <summary>
/// A real <see cref="CommandDispatcher"/> over real transports: the official Dapr SDK clients talk to the repo's own
/// Dapr sidecar hosted in this process (in-memory state store, local placement), and the sidecar calls a stand-in
/// chat service app that hosts "ChatActor" and answers as the real actor does on success. The same stand-in answers
/// MediaService's createAttachment. Every answer is a success, so an "unavailable" can only mean that client input
/// reached a backend in a form that broke the call.
/// </summary>
public sealed class GatewayBackends : IAsyncLifetime
{
    private const string StateStoreComponent = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: statestore
        spec:
          type: state.in-memory
          version: v1
          metadata:
            - name: actorStateStore
              value: "true"
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"natter-gateway-tests-{Guid.NewGuid():N}");
    private WebApplication _chatApp = null!;
    private WebApplication _sidecar = null!;
    private DaprClient _dapr = null!;
    private HttpClient _mediaHttp = null!;

    public CommandDispatcher Dispatcher { get; private set; } = null!;

    /// <summary>Actor calls the stand-in received, by method: proves the fuzz reaches the backends, not only validation.</summary>
    public int ActorCalls => _actorCalls;

    public int MediaCalls => _mediaCalls;

    private int _actorCalls;
    private int _mediaCalls;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(Path.Combine(_folder, "statestore.yaml"), StateStoreComponent, cts.Token);
        var (appPort, httpPort, grpcPort) = (FreePorts.Next(), FreePorts.Next(), FreePorts.Next());

        _chatApp = BuildChatApp(appPort);
        await _chatApp.StartAsync(cts.Token);
        _sidecar = SidecarApplication.Build(
            ["--app-id", "chatservice", "--app-port", $"{appPort}", "--dapr-http-port", $"{httpPort}",
             "--dapr-grpc-port", $"{grpcPort}", "--resources-path", _folder, "--log-level", "warn"],
            new SidecarEnvironment(new Dictionary<string, string?>()), sidecar => sidecar.Logging.ClearProviders());
        await _sidecar.StartAsync(cts.Token);

        var sidecarHttp = $"http://127.0.0.1:{httpPort}";
        _dapr = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{grpcPort}").UseHttpEndpoint(sidecarHttp).Build();
        var proxies = new ActorProxyFactory(new ActorProxyOptions { HttpEndpoint = sidecarHttp });
        _mediaHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{appPort}") };
        var presence = new PresenceRegistry(_dapr);
        var devices = new DeviceRegistryStore(_dapr, new DeviceInbox(_dapr, NullLogger<DeviceInbox>.Instance), presence, TimeProvider.System, NullLogger<DeviceRegistryStore>.Instance);
        var chats = new ChatClient(proxies);
        var settings = new UserSettingsStore(_dapr);
        // Typing and presence (§12).
        var live = new LiveCommands(chats, new ChatMembersCache(TimeProvider.System), new TypingThrottle(TimeProvider.System),
            new LiveSignalPublisher(_dapr, devices, presence, TimeProvider.System),
            new PresenceQuery(_dapr, settings, devices, presence, new LastSeenStore(_dapr)), settings);
        Dispatcher = new CommandDispatcher(chats, new MediaApiClient(_mediaHttp), _dapr, devices, new ConnectionRegistry(),
            new MessageChangeCommands(chats), live, new Natter.ConnectionGateway.Push.PushRegistration(devices),
            new ReceiptCommands(chats), NullLogger<CommandDispatcher>.Instance);

        // The sidecar reads the app's actor types and claims placement in the background: wait until a call goes through.
        var probe = new ParsedFrame(FrameTypes.GetChat, "warm-up",
            System.Text.Json.JsonDocument.Parse($"{{\"type\":\"getChat\",\"chatId\":\"{Guid.CreateVersion7()}\"}}").RootElement);
        while (await Dispatcher.DispatchAsync(Who, probe, cts.Token) is not GetChatResult)
        {
            await Task.Delay(50, cts.Token);
        }
    }

    public static readonly ClientIdentity Who = new("fuzz-user", "fuzz-phone");

    private WebApplication BuildChatApp(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/dapr/config", () => Results.Json(new { entities = new[] { IChatActor.TypeName } }));
        app.MapMethods("/actors/{type}/{id}/method/{method}", ["PUT"], async (string id, string method, HttpRequest request) =>
        {
            Interlocked.Increment(ref _actorCalls);
            using var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            return Results.Json(AnswerAsChatActor(id, method, body.RootElement), NatterJson.Options);
        });
        app.MapDelete("/actors/{type}/{id}", () => Results.Ok());
        app.MapPost("/attachments", (CreateAttachmentRequest request) =>
        {
            Interlocked.Increment(ref _mediaCalls);
            return Results.Json(new CreateAttachmentResponse(Guid.NewGuid().ToString("N"), "/attachments/x/content", false,
                DateTimeOffset.UnixEpoch.AddDays(1)), NatterJson.Options);
        });
        return app;
    }

    /// <summary>What ChatActor answers on success, built from the request it got.</summary>
    private static object AnswerAsChatActor(string chatId, string method, System.Text.Json.JsonElement body)
    {
        var participants = body.TryGetProperty("participants", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.Array
            ? [.. p.EnumerateArray().Select(e => e.GetString() ?? "")]
            : new[] { "fuzz-user" };
        return method switch
        {
            nameof(IChatActor.SendAsync) => new ChatResult<AcceptedMessage>(new AcceptedMessage(Guid.CreateVersion7().ToString(), 1, 1), null),
            _ => new ChatResult<ChatDescription>(new ChatDescription(chatId, "chat", "fuzz-user", participants, 0), null),
        };
    }

    public async Task DisposeAsync()
    {
        _dapr?.Dispose();
        _mediaHttp?.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (_sidecar is not null)
        {
            await _sidecar.StopAsync(cts.Token);
            await _sidecar.DisposeAsync();
        }
        if (_chatApp is not null)
        {
            await _chatApp.StopAsync(cts.Token);
            await _chatApp.DisposeAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayBackendsCollection : ICollectionFixture<GatewayBackends>
{
    public const string Name = "gateway-backends";
}
