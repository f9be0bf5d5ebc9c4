using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Natter.Client;
using Natter.Contracts;

namespace Natter.Chaos;

/// <summary>How much load: users with 1-3 devices each, over both gateways, in 1:1 chats and groups.</summary>
public sealed record ChaosLoadOptions(int Users = 20, int Groups = 4, int GroupSize = 6, double MessagesPerSecond = 40, int Seed = 7);

/// <summary>
/// The users of a chaos run. Each device is a NatterClient that reconnects with backoff to either gateway, stores
/// (records) every message it is handed and acks it (the client acks after surfacing), and sends at its share of the
/// rate, one message at a time, each with a unique clientMessageId resent until SUCCESS or FAILURE.
/// </summary>
public sealed class ChaosLoad : IAsyncDisposable
{
    private static readonly string[] Gateways = ["gateway-a", "gateway-b"];
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(300);

    private readonly DistributedApplication _app;
    private readonly ChaosHistory _history;
    private readonly Dictionary<string, NatterClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _chatsOfUser = new(StringComparer.Ordinal);
    private readonly List<Task> _receivers = [];
    private readonly CancellationTokenSource _stopReceiving = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };

    private ChaosLoad(DistributedApplication app, ChaosHistory history)
    {
        _app = app;
        _history = history;
    }

    public ChaosTopology Topology { get; private set; } = null!;

    public int DeviceCount => _clients.Count;

    /// <summary>Why a device's socket dropped while it was being set up (diagnostics: nothing is faulted yet then).</summary>
    public System.Collections.Concurrent.ConcurrentBag<string> Reconnects { get; } = [];

    /// <summary>Connects every device (each registered before any message is sent) and creates the chats.</summary>
    public static async Task<ChaosLoad> StartAsync(DistributedApplication app, ChaosHistory history, ChaosLoadOptions options, CancellationToken ct)
    {
        var load = new ChaosLoad(app, history);
        var random = new Random(options.Seed);
        var run = Guid.NewGuid().ToString("N")[..6];
        var userOfDevice = new Dictionary<string, string>(StringComparer.Ordinal);
        var users = Enumerable.Range(0, options.Users).Select(i => $"chaos{run}-u{i:D2}").ToList();
        var deviceIndex = 0;
        foreach (var user in users)
        {
            var devices = random.Next(1, 4); // product limit: 3 devices per user
            for (var d = 0; d < devices; d++)
            {
                // A client id names one device system-wide (another user's device may not take it): make it unique.
                var client = $"{user}-c{d}";
                var key = $"{user}/{client}";
                // Alternate the first gateway, so both carry devices; reconnects go round-robin over both.
                var first = deviceIndex++ % 2;
                load._clients[key] = await load.ConnectAsync(user, client, [Gateways[first], Gateways[1 - first]], ct);
                userOfDevice[key] = user;
            }
        }
        // 1:1 chats: neighbours, and a second ring five apart so every user has at least two partners.
        var chatSpecs = new List<List<string>>();
        for (var i = 0; i < users.Count; i++)
        {
            chatSpecs.Add([users[i], users[(i + 1) % users.Count]]);
            if (i < users.Count / 2)
            {
                chatSpecs.Add([users[i], users[(i + 5) % users.Count]]);
            }
        }
        for (var g = 0; g < options.Groups; g++)
        {
            chatSpecs.Add([.. users.OrderBy(_ => random.Next()).Take(options.GroupSize)]);
        }
        var membersOfChat = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var members in chatSpecs)
        {
            var creator = load._clients[$"{members[0]}/{members[0]}-c0"];
            var chat = await creator.CreateChatAsync(members.Skip(1), ct: ct);
            membersOfChat[chat.ChatId] = members;
            foreach (var member in members)
            {
                load._chatsOfUser.TryAdd(member, []);
                load._chatsOfUser[member].Add(chat.ChatId);
            }
        }
        load.Topology = new ChaosTopology(userOfDevice, membersOfChat);
        foreach (var (device, client) in load._clients)
        {
            load._receivers.Add(load.ReceiveAsync(device, client));
        }
        return load;
    }

    private volatile bool _stopping;
    private long _giveUpAtTicks = DateTime.MaxValue.Ticks;

    /// <summary>Sends until <see cref="StopSending"/>; then awaits the messages still being resent.</summary>
    public async Task SendAsync(ChaosLoadOptions options)
    {
        var interval = TimeSpan.FromSeconds(_clients.Count / options.MessagesPerSecond);
        await Task.WhenAll(_clients.Select((c, i) => SendLoopAsync(c.Key, c.Value, interval, options.Seed + i)));
    }

    /// <summary>No new messages; one in flight is resent for at most <paramref name="grace"/> more.</summary>
    public void StopSending(TimeSpan grace)
    {
        Interlocked.Exchange(ref _giveUpAtTicks, (DateTime.UtcNow + grace).Ticks);
        _stopping = true;
    }

    private bool GaveUp => DateTime.UtcNow.Ticks >= Interlocked.Read(ref _giveUpAtTicks);

    private async Task SendLoopAsync(string device, NatterClient client, TimeSpan interval, int seed)
    {
        var random = new Random(seed);
        var chats = _chatsOfUser[Topology.UserOfDevice[device]];
        // Spread the devices' first sends over one interval, so the rate is even rather than in bursts.
        await Task.Delay(interval * random.NextDouble());
        for (var n = 0; !_stopping; n++)
        {
            var next = DateTime.UtcNow + interval;
            await SendOneAsync(device, client, chats[random.Next(chats.Count)], $"{device.Replace('/', '.')}.{n}"); // an id of the accepted form (PROTOCOL.md)
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero && !_stopping)
            {
                await Task.Delay(wait);
            }
        }
    }

    /// <summary>What a real client does: resend with the same clientMessageId until SUCCESS, or FAILURE (nothing stored).</summary>
    private async Task SendOneAsync(string device, NatterClient client, string chatId, string clientMessageId)
    {
        for (var attempt = 1; !GaveUp; attempt++)
        {
            var start = _history.NowMs;
            try
            {
                // The text is the clientMessageId: a delivery then says which send it came from.
                var result = await client.SendMessageAsync(chatId, clientMessageId, clientMessageId: clientMessageId);
                var success = result.Status == SendStatus.Success;
                _history.Record(new SendAttempt(clientMessageId, chatId, device, attempt, start, _history.NowMs,
                    success ? SendOutcome.Success : SendOutcome.Failure, result.MessageId, result.Seq, result.Code));
                return;
            }
            catch (NatterErrorException e)
            {
                _history.Record(new SendAttempt(clientMessageId, chatId, device, attempt, start, _history.NowMs, SendOutcome.Error, null, null, e.Code));
            }
            catch (Exception e) when (e is NatterDisconnectedException or OperationCanceledException or TimeoutException)
            {
                _history.Record(new SendAttempt(clientMessageId, chatId, device, attempt, start, _history.NowMs, SendOutcome.NoAnswer, null, null, e.GetType().Name));
                // Not connected: wait (bounded) for the client's own reconnect rather than spinning.
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await client.WaitConnectedAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            await Task.Delay(RetryPause);
        }
    }

    private async Task ReceiveAsync(string device, NatterClient client)
    {
        try
        {
            await foreach (var item in client.Items.ReadAllAsync(_stopReceiving.Token))
            {
                if (item.Message is { } m)
                {
                    _history.Record(new Delivery(device, m.ChatId, m.MessageId, m.Seq, m.Message, _history.NowMs));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Waits (bounded) until every acknowledged message has reached every device that should have it.</summary>
    public async Task SettleAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!cts.IsCancellationRequested)
        {
            var report = HistoryChecker.Check(_history.Snapshot(), Topology);
            if (report.Lost.Count == 0)
            {
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cts.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public void RecordDuplicates()
    {
        foreach (var (device, client) in _clients)
        {
            _history.RecordDuplicates(device, client.DuplicateMessages);
        }
    }

    private async Task<NatterClient> ConnectAsync(string user, string clientId, string[] gateways, CancellationToken ct)
    {
        var client = await NatterClient.ConnectAsync(new NatterClientOptions
        {
            Endpoints = [.. gateways.Select(g => new UriBuilder(_app.GetEndpoint(g, "http")) { Scheme = "ws", Path = "/ws" }.Uri)],
            TokenProvider = token => TokenAsync(gateways, user, clientId, token),
            RequestTimeout = TimeSpan.FromSeconds(15),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MaxBackoff = TimeSpan.FromSeconds(3),
            // A gateway killed behind its proxy is noticed by the missing pong within about 10 s.
            KeepAliveInterval = TimeSpan.FromSeconds(5),
        }, ct);
        // listChats is answered after the device's registration: from now on it receives fan-outs. A socket that
        // drops first is reopened by the client itself; ask again on the new one (bounded).
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                await client.ListChatsAsync(bound.Token);
                return client;
            }
            catch (NatterDisconnectedException) when (!bound.IsCancellationRequested)
            {
                Reconnects.Add($"{user}/{clientId}: {client.LastClose}");
                await client.WaitConnectedAsync(bound.Token);
            }
        }
    }

    /// <summary>Any live gateway mints development tokens (they share the signing key), so a dead one is skipped.</summary>
    private async Task<string> TokenAsync(string[] gateways, string userId, string clientId, CancellationToken ct)
    {
        Exception? last = null;
        foreach (var gateway in gateways)
        {
            try
            {
                var response = await _http.PostAsJsonAsync(new Uri(_app.GetEndpoint(gateway, "http"), "/dev/token"),
                    new { userId, clientId, lifetimeSeconds = 3600 }, ct);
                response.EnsureSuccessStatusCode();
                return (await response.Content.ReadFromJsonAsync<TokenAnswer>(ct))!.Token;
            }
            catch (Exception e) when (e is HttpRequestException || e is OperationCanceledException && !ct.IsCancellationRequested)
            {
                last = e;
            }
        }
        throw last!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopReceiving.CancelAsync();
        await Task.WhenAll(_receivers);
        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync();
        }
        _http.Dispose();
        _stopReceiving.Dispose();
    }

    private sealed record TokenAnswer(string Token);
}
