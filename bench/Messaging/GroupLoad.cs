using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Natter.Client;
using Natter.Contracts;

namespace Natter.Benchmarks.Messaging;

/// <summary>Group scenarios: light load in small groups, 100-member fan-out, and the reconnect drain.</summary>
public static class GroupLoad
{
    /// <summary>
    /// Light load: chats of 2 to 10 members (one device each, spread over both entry points); a random member of a random
    /// chat sends, at rate msg/s in all, for the duration. Latency is per delivery, send to receive.
    /// </summary>
    public static async Task<(LongHistogram Latency, int Messages)> LightAsync(Target target, int chats, int rate, TimeSpan duration)
    {
        var latency = Latencies.Histogram();
        var run = Guid.NewGuid().ToString("N")[..8];
        var groups = new List<(List<NatterClient> Members, string ChatId)>();
        var slot = 0;
        for (var c = 0; c < chats; c++)
        {
            var size = 2 + c % 9;
            var members = new List<NatterClient>();
            for (var m = 0; m < size; m++)
            {
                members.Add(await target.ConnectAsync($"l{run}c{c}m{m}", slot++));
            }
            var chat = await members[0].CreateChatAsync(Enumerable.Range(1, size - 1).Select(m => $"l{run}c{c}m{m}"));
            groups.Add((members, chat.ChatId));
        }
        var all = groups.SelectMany(g => g.Members).ToList();
        // Let the chatUpdate of each creation arrive and be acknowledged before timing starts.
        await DrainUpdatesAsync(all, groups.Sum(g => g.Members.Count));
        using var stop = new CancellationTokenSource();
        var readers = all.Select(c => Latencies.ReadAsync(c, latency, null, stop.Token)).ToList();
        var expected = 0;
        var sends = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        for (var k = 0; ; k++)
        {
            var due = TimeSpan.FromSeconds(k / (double)rate);
            if (due >= duration)
            {
                break;
            }
            var wait = due - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var (members, chatId) = groups[Random.Shared.Next(groups.Count)];
            expected += members.Count - 1;
            sends.Add(members[Random.Shared.Next(members.Count)].SendMessageAsync(chatId, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)));
        }
        await Task.WhenAll(sends);
        await WaitForAsync(() => latency.TotalCount >= expected, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        foreach (var c in all)
        {
            await c.DisposeAsync();
        }
        return (latency, sends.Count);
    }

    /// <summary>100-member fan-out: one message at a time, latency from its send to each of the 99 receivers.</summary>
    public static async Task<LongHistogram> FanOutAsync(Target target, int rounds)
    {
        var latency = Latencies.Histogram();
        var run = Guid.NewGuid().ToString("N")[..8];
        var users = Enumerable.Range(0, 100).Select(i => $"f{run}u{i}").ToList();
        var clients = new List<NatterClient>();
        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            clients.Add(await target.ConnectAsync(user, i));
        }
        var chat = await clients[0].CreateChatAsync(users.Skip(1));
        await DrainUpdatesAsync(clients.Skip(1).ToList(), 99);
        using var stop = new CancellationTokenSource();
        var readers = clients.Skip(1).Select(c => Latencies.ReadAsync(c, latency, null, stop.Token)).ToList();
        for (var round = 1; round <= rounds; round++)
        {
            await clients[0].SendMessageAsync(chat.ChatId, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
            var expected = round * 99;
            await WaitForAsync(() => latency.TotalCount >= expected, TimeSpan.FromSeconds(30));
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
        return latency;
    }

    /// <summary>Seconds for a reconnecting device to receive count pending messages, filled by twenty chats in parallel.</summary>
    public static async Task<double> DrainAsync(Target target, int count)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var receiver = $"d{run}r";
        await (await target.ConnectAsync(receiver, 0)).DisposeAsync();
        const int senders = 20;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async s =>
        {
            await using var client = await target.ConnectAsync($"d{run}s{s}", s);
            var chat = await client.CreateChatAsync([receiver]);
            for (var i = s; i < count; i += senders)
            {
                await SendUntilAcceptedAsync(client, chat.ChatId, $"pending {i}", $"p{i}");
            }
        }));
        var started = Stopwatch.GetTimestamp();
        await using var drained = await target.ConnectAsync(receiver, 1);
        var got = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (got < count)
        {
            if ((await drained.Items.ReadAsync(timeout.Token)).Type == FrameTypes.NewMessage)
            {
                got++;
            }
        }
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Filling the inbox goes faster than the per-connection command budget: a refused send waits and goes again.</summary>
    private static async Task SendUntilAcceptedAsync(NatterClient client, string chatId, string text, string clientMessageId)
    {
        while (true)
        {
            try
            {
                if ((await client.SendMessageAsync(chatId, text, clientMessageId: clientMessageId)).Status == SendStatus.Success)
                {
                    return;
                }
            }
            catch (NatterErrorException e) when (e.Code is ErrorCodes.RateLimited or ErrorCodes.Unavailable)
            {
            }
            await Task.Delay(20);
        }
    }

    private static async Task DrainUpdatesAsync(IReadOnlyList<NatterClient> clients, int expected)
    {
        var seen = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(clients.Select(async c =>
        {
            try
            {
                while ((await c.Items.ReadAsync(timeout.Token)).Type != FrameTypes.ChatUpdate)
                {
                }
                Interlocked.Increment(ref seen);
            }
            catch (OperationCanceledException)
            {
            }
        }));
        if (seen < expected)
        {
            Console.WriteLine($"  only {seen} of {expected} chatUpdates arrived before the run");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan atMost)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition() && Stopwatch.GetElapsedTime(started) < atMost)
        {
            await Task.Delay(5);
        }
    }
}
