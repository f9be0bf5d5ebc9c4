using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
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
/// A server newer than the client may push item types the client does not know. The client must still acknowledge
/// them (PROTOCOL.md §7): an item never acknowledged comes again every 30 s and on every connection for 30 days.
/// </summary>
public sealed class UnknownItemTests
{
    [Fact]
    public async Task An_item_of_an_unknown_type_is_acknowledged_and_surfaced_as_a_bare_item()
    {
        var acknowledged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ws", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync("""{"type":"somethingNew","deliveryId":"phone:7","payload":{"x":1}}"""u8.ToArray(),
                WebSocketMessageType.Text, true, context.RequestAborted);
            var buffer = new byte[4096];
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                using var frame = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count));
                if (frame.RootElement.GetProperty("type").GetString() == "RECEIVED")
                {
                    acknowledged.TrySetResult(frame.RootElement.GetProperty("deliveryId").GetString()!);
                }
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        await using var client = await NatterClient.ConnectAsync(new NatterClientOptions
        {
            Endpoints = [new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws")],
            TokenProvider = _ => Task.FromResult("token"),
            AutoReconnect = false,
        });

        Assert.Equal("phone:7", await acknowledged.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var item = await client.Items.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("somethingNew", "phone:7"), (item.Type, item.DeliveryId));
    }
}
