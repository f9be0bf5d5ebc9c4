using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Natter.Client;

namespace Natter.Benchmarks.Messaging;

/// <summary>Where the load generator connects: Natter's gateways, or the bare relay. Clients are the same NatterClient.</summary>
public abstract class Target
{
    public abstract string Name { get; }

    /// <summary>Opens a client for the user; slot spreads clients over the target's entry points (Natter's two gateways).</summary>
    public abstract Task<NatterClient> ConnectAsync(string userId, int slot);

    protected static Task<NatterClient> ConnectAsync(Uri ws, Func<CancellationToken, Task<string>> token) =>
        NatterClient.ConnectAsync(new NatterClientOptions
        {
            Endpoints = [ws],
            TokenProvider = token,
            // A benchmark client that loses its socket has a broken run; reconnecting would hide it.
            AutoReconnect = false,
            RequestTimeout = TimeSpan.FromSeconds(60),
        });
}

/// <summary>The running AppHost: gateway-a and gateway-b, development tokens from the gateway itself.</summary>
public sealed class NatterTarget(DistributedApplication app) : Target
{
    private static readonly string[] Gateways = ["gateway-a", "gateway-b"];
    private readonly HttpClient _http = new();

    public override string Name => "Natter";

    public Uri Http(int slot) => app.GetEndpoint(Gateways[slot % Gateways.Length], "http");

    public override Task<NatterClient> ConnectAsync(string userId, int slot)
    {
        var http = Http(slot);
        return ConnectAsync(new UriBuilder(http) { Scheme = "ws", Path = "/ws" }.Uri, ct => TokenAsync(http, userId, userId + "-c", ct));
    }

    public async Task<string> TokenAsync(Uri http, string userId, string clientId, CancellationToken ct)
    {
        var response = await _http.PostAsJsonAsync(new Uri(http, "/dev/token"), new { userId, clientId }, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenAnswer>(ct))!.Token;
    }

    private sealed record TokenAnswer(string Token);
}

/// <summary>The bare relay (<see cref="RelayServer"/>) as a child process of this one.</summary>
public sealed class RelayTarget(Uri ws) : Target
{
    public override string Name => "bare relay";

    public override Task<NatterClient> ConnectAsync(string userId, int slot) => ConnectAsync(ws, _ => Task.FromResult(userId));
}
