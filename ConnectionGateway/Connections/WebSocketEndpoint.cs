using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Natter.ConnectionGateway.Live;
using Natter.Contracts;
using Natter.Inbox;

namespace Natter.ConnectionGateway.Connections;

public static class WebSocketEndpoint
{
    /// <summary>
    /// GET /ws: a request that is not a WebSocket upgrade gets 400; an upgrade without a valid JWT gets 401 and no
    /// socket. A refused device (a user's 4th client, or a client_id that belongs to another user) gets its socket,
    /// one error frame and a 4001/4004 close, so a browser client, which cannot read a refused upgrade, learns why.
    /// </summary>
    public static WebApplication MapClientConnections(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        // A peer that stops answering pings is dropped after the timeout instead of holding its socket for ever.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout });
        app.MapGet("/ws", AcceptAsync);
        return app;
    }

    private static async Task AcceptAsync(
        HttpContext context, DeviceRegistryStore devices, ConnectionServices services, SidecarWatch sidecar, GatewayDrain drain,
        LastSeenRecording lastSeen)
    {
        if (!sidecar.SidecarReachable || drain.Draining)
        {
            // Without its sidecar, or while shutting down, this gateway can do nothing lasting for a client: send it to
            // another one at once.
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { code = "websocket_required", message = "GET /ws must be a WebSocket upgrade" });
            return;
        }
        var userId = context.User.FindFirst(NatterClaims.UserId)?.Value;
        var clientId = context.User.FindFirst(NatterClaims.ClientId)?.Value;
        if (context.User.Identity?.IsAuthenticated != true || string.IsNullOrWhiteSpace(userId) || string.IsNullOrWhiteSpace(clientId)
            || clientId.Contains(':', StringComparison.Ordinal))
        {
            await context.ChallengeAsync();
            return;
        }
        var device = new DeviceAddress(userId, clientId);
        var outcome = await devices.RegisterAsync(device, context.RequestAborted);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        switch (outcome)
        {
            case RegistrationOutcome.TooManyDevices:
                await RefuseAsync(socket, ErrorCodes.TooManyDevices, CloseCodes.TooManyDevices,
                    $"a user has at most {DeviceRegistry.MaxDevicesPerUser} active clients; deactivate one first", context.RequestAborted);
                return;
            case RegistrationOutcome.ClientIdTaken:
                await RefuseAsync(socket, ErrorCodes.ClientIdTaken, CloseCodes.ClientIdTaken,
                    "this client_id belongs to another user's device", context.RequestAborted);
                return;
        }
        using var connection = new ClientConnection(socket, new ClientIdentity(userId, clientId), services);
        await lastSeen.RecordAsync(userId); // §12: a gateway that dies leaves at least the connect time
        await connection.RunAsync(context.RequestAborted);
        await lastSeen.RecordAsync(userId);
    }

    private static async Task RefuseAsync(WebSocket socket, string code, int closeCode, string message, CancellationToken ct)
    {
        var error = new ErrorFrame(null, code, message);
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(error, NatterJson.Options), WebSocketMessageType.Text, true, ct);
        await socket.CloseAsync((WebSocketCloseStatus)closeCode, code, ct);
    }
}
