using System.Net.WebSockets;
using System.Text.Json;
using Natter.ConnectionGateway.Devices;
using Natter.Contracts;

namespace Natter.ConnectionGateway.Connections;

public static class WebSocketEndpoint
{
    /// <summary>
    /// GET /ws: the upgrade requires a valid JWT (401 otherwise, no socket). A user's 4th client gets its socket, one
    /// error frame "too_many_devices" and close code 4001, so a browser client can tell why it was refused.
    /// </summary>
    public static WebApplication MapClientConnections(this WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.MapGet("/ws", AcceptAsync).RequireAuthorization();
        return app;
    }

    private static async Task AcceptAsync(HttpContext context, DeviceRegistryStore devices, ConnectionServices services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { code = "websocket_required", message = "GET /ws must be a WebSocket upgrade" });
            return;
        }
        var userId = context.User.FindFirst(NatterClaims.UserId)?.Value;
        var clientId = context.User.FindFirst(NatterClaims.ClientId)?.Value;
        if (string.IsNullOrWhiteSpace(userId) || string.IsNullOrWhiteSpace(clientId) || clientId.Contains(':', StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var outcome = await devices.RegisterAsync(userId, clientId, context.RequestAborted);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        if (outcome == RegistrationOutcome.TooManyDevices)
        {
            await RefuseAsync(socket, context.RequestAborted);
            return;
        }
        using var connection = new ClientConnection(socket, new ClientIdentity(userId, clientId), services);
        await connection.RunAsync(context.RequestAborted);
    }

    private static async Task RefuseAsync(WebSocket socket, CancellationToken ct)
    {
        var error = new ErrorFrame(null, ErrorCodes.TooManyDevices,
            $"a user has at most {DeviceRegistry.MaxDevicesPerUser} active clients; deactivate one first");
        await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(error, NatterJson.Options), WebSocketMessageType.Text, true, ct);
        await socket.CloseAsync((WebSocketCloseStatus)CloseCodes.TooManyDevices, ErrorCodes.TooManyDevices, ct);
    }
}
