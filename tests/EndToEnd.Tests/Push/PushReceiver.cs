using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Natter.EndToEnd.Tests.Push;

/// <summary>
/// Stands in for the APNs/FCM gateway: an HTTP listener in the test process that the push sender's bindings.http
/// component calls. It starts before the AppHost boots, so its URL can be an AppHost argument (Push:WebhookUrl).
/// </summary>
public sealed class PushReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Notification> _received = new();

    public PushReceiver()
    {
        var port = FreePorts.Next();
        Url = $"http://127.0.0.1:{port}/push/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ListenAsync);
    }

    public string Url { get; }

    public string AppHostArgument => $"--Push:WebhookUrl={Url}";

    /// <summary>One notification as the webhook received it: the raw JSON body and when it arrived.</summary>
    public sealed record Notification(JsonElement Body, string RawBody, DateTimeOffset At)
    {
        public string Token => Body.GetProperty("token").GetString()!;

        public int CountFor(string chatId) => Body.GetProperty("chats").EnumerateArray()
            .Where(c => c.GetProperty("chatId").GetString() == chatId).Sum(c => c.GetProperty("count").GetInt32());
    }

    public IReadOnlyList<Notification> For(string token) => [.. _received.Where(n => n.Token == token)];

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                var body = await reader.ReadToEndAsync();
                try
                {
                    _received.Enqueue(new Notification(JsonDocument.Parse(body).RootElement.Clone(), body, DateTimeOffset.UtcNow));
                    context.Response.StatusCode = 202;
                }
                catch (JsonException)
                {
                    context.Response.StatusCode = 400;
                }
            }
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
