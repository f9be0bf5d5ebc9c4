using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Natter.Client.Tests;

/// <summary>
/// A real Kestrel WebSocket endpoint that pushes newMessage frames as fast as the socket takes them and hangs up after
/// a few, so a client is always handling, acknowledging or reconnecting when it is disposed.
/// </summary>
public sealed class FloodingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FloodingServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<FloodingServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            _ = DrainAsync(socket, context.RequestAborted);
            try
            {
                // Half the connections end after a few frames, so the client is as often reconnecting as reading.
                var frames = Random.Shared.Next(2) == 0 ? Random.Shared.Next(1, 20) : int.MaxValue;
                for (var n = 0; n < frames && socket.State == WebSocketState.Open; n++)
                {
                    await socket.SendAsync(Frame(n), WebSocketMessageType.Text, true, context.RequestAborted);
                }
                await socket.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "next", context.RequestAborted);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The client went away: that is the point of the test.
            }
        });
        await app.StartAsync();
        var server = new FloodingServer(app);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Endpoint = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws");
        return server;
    }

    /// <summary>Large bodies keep the client busy parsing between two reads, which is where disposal used to hit.</summary>
    private static readonly string Body = new('x', 256 * 1024);

    private static byte[] Frame(int n) => Encoding.UTF8.GetBytes(
        $$$"""{"type":"newMessage","deliveryId":"d{{{n}}}","payload":{"chatId":"c","messageId":"m{{{n}}}","seq":{{{n + 1}}},"userId":"u","message":"{{{Body}}}","attachments":[],"timestamp":1}}""");

    /// <summary>Reads the client's acks so its sends never block on a full TCP window.</summary>
    private static async Task DrainAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                await socket.ReceiveAsync(buffer, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
